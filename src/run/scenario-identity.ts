/**
 * A scenario's identity for state files: its name and a SHA-256 of what it asks for (the scenario
 * document as loaded, and the seed). A live run records it in its `--state` file; a run resuming
 * that file with a different scenario (another file, or this one edited) is refused unless --force.
 */
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/types.js';

export interface ScenarioIdentity {
  readonly name: string;
  readonly hash: string;
}

/** Object keys sorted, so the hash does not depend on the order keys were written in. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function scenarioIdentity(s: Scenario): ScenarioIdentity {
  const hash = createHash('sha256').update(JSON.stringify(canonical({ document: s.source.document, seed: s.seed }))).digest('hex');
  return { name: s.name, hash };
}
