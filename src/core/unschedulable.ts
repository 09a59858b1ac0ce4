/**
 * kube-scheduler's summary of a failed attempt:
 * `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were not ready.`
 * Reasons are listed by count (descending), then by text, so the message is stable.
 */
export function unschedulableMessage(total: number, reasons: Readonly<Record<string, number>>): string {
  const parts = Object.entries(reasons)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([why, count]) => `${count} ${why}`);
  if (total === 0) return '0/0 nodes are available: no nodes in the cluster.';
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}
