/**
 * Headless Chromium for the page tests: Debian's /usr/bin/chromium driven by playwright-core
 * (which downloads no browser of its own). A missing Chromium is installed from Debian's archive
 * by scripts/ci/install-chromium.sh (as CI's .ci/run does first), so a plain `npm test` on a fresh
 * machine of this kind passes; where that cannot work (not root, no archive) the test that needs
 * it fails with the command to run. It is never skipped silently.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh browser with its own empty profile (user-data-dir), removed on close. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    spawnSync('bash', [fileURLToPath(new URL('../../scripts/ci/install-chromium.sh', import.meta.url))], { stdio: 'inherit' });
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/ci/install-chromium.sh\` (apt-get install -y chromium) before the browser tests`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'rxledger-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
