// Test helper: Debian's chromium driven by puppeteer-core (no browser download), in a
// fresh profile, with everything that phones home turned off. Tests call
// `chromiumAvailable()` first: without chromium they skip loudly, except under CI=true.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing: install chromium (apt-get install -y chromium)`);
  process.stderr.write(`\n*** SKIPPING BROWSER TESTS: ${CHROMIUM} is not installed (apt-get install -y chromium) ***\n\n`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: mkdtempSync(join(tmpdir(), 'galdecon-chromium-')),
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}
