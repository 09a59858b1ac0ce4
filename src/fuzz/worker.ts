/**
 * A fuzz worker thread (src/pool): runs the case seeds it is sent and posts each outcome back.
 * The pool's data carries the profile and whether invariants are checked.
 */
import { poolData, serveTasks } from '../pool/serve-tasks.js';
import { caseFromSeed } from './case.js';
import type { FuzzWorkerData } from './fuzz.js';
import { runCase } from './run-case.js';

const { profile, invariants } = poolData<FuzzWorkerData>();

serveTasks((seed: number) => runCase(caseFromSeed(seed, profile), profile, `fuzz-${seed}`, { invariants }));
