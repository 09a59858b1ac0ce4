/**
 * Headless Chromium for browser tests: Debian's `chromium` driven by playwright-core, with a fresh
 * profile and every background network feature off. Tests skip (one-line reason) when Chromium is
 * missing, unless CI or SLIPWAY_LIVE is set: then a missing browser is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can (or must). */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  if (process.env.CI || process.env.SLIPWAY_LIVE) return undefined; // must run: launching fails loudly
  return `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set SLIPWAY_LIVE=1 to require it)`;
}

export interface LaunchedBrowser {
  /** A context on a fresh profile directory (removed on close). */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'slipway-chromium-'));
  // launchPersistentContext passes the fresh profile as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
