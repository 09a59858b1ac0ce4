/** What fault injection can do to a simulated cluster (implemented by backends/sim's SimCluster). */
export interface FaultTarget {
  /** Returns false when the node is unknown or already down. */
  crashNode(name: string): boolean;
  /** Returns false when the node is unknown or already up. */
  bootNode(name: string): boolean;
  /** Returns the crashed container's id, or undefined when none matched. */
  crashContainer(workload: string, slot: number, exitCode: number): string | undefined;
}
