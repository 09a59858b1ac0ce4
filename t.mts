import { fuzz } from './src/fuzz/fuzz.js';
import { PLANTED } from './test/support/planted-bugs.js';
import { wallMs } from './src/engine/wall.js';
for (const [name, v] of Object.entries(PLANTED)) {
  const t0 = wallMs();
  const r = await fuzz({ runs: 30, seed: 1, profile: 'small', workers: 0, variant: v, maxShrinks: 1 });
  const f = r.failures[0];
  const c = f?.shrunk?.case;
  console.log(name, r.failed, f?.run.outcome.failure, c ? `${c.nodes.length}n ${c.workloads.length}w ${c.operations.length}o ${c.faults.length}f tried ${f.shrunk!.tried}` : 'no shrink', ((wallMs()-t0)/1000).toFixed(1)+'s', f?.shrunk?.outcome.detail);
  if (c) console.log(JSON.stringify(c));
}
