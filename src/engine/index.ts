export { EventQueue } from './event-queue.js';
export { RandomStream, RandomStreams, deriveSeed } from './random.js';
export { Simulation, type RunOptions, type RunResult, type StopReason } from './simulation.js';
export { TraceWriter, type TraceResult, type TraceEventListener } from './trace.js';
export { SeededIds } from './ids.js';
export { installGuard, guardActive } from './guard.js';
