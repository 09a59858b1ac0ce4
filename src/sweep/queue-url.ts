/** The `--queue` URL, parsed without loading BullMQ (every command that has the flag checks it first). */
import { InputError } from '../core/errors.js';

/** Where the queue's Redis is: what `--queue redis://[USER:PASSWORD@]HOST[:PORT][/DB]` says. */
export interface QueueConnection {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  /** ms before a connection attempt counts as unanswered. */
  readonly connectTimeout: number;
}

const FORM = 'redis://HOST:PORT/DB';

/** `--queue redis://HOST:PORT/DB` → connection; InputError naming the flag and the value otherwise. */
export function parseQueueUrl(value: string, flag = '--queue'): QueueConnection {
  const bad = (why: string) => new InputError(`${flag}: ${why}, got ${JSON.stringify(value)}`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw bad(`expected ${FORM}`);
  }
  if (u.protocol !== 'redis:') throw bad(`expected ${FORM} (the scheme must be redis:; TLS (rediss:) is not supported)`);
  if (u.hostname === '') throw bad(`expected ${FORM} (no host)`);
  if (u.search !== '' || u.hash !== '') throw bad(`expected ${FORM} (no ?query or #fragment)`);
  const port = u.port === '' ? 6379 : Number(u.port);
  if (port < 1) throw bad('the port must be 1..65535');
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw bad(`the database must be a number 0..15 (after the port: /0), not "${dbText}"`);
  const db = dbText === '' ? 0 : Number(dbText);
  if (db > 15) throw bad('the database must be a number 0..15');
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    connectTimeout: 5000,
  };
}

/** The connection as a URL to print: the password is never shown. */
export function queueUrlText(c: QueueConnection): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  const auth = c.username || c.password ? `${c.username ?? ''}${c.password ? ':***' : ''}@` : '';
  return `redis://${auth}${host}:${c.port}/${c.db}`;
}
