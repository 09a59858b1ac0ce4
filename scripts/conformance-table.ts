/**
 * Regenerates docs/conformance.md from the ported kube-scheduler test tables
 * (test/scheduler/upstream): per plugin, per upstream test function, how many cases are ported,
 * how many pass, how many cannot be expressed (and why). `npm run conformance-table` writes it;
 * `--check` exits 1 when the committed page differs (the test suite checks the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePage } from '../test/scheduler/upstream/conformance-page.js';

const file = join(import.meta.dirname, '..', 'docs', 'conformance.md');
const page = conformancePage();
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8');
  if (current !== page) {
    process.stderr.write(`${file} is out of date: run npm run conformance-table\n`);
    process.exit(1);
  }
} else {
  writeFileSync(file, page);
  process.stdout.write(`wrote ${file}\n`);
}
