/** Output files are written atomically and durably (src/engine/durable-file.ts: temporary file, every byte, fsync, rename). */
import { accessSync, closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { commitFiles, fileKind, outputError as writeError, stageFile, temporaryName, untrackTemporary, writeFileDurable } from '../engine/durable-file.js';
import { InputError } from '../core/errors.js';

export function writeOutput(path: string, data: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw writeError(e, path);
  }
  writeFileDurable(path, data);
}

/**
 * Writes the files of one command's output together: each is staged whole beside its final name
 * (every byte, fsync), then all are renamed into place with nothing in between. A failure (a full
 * disk) leaves none of them under a final name and is one line (OutputError); a reader never sees
 * a new results file beside an old report.
 */
export function writeOutputs(files: ReadonlyArray<readonly [path: string, data: string]>): void {
  const staged: Array<readonly [string, string]> = [];
  try {
    for (const [path] of files) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (e) {
        throw writeError(e, path);
      }
    }
    for (const [path, data] of files) staged.push([stageFile(path, data), path]);
  } catch (e) {
    for (const [tmp] of staged) {
      rmSync(tmp, { force: true });
      untrackTemporary(tmp);
    }
    throw e;
  }
  commitFiles(staged);
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'not a directory',
  EEXIST: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
};

/** The first existing ancestor of `dir` (or `dir` itself) that is not a directory, if any. */
function blockingFile(dir: string): string | undefined {
  let p = resolve(dir);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const c of chain) {
    try {
      if (!statSync(c).isDirectory()) return c;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function outputError(flag: string, value: string, dir: string, e: unknown): InputError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    const file = blockingFile(dir);
    return new InputError(`${flag} ${value}: not a directory: ${file ?? err.path ?? dir}`);
  }
  const reason = REASONS[code] ?? (code || String(err.message));
  // The probe's temporary name is ours, not the user's: name the folder it was made in.
  if (typeof err.path === 'string' && err.path.includes('.probe-')) return new InputError(`${flag} ${value}: cannot create a file in ${dirname(err.path)} (${reason})`);
  return new InputError(`${flag} ${value}: ${reason}: ${err.path ?? dir}`);
}

/**
 * Checks an output location before a command does its work, so an unusable `--out` is bad input
 * (one line naming the flag and the value, exit 2) rather than a failure after the run. `kind`
 * 'dir': `value` is a folder the command writes into; 'file': `value` is the file it writes.
 * Creates the folder (as writing would) and checks it is writable.
 */
export function prepareOutput(flag: string, value: string, kind: 'dir' | 'file'): void {
  const dir = kind === 'dir' ? value : dirname(value);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (kind === 'file') {
      // Both the name and what it points at: renaming over a symlink to /dev/stdout replaces the link.
      for (const st of [statOrUndefined(lstatSync, value), statOrUndefined(statSync, value)]) {
        if (st?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR', path: value });
        if (st && !st.isFile() && !st.isSymbolicLink()) {
          throw new InputError(
            `${flag} ${value}: not a regular file (${fileKind(st)}); outputs are written to a temporary beside it and renamed into place, so give a file name${flag === '--out' ? ' (or leave --out out to write to stdout)' : ''}`,
          );
        }
      }
      // A folder may say it is writable and still refuse new files (/proc, /sys): try one.
      const probe = temporaryName(value, 'probe');
      closeSync(openSync(probe, 'wx'));
      rmSync(probe, { force: true });
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw outputError(flag, value, dir, e);
  }
}

function statOrUndefined(stat: (p: string) => Stats, path: string): Stats | undefined {
  try {
    return stat(path);
  } catch {
    return undefined; // does not exist yet (or a dangling link): fine
  }
}
