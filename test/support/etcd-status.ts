/**
 * Which member of a local etcd cluster is raft leader now, from each member's maintenance status
 * (the gRPC gateway's POST /v3/maintenance/status): the live HA test kills that member on purpose,
 * and `npm run bench -- ha` times a kill of it.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The member (1-based, in the order of `endpoints`, each `host:port`) whose status names itself
 * leader; asked again every `everyMs` until `deadline` (epoch ms), then undefined. A member that does
 * not answer within 2 s counts as not leading.
 */
export async function raftLeader(endpoints: readonly string[], deadline: number, everyMs = 100): Promise<number | undefined> {
  for (;;) {
    const st = await Promise.all(
      endpoints.map(async (e) => {
        try {
          const res = await fetch(`http://${e}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2000) });
          return (await res.json()) as { header?: { member_id?: string }; leader?: string };
        } catch {
          return {};
        }
      }),
    );
    const i = st.findIndex((x) => x.leader !== undefined && x.header?.member_id === x.leader);
    if (i >= 0) return i + 1;
    if (Date.now() + everyMs >= deadline) return undefined;
    await sleep(everyMs);
  }
}
