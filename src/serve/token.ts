/**
 * The daemon's bearer token: given in the config or SLIPWAY_TOKEN, else read from STATE/token,
 * else generated there on first start (32 random bytes, hex; the file created with mode 0600 and
 * never rewritten). Comparison is constant-time; the token is never logged.
 */
import * as crypto from 'node:crypto';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

export const TOKEN_FILE = 'token';

export interface TokenSource {
  readonly token: string;
  /** `config` (given), `file` (read from the state dir), `generated` (written there now). */
  readonly origin: 'config' | 'file' | 'generated';
  readonly path?: string;
}

/** Reads the token file of a state directory, if there is one (the CLI client uses it on this machine). */
export function readTokenFile(stateDir: string): string | undefined {
  try {
    const t = readFileSync(join(stateDir, TOKEN_FILE), 'utf8').trim();
    return t === '' ? undefined : t;
  } catch {
    return undefined;
  }
}

/** The token the daemon accepts (see the module comment). */
export function resolveToken(given: string | undefined, stateDir: string): TokenSource {
  if (given !== undefined) return { token: given, origin: 'config' };
  const path = join(stateDir, TOKEN_FILE);
  const existing = readTokenFile(stateDir);
  if (existing !== undefined) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { token: existing, origin: 'file', path };
  }
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const token = randomBytes(32).toString('hex');
    // wx: never overwrite a token another process just wrote.
    writeFileSync(path, token + '\n', { mode: 0o600, flag: 'wx' });
    return { token, origin: 'generated', path };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return resolveToken(undefined, stateDir);
    throw new InputError(`--state: cannot write the token to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * SHA-256 of a string. `crypto.hash` (Node ≥ 20.12) is the one-shot form: it skips the Hash
 * object and its stream machinery, which made the token check about 5% of a GET's CPU.
 */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
const digest = (s: string): Buffer => (oneShot ? oneShot('sha256', s, 'buffer') : createHash('sha256').update(s, 'utf8').digest());

/** A checker for `Authorization` header values: true only for `Bearer <token>` (constant time). */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const want = digest(token);
  return (header) => {
    if (header === undefined) return false;
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    // Hash both sides so the comparison takes the same time whatever the lengths.
    return timingSafeEqual(digest(m ? m[1] : ''), want) && m !== null;
  };
}
