/**
 * Instance ids for live runs and `slipway serve`. They must never repeat across restarts of a
 * control plane that adopts an earlier one's containers, so the stream is seeded from the
 * machine's randomness (live runs are not replayable byte for byte anyway; simulations use seeded
 * ids), and a daemon that runs for weeks must not remember every id it handed out (PermutedIds).
 */
import { randomBytes } from 'node:crypto';
import type { IdSource } from '../core/interfaces.js';
import { PermutedIds } from './ids.js';
import { RandomStream } from './random.js';

/** `width` hex digits after the prefix (8: 4·10⁹ ids before the sequence repeats). */
export function liveIds(width = 8): IdSource {
  return new PermutedIds(new RandomStream('ids.live', randomBytes(4).readInt32LE(0)), width);
}
