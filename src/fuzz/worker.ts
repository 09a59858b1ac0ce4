/**
 * A fuzz worker thread: runs the cases it is sent and posts each outcome back.
 * Message in: `{ index, seed }`; out: `{ index, seed, outcome }`. `workerData` carries the profile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { caseFromSeed, type Profile } from './case.js';
import { runCase } from './run-case.js';

const { profile, invariants } = workerData as { profile: Profile; invariants: boolean };

parentPort!.on('message', async (msg: { index: number; seed: number }) => {
  const outcome = await runCase(caseFromSeed(msg.seed, profile), profile, `fuzz-${msg.seed}`, { invariants });
  parentPort!.postMessage({ index: msg.index, seed: msg.seed, outcome });
});
