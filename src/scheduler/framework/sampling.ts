/**
 * kube-scheduler's node sampling (pkg/scheduler/schedule_one.go, numFeasibleNodesToFind): the
 * filter phase stops once it has found this many feasible nodes, and only those are scored.
 */

/** Below this many nodes every node is evaluated; sampling never goes under it. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never goes under this. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** The adaptive percentage starts here and loses 1 per 125 nodes. */
export const BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50;

/**
 * How many feasible nodes to find, with kube-scheduler's integer arithmetic:
 *
 *   n < 100                      → n
 *   percentage = p, or if p = 0 (adaptive): max(5, 50 - ⌊n / 125⌋)
 *   found = ⌊n · percentage / 100⌋, at least 100
 *
 * e.g. 5000 nodes, adaptive: 50 - 40 = 10% → 500 nodes; 1000 nodes: 42% → 420.
 */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = BASE_PERCENTAGE_OF_NODES_TO_SCORE - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (percentage >= 100) return numAllNodes;
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes;
}
