/**
 * Headless Chromium through playwright-core (Debian's /usr/bin/chromium, or CHROMIUM_PATH).
 * Playwright rejects --user-data-dir in launch(), so a persistent context on a fresh temporary
 * directory is used; WebGL2 runs through SwiftShader.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(p)) throw new Error(`Chromium not found at ${p}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  return p;
}

export async function launchChromium(opts: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'granary-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    acceptDownloads: true,
    locale: 'en-GB',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls a JavaScript expression in the page until it is truthy. The service's Content-Security-Policy
 * (script-src 'self') forbids the eval that page.waitForFunction(string) uses; page.evaluate of an
 * expression goes through the DevTools protocol and is allowed, and the CSP stays on for the app.
 */
export async function waitForExpr(page: Page, expr: string, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expr).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
