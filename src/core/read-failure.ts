/**
 * How every command and the daemon word a file they cannot read: `FILE: cannot read: no such file`
 * (or `is a directory`, `permission denied`), one line, never a raw error code such as ENOENT.
 * Pure: it formats an error it is given (src/cli/input-file.ts reads, and re-exports these).
 */
import { InputError } from './errors.js';

/** The reason a read failed, in words. */
export function readFailure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a folder on its path is a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return String(err?.message ?? e).split('\n')[0];
  }
}

/** The one-line InputError for a file that cannot be read. */
export function unreadable(file: string, e: unknown): InputError {
  return new InputError(`${file}: cannot read: ${readFailure(e)}`);
}
