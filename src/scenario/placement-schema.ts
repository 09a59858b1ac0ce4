/**
 * The Kubernetes placement field schemas live in src/core/placement-schema.ts (the scheduler's
 * NodeAffinity plugin args use them too, and the scheduler sits below the scenario loader).
 */
export * from '../core/placement-schema.js';
