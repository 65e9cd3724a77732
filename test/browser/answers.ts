/**
 * Browser checks and screenshots of the planting-time / weather / alerts panel (farmer view) and the
 * suitability / outlook / alerts / policy-impact panel (policymaker view), in English and Portuguese,
 * against the real service on the bundled data. One line per check, then `answers: N passed, M failed`.
 *
 *   node --import tsx test/browser/answers.ts
 *
 * Screenshots: test/browser/screenshots/answers-*.png
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, waitForExpr } from './browser.js';
import { REPO, startGranary } from './server.js';

const OUT = join(REPO, 'test/browser/screenshots');
mkdirSync(OUT, { recursive: true });
const server = await startGranary({ env: { GRANARY_ALERTS_DISPATCH_SECONDS: '0' } });
const browser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
let passed = 0;
let failed = 0;

async function check(name: string, run: () => Promise<string | void>): Promise<void> {
  try {
    const note = await run();
    passed++;
    console.log(`ok   ${name}${note ? ` (${note})` : ''}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${(e as Error).message.split('\n')[0]}`);
  }
}

const text = (p: Page, sel: string) => p.evaluate(`document.querySelector(${JSON.stringify(sel)})?.textContent ?? ''`) as Promise<string>;

async function open(query: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/?${query}`);
  await waitForExpr(page, 'window.granary && (window.granary.ready || window.granary.error)', 60_000);
  return page;
}

// a Soybean-maize sample of Ipiranga do Norte (lucc_mt_samples_public.csv)
for (const lang of ['en', 'pt'] as const) {
  await check(`farmer view (${lang}): green-up per season against the class window, weather at the nearest station, alerts`, async () => {
    const page = await open(`view=farmer&lang=${lang}&scene=ipiranga&at=-12.0322,-55.9818`);
    // the field as a user types it (the `at` permalink is also read, but only once the boundaries have loaded)
    const ok = await waitForExpr(page, `!!document.querySelector('[data-testid=field-answers]')`, 15_000).then(() => true, () => false);
    if (!ok) {
      const inputs = page.locator('form.farmer-form input');
      await inputs.nth(0).fill(lang === 'pt' ? '-12,0322' : '-12.0322');
      await inputs.nth(1).fill(lang === 'pt' ? '-55,9818' : '-55.9818');
      await page.locator('form.farmer-form button[type=submit]').first().click();
    }
    await waitForExpr(page, `document.querySelectorAll('[data-testid=planting] li[data-sos]').length >= 5 && !!document.querySelector('[data-testid=weather] [data-station]') && document.querySelectorAll('[data-testid=alerts] h3').length === 1`, 90_000);
    await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
    const planting = await text(page, '[data-testid=planting]');
    const weather = await text(page, '[data-testid=weather]');
    if (lang === 'pt' && !/Safra 20\d\d-\d\d/.test(planting)) throw new Error(`no Portuguese season line: ${planting.slice(0, 120)}`);
    if (lang === 'en' && !/Season 20\d\d-\d\d: green-up around/.test(planting)) throw new Error(`no season line: ${planting.slice(0, 120)}`);
    // the class window appears once the crop model has classified the field (the first, cold request may answer without a class)
    const windowShown = /(usual|janela usual|típicas)/.test(planting);
    if (!/km/.test(weather) || !/INMET/.test(weather)) throw new Error(`weather without station distance or attribution: ${weather.slice(0, 160)}`);
    await page.locator('[data-testid=field-answers]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, `answers-farmer-${lang}.png`), fullPage: true });
    await page.close();
    return `${weather.match(/(Station|Estação) [^,]+, [^ ]+ km/)?.[0] ?? ''}; class window ${windowShown ? 'shown' : 'not shown (no class yet)'}`;
  });
}

for (const lang of ['en', 'pt'] as const) {
  await check(`policymaker view (${lang}): suitability, outlook with its error, alerts, policy impact with interval and placebo`, async () => {
    const page = await open(`view=policy&lang=${lang}&region=5104526`);
    await waitForExpr(page, `!!document.querySelector('[data-testid=suitability] li[data-index]') && !!document.querySelector('[data-testid=outlook] p[data-error]')`, 90_000);
    await page.fill('[data-testid=policy-impact] input[type=number]', '2015');
    await page.click('[data-testid=policy-impact] button[type=submit]');
    await waitForExpr(page, `!!document.querySelector('[data-testid=policy-impact] [data-effect]')`, 60_000);
    const outlook = await text(page, '[data-testid=outlook]');
    const impact = await text(page, '[data-testid=policy-impact]');
    if (!/±/.test(outlook)) throw new Error(`outlook without its error: ${outlook.slice(0, 120)}`);
    if (!/(95 %)/.test(impact) || !/(Placebo|placebo)/.test(impact)) throw new Error(`impact without interval or placebo: ${impact.slice(0, 160)}`);
    await page.locator('[data-testid=region-answers]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, `answers-policy-${lang}.png`), fullPage: true });
    await page.close();
  });
}

await check('weather stations are drawn on the map', async () => {
  const page = await open('view=policy&lang=en');
  await waitForExpr(page, `(() => { const m = document.querySelector('.maplibregl-map'); return !!m; })()`, 30_000);
  await waitForExpr(page, `!!window.granary.ctx && !!window.granary.ctx.layers.map.getLayer('weather-stations')`, 30_000);
  const n = (await page.evaluate(`window.granary.ctx.layers.map.querySourceFeatures('weather-stations').length`)) as number;
  await page.close();
  if (n < 1) throw new Error('no station features on the map');
  return `${n} station features rendered`;
});

await browser.close();
await server.close();
console.log(`answers: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
