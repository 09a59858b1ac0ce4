/**
 * Output files written so that a reader never sees half of one: a temporary file beside the final
 * name, every byte written (`writeSync` may write fewer bytes than asked: it is called until all
 * are written or it fails), fsync, then a rename. A failure removes the temporary and is one
 * OutputError line (`no space left on /mnt/x writing out/report.html`).
 *
 * Every temporary is registered while it exists, and removed when the process exits (also by a
 * forced exit after a second Ctrl-C), so an interrupted command leaves no `*.tmp-PID` debris.
 *
 * write-file-atomic is not used for this: its sync path makes one `writeSync` call and does not
 * loop on short writes.
 */
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { OutputError } from '../core/errors.js';

const temporaries = new Set<string>();
let exitHook = false;

/** Registers a temporary file to be removed if the process exits before it is renamed. */
export function trackTemporary(path: string): void {
  temporaries.add(path);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', removeTemporaries);
  }
}

/** The temporary became a final file (renamed) or was removed. */
export function untrackTemporary(path: string): void {
  temporaries.delete(path);
}

/** Removes every registered temporary (synchronously: safe in an exit or signal handler). */
export function removeTemporaries(): void {
  for (const p of temporaries) rmSync(p, { force: true, recursive: true });
  temporaries.clear();
}

/**
 * A temporary name beside `path` (same folder, so the rename is atomic):
 * `NAME.TAG-PID-N` (`trace.jsonl.run-4242-1`, `state.json.tmp-4242-3`). The first time a process
 * names a temporary for `path`, it removes the temporaries of `path` left by processes that are
 * gone (`kill -9` runs no exit handler): see `removeStaleTemporaries`.
 */
export function temporaryName(path: string, tag = 'tmp'): string {
  const key = resolve(path);
  if (!swept.has(key)) {
    swept.add(key);
    removeStaleTemporaries(path);
  }
  return join(dirname(path), `${basename(path)}.${tag}-${process.pid}-${++counter}`);
}
let counter = 0;
const swept = new Set<string>();

/** `.TAG-PID-N` suffixes, possibly nested (the trace writer's temporary of a staged trace). */
const TEMP_SUFFIX = /^(?:\.(?:tmp|run|probe)-\d+-\d+)+$/;
const TEMP_PID = /\.(?:tmp|run|probe)-(\d+)-\d+/g;

/**
 * Removes the temporaries of `path` (`NAME.TAG-PID-N` beside it) whose writing process no longer
 * exists on this host, and returns their names. A process killed with SIGKILL (or by the OOM
 * killer, or a power cut) leaves them behind; the next command writing the same file removes
 * them. A temporary of a live process (another run writing the same folder) is left alone, and so
 * is one whose PID is now another process's (a reused PID): it stays until that one is gone.
 */
export function removeStaleTemporaries(path: string): string[] {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // the folder does not exist (yet): nothing to remove
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(base) || !TEMP_SUFFIX.test(name.slice(base.length))) continue;
    const pids = [...name.slice(base.length).matchAll(TEMP_PID)].map((m) => Number(m[1]));
    if (pids.some((pid) => pid === process.pid || processAlive(pid))) continue;
    try {
      rmSync(join(dir, name), { force: true, recursive: true });
      removed.push(name);
    } catch {
      /* not ours to remove (permissions): leave it */
    }
  }
  return removed;
}

/** Whether a process with this PID exists (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes all of `data` at the file's current position, looping over short writes. */
export function writeAllSync(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** The mount point holding `path` (from /proc/self/mounts), for "no space left on ..." messages. */
export function mountOf(path: string): string {
  let real: string;
  try {
    real = realpathSync(dirname(resolve(path)));
  } catch {
    real = dirname(resolve(path));
  }
  let best = '';
  try {
    for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const mp = line.split(' ')[1]?.replace(/\\040/g, ' ');
      if (mp === undefined) continue;
      if ((real === mp || real.startsWith(mp.endsWith(sep) ? mp : mp + sep)) && mp.length > best.length) best = mp;
    }
  } catch {
    /* not Linux: name the folder */
  }
  return best || dirname(resolve(path));
}

/** An I/O failure writing `file` as one line. */
export function outputError(e: unknown, file: string): OutputError {
  if (e instanceof OutputError) return e;
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOSPC':
      return new OutputError(`no space left on ${mountOf(file)} writing ${file}`);
    case 'EDQUOT':
      return new OutputError(`disk quota exceeded on ${mountOf(file)} writing ${file}`);
    case 'EFBIG':
      return new OutputError(`file too large writing ${file}`);
    case 'EIO':
      return new OutputError(`I/O error writing ${file}`);
    case 'EROFS':
      return new OutputError(`read-only file system writing ${file}`);
    case 'EACCES':
    case 'EPERM':
      return new OutputError(`permission denied writing ${file}`);
    case 'EISDIR':
      return new OutputError(`cannot write ${file}: it is a directory`);
    case 'ENOTDIR':
    case 'EEXIST':
      return new OutputError(`cannot write ${file}: a file is in the way of its folder ${dirname(file)}`);
    default:
      return new OutputError(`cannot write ${file}: ${String(err?.message ?? e).split('\n')[0]}`);
  }
}

/**
 * Writes `data` to a temporary file beside `path`, fsyncs it and returns its name, registered as
 * a temporary; `commitFiles` moves it into place. On failure nothing is left and an OutputError
 * (one line) is thrown.
 */
export function stageFile(path: string, data: string | Uint8Array): string {
  const tmp = temporaryName(path);
  trackTemporary(tmp);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeAllSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    return tmp;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    untrackTemporary(tmp);
    throw outputError(e, path);
  }
}

/**
 * Renames staged files into place, one after the other with no await between (so a signal
 * handled by JavaScript cannot fall between them), then fsyncs the folders.
 */
export function commitFiles(moves: ReadonlyArray<readonly [tmp: string, final: string]>): void {
  try {
    // Never rename over a device, a FIFO or a socket (as root, over /dev/full it would replace the
    // device), nor try a folder: checked for every file before the first rename, so a set of files
    // is committed whole or not at all.
    for (const [, final] of moves) {
      for (const st of [statIfAny(lstatSync, final), statIfAny(statSync, final)]) {
        if (st && !st.isFile() && !st.isSymbolicLink()) throw new OutputError(`cannot write ${final}: it is not a regular file (${fileKind(st)})`);
      }
    }
    for (const [tmp, final] of moves) {
      renameSync(tmp, final);
      untrackTemporary(tmp);
    }
  } catch (e) {
    for (const [tmp] of moves) {
      rmSync(tmp, { force: true });
      untrackTemporary(tmp);
    }
    throw outputError(e, moves[0]?.[1] ?? '');
  }
  for (const dir of new Set(moves.map(([, f]) => dirname(f)))) syncDir(dir);
}

/** Writes a whole file atomically and durably (stage + commit). */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  commitFiles([[stageFile(path, data), path]]);
}

/** fsync a folder so a rename in it survives a crash (best effort: not every platform allows it). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What a non-regular file is, in words: "a character device", "a FIFO", ... */
export function fileKind(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

function statIfAny(stat: (p: string) => Stats, path: string): Stats | undefined {
  try {
    return stat(path);
  } catch {
    return undefined;
  }
}
