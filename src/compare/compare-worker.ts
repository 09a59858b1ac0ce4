/**
 * A compare worker thread (src/pool): gets the scenario once (the pool's data), then runs the
 * (policy, seed) tasks it is sent, one at a time.
 */
import { poolData, serveTasks } from '../pool/serve-tasks.js';
import type { Scenario } from '../scenario/types.js';
import { runOne, type RunTask } from './run-one.js';

const scenario = poolData<Scenario>();

serveTasks((task: RunTask) => runOne(scenario, task));
