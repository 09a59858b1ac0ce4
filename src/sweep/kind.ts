/**
 * What a sweep is to the sharding, merging and queueing code: a named kind (compare, fuzz, an
 * experiment) with a JSON `spec` that fixes its run list and everything its outputs show, and a
 * JSON row per run. Kinds are values passed in (src/cli/sweep-kinds.ts holds Slipway's), so this
 * folder knows nothing of scenarios, traces or reports.
 */
import { createHash } from 'node:crypto';

/** Plain JSON data (a spec or a row): what a bundle file and a queue message can carry. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

export interface SweepKind<S = unknown, R = unknown> {
  /** `compare`, `fuzz`, `experiment fgd`, ...: stored in bundles and queue messages. */
  readonly name: string;
  /**
   * The sweep's runs in their one deterministic order, each named by a key unique in the sweep
   * (e.g. `best-fit seed 3`). Pure: same spec ⇒ same list on every machine.
   */
  keys(spec: S): string[];
  /**
   * Loads what the runs need once (parses the scenario, reads the traces) and returns a function
   * that runs run `index`. Its result is JSON data that the outputs are built from.
   */
  prepare(spec: S): Promise<(index: number) => Promise<R>>;
}

/** A sweep: its kind and spec. */
export interface Sweep<S = unknown> {
  readonly kind: string;
  readonly spec: S;
}

/**
 * The sweep's identity: sha256 of its kind and spec as JSON (`sha256:` + hex). Two bundles or
 * queue results belong to one sweep exactly when their hashes are equal. The spec is built by
 * Slipway's own code in a fixed key order, so JSON.stringify is canonical for it.
 */
export function inputsHash(sweep: Sweep): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify({ kind: sweep.kind, spec: sweep.spec })).digest('hex');
}

/** sha256 of a file's bytes (inputs a spec names by path, e.g. trace CSVs), hex. */
export function contentHash(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Finds a kind by name among `kinds`. */
export function kindNamed(kinds: readonly SweepKind[], name: string): SweepKind | undefined {
  return kinds.find((k) => k.name === name);
}
