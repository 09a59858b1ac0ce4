import { caseFromSeed } from './src/fuzz/case.js';
import { runCase } from './src/fuzz/run-case.js';
import { deriveSeed } from './src/engine/random.js';
import { PLANTED } from './test/support/planted-bugs.js';
for (const [name, v] of Object.entries(PLANTED)) {
  let found = -1; let det = '';
  for (let i = 0; i < 100; i++) {
    const seed = deriveSeed(1, `run.${i}`) >>> 0;
    const o = await runCase(caseFromSeed(seed, 'small'), 'small', `f`, v);
    if (!o.ok) { found = i; det = `${o.failure}: ${o.detail}`; break; }
  }
  console.log(name, found, det);
}
