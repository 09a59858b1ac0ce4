/**
 * Reading a file a user named: every command words a failure the same way,
 * `FILE: cannot read: no such file` (or `is a directory`, `permission denied`), never a raw
 * error code such as ENOENT.
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { unreadable } from '../core/read-failure.js';

export { readFailure, unreadable } from '../core/read-failure.js';

/** The text of `file` (UTF-8); InputError (exit 2) with the one-line message when it cannot be read. */
export function readInputFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw unreadable(file, e);
  }
}

/** Checks that `file` is a regular file that exists, for commands that stream it. */
export function checkInputFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    throw unreadable(file, e);
  }
  if (!isFile) throw new InputError(`${file}: cannot read: is a directory`);
}
