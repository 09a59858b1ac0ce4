/**
 * Worker for `slipway run --check-determinism`: runs the scenario again in a fresh thread (fresh
 * module state, fresh JIT) and posts the trace's hash. workerData: `{ file, seed, durationMs, untilMs, tracePath, nodes? }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readScenario } from './read-scenario.js';
import { simulate } from '../run/simulate.js';

const d = workerData as { file: string; seed: number; durationMs: number; untilMs: number; tracePath: string; nodes?: number };
// manifestRunMs matters only for a Kubernetes manifest file (its expectation is at the run's end)
const scenario = readScenario(d.file, { seed: d.seed, durationMs: d.durationMs, manifestRunMs: d.durationMs, ...(d.nodes !== undefined ? { nodes: d.nodes } : {}) });
const summary = await simulate(scenario, { tracePath: d.tracePath, untilMs: d.untilMs });
parentPort!.postMessage({ hash: summary.traceHash, lines: summary.traceLines });
