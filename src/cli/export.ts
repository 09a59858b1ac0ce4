/** `slipway export --format perfetto TRACE [--out FILE]` (stdout by default). */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { InputError } from '../core/errors.js';
import { checkInputFile } from './input-file.js';
import { unknownName } from '../core/suggest.js';
import { PerfettoConverter } from '../export/perfetto.js';
import { streamTrace } from '../engine/trace-reader.js';
import { EXIT_OK } from './errors.js';
import { prepareOutput } from './output.js';

export interface ExportFlags {
  readonly format: string;
  readonly out?: string;
}

export const EXPORT_FORMATS = ['perfetto'] as const;

export async function exportCommand(trace: string, flags: ExportFlags): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format))
    throw new InputError(unknownName('--format', 'format', flags.format, EXPORT_FORMATS));
  checkInputFile(trace);
  const tmp = flags.out ? `${flags.out}.tmp-${process.pid}` : undefined;
  if (flags.out) prepareOutput('--out', flags.out, 'file');
  const sink: Writable = tmp ? createWriteStream(tmp) : process.stdout;
  try {
    try {
      await convert(trace, sink);
    } catch (e) {
      // The reader went away (`... | head`): not an error of the export.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_OK;
      throw e;
    }
    if (tmp) {
      sink.end();
      await once(sink, 'finish');
      renameSync(tmp, flags.out!);
    }
  } catch (e) {
    if (tmp) {
      sink.destroy();
      rmSync(tmp, { force: true });
    }
    throw e;
  }
  return EXIT_OK;
}

async function convert(trace: string, sink: Writable): Promise<void> {
  const conv = new PerfettoConverter();
  const write = async (text: string) => {
    if (text && !sink.write(text)) await once(sink, 'drain');
  };
  await write(conv.header());
  for await (const e of streamTrace(trace)) await write(conv.push(e));
  await write(conv.finish());
}
