// Launches Debian's Chromium for browser tests through playwright-core. Where Chromium is missing the
// tests are skipped with a printed reason, except under CI=true, where that is a failure.

import { existsSync } from 'node:fs';
import { Browser, BrowserContext, chromium } from 'playwright-core';
import { tempDir } from './wspy';

export const CHROMIUM_PATH = process.env.WSPY_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh browser with an empty profile, or undefined (with the reason printed) when there is none. */
export async function launchChromium(): Promise<LaunchedChromium | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    const reason = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set WSPY_CHROMIUM)`;
    if (process.env.CI === 'true') throw new Error(`browser tests need Chromium under CI: ${reason}`);
    console.log(`# skipping browser tests: ${reason}`);
    return undefined;
  }
  // Goes when the test file ends, even when the launch fails or close() is never reached.
  const profile = tempDir('wspy-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
    },
  };
}

export type { Browser };
