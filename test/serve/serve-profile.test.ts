/**
 * The daemon runs on a worker thread of `slipway serve`; started under the profiler (`node
 * --cpu-prof`, what `npm run bench -- api --cpu-profile DIR` does) the thread is profiled too, so
 * the profile shows the daemon's work and not only the main thread waiting for signals.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { profilerFlags } from '../../src/pool/start-worker.js';
import { startServeProcess } from '../support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-serve-prof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('profilerFlags keeps the profiler options and their values, nothing else', () => {
  expect(profilerFlags(['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir', '/p', '--max-old-space-size=100', '--heap-prof-interval', '512', '--cpu-prof-name=x.cpuprofile'])).toEqual([
    '--cpu-prof',
    '--cpu-prof-dir',
    '/p',
    '--heap-prof-interval',
    '512',
    '--cpu-prof-name=x.cpuprofile',
  ]);
  expect(profilerFlags(['--cpu-profiler-is-not-a-flag', '--inspect'])).toEqual([]);
});

it('node --cpu-prof slipway serve writes a profile of the daemon thread as well as the main thread', async () => {
  const profiles = join(dir, 'profiles');
  const serve = await startServeProcess(['--listen', '127.0.0.1:0', '--state', join(dir, 'state')], ['--cpu-prof', '--cpu-prof-dir', profiles]);
  expect(await serve.stop(), serve.log()).toEqual({ code: 0, signal: null });
  const functions = readdirSync(profiles).map((f) => new Set((JSON.parse(readFileSync(join(profiles, f), 'utf8')) as { nodes: { callFrame: { functionName: string } }[] }).nodes.map((n) => n.callFrame.functionName)));
  expect(functions).toHaveLength(2);
  // One of them ran the daemon: its start is in the profile.
  expect(functions.filter((names) => names.has('startDaemon'))).toHaveLength(1);
});
