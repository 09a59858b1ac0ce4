/** `slipway export --format perfetto TRACE [--out FILE]` (stdout by default). */
import { closeSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { InputError, OutputError } from '../core/errors.js';
import { checkInputFile } from './input-file.js';
import { unknownName } from '../core/suggest.js';
import { PerfettoConverter } from '../export/perfetto.js';
import { streamTrace } from '../engine/trace-reader.js';
import { commitFiles, outputError, temporaryName, trackTemporary, untrackTemporary, writeAllSync } from '../engine/durable-file.js';
import { EXIT_OK } from './errors.js';
import { prepareOutput } from './output.js';

export interface ExportFlags {
  readonly format: string;
  readonly out?: string;
}

export const EXPORT_FORMATS = ['perfetto'] as const;

/** Where the converted text goes: `write` resolves once the text is accepted. */
type Sink = (text: string) => Promise<void>;

export async function exportCommand(trace: string, flags: ExportFlags): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format))
    throw new InputError(unknownName('--format', 'format', flags.format, EXPORT_FORMATS));
  checkInputFile(trace);
  if (flags.out === undefined) {
    try {
      await convert(trace, stdoutSink());
    } catch (e) {
      // The reader went away (`... | head`): not an error of the export.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_OK;
      if (e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw code === 'ENOSPC' ? new OutputError('no space left on the device writing stdout') : outputError(e, 'stdout');
    }
    return EXIT_OK;
  }
  const out = flags.out;
  prepareOutput('--out', out, 'file');
  // A temporary beside the file, every byte written, fsync, rename (src/engine/durable-file.ts).
  const tmp = temporaryName(out);
  trackTemporary(tmp);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const file = fd;
    await convert(trace, async (text) => {
      if (text) writeAllSync(file, Buffer.from(text, 'utf8'));
    });
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    commitFiles([[tmp, out]]);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    untrackTemporary(tmp);
    if (e instanceof InputError) throw e;
    throw outputError(e, out);
  }
  return EXIT_OK;
}

/** stdout, waiting for 'drain' under back-pressure; a write error (EPIPE, ENOSPC) rejects. */
function stdoutSink(): Sink {
  let failed: Error | undefined;
  const onError = (e: Error) => {
    failed = e;
  };
  process.stdout.on('error', onError);
  return async (text) => {
    if (failed) throw failed;
    if (!text) return;
    const ok = process.stdout.write(text);
    if (!ok) await once(process.stdout, 'drain'); // rejects on 'error'
    if (failed) throw failed;
  };
}

async function convert(trace: string, write: Sink): Promise<void> {
  const conv = new PerfettoConverter();
  await write(conv.header());
  for await (const e of streamTrace(trace)) await write(conv.push(e));
  await write(conv.finish());
}
