/**
 * The split vitest.config.ts relies on: under SLIPWAY_LIVE=1 the files of test/support/live-files.ts
 * run one at a time after the others, and every other file runs in parallel with the rest. A test
 * file that reaches a live resource but is not in that list would run beside the live files and
 * the other unit files (a backend's close removes every Slipway container on the engines; two
 * files would share etcd keys, Redis queues, Serf and host ports): this test names it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLiveTestFile, LIVE_TEST_FILES } from './support/live-files.js';

const ROOT = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(relative(ROOT, path).split(sep).join('/'));
  }
  return out.sort();
}

/** What in a test file's code (comments aside) means it reaches a live resource or reads SLIPWAY_LIVE. */
const LIVE_MARKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/SLIPWAY_LIVE/, 'reads SLIPWAY_LIVE'],
  [/\bLIVE\b/, 'reads LIVE (test/support/backends.ts)'],
  [/\b(DOCKER_HOSTS|ETCD_ENDPOINTS|dockerBackend|ociBackend|connectDocker)\b/, 'reaches the Docker engines or etcd'],
  [/\bnew (DockerRuntime|OciRuntime|EtcdKv|SerfMembership)\b/, 'starts a live backend'],
  [/support\/browser\.js|playwright/, 'drives Chromium'],
  [/start-(engines|etcd|redis|serf)\.sh/, 'starts a live service'],
];

/** The code without comments (a comment may well name SLIPWAY_LIVE without using it). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('live test files (vitest.config.ts runs them one at a time, after the others)', () => {
  const files = testFiles(join(ROOT, 'test'));

  it('every file that reaches a live resource is listed in test/support/live-files.ts', () => {
    const unlisted: string[] = [];
    for (const f of files) {
      if (isLiveTestFile(f) || f === 'test/live-files.test.ts') continue; // (this file names the markers)
      const text = code(readFileSync(join(ROOT, f), 'utf8'));
      for (const [re, why] of LIVE_MARKS) if (re.test(text)) unlisted.push(`${f}: ${why} (${re.exec(text)![0]}); add it to LIVE_TEST_FILES`);
    }
    expect(unlisted).toEqual([]);
  });

  it('every entry of the list names a test file or a folder of them', () => {
    for (const e of LIVE_TEST_FILES) {
      expect(existsSync(join(ROOT, e)), e).toBe(true);
      expect(files.some((f) => isLiveTestFile(f) && (e.endsWith('/') ? f.startsWith(e) : f === e)), e).toBe(true);
    }
  });

  it('the markers see what the listed files use (a file of test/live, a browser test, the queue test)', () => {
    const marked = (f: string) => LIVE_MARKS.some(([re]) => re.test(code(readFileSync(join(ROOT, f), 'utf8'))));
    expect(['test/live/crash-safety.test.ts', 'test/browser/dashboard.browser.test.ts', 'test/sweep/queue.test.ts', 'test/store/etcd-kv.test.ts'].filter((f) => !marked(f))).toEqual([]);
    // and not what merely names a backend: bad-input tests that exit before any engine is reached
    expect(['test/cli/live-cli.test.ts', 'test/cli/oci-network-config-cli.test.ts', 'test/backends/live-cluster-manager.test.ts'].filter(marked)).toEqual([]);
  });
});
