/**
 * Browser check: the dashboard on a second regions configuration (test/fixtures/regions-second: one
 * crop, `safrinha-corn`, four municipalities, other sources) shows that crop, labelled from the
 * configuration, with no code change. One line per check, then `second-region: N passed, M failed`.
 *
 *   node --import tsx test/browser/second-region.ts
 *
 * Screenshot: test/browser/screenshots/second-region.png
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, waitForExpr } from './browser.js';
import { REPO, startGranary } from './server.js';

const OUT = join(REPO, 'test/browser/screenshots');
mkdirSync(OUT, { recursive: true });
const server = await startGranary({ env: { GRANARY_REGIONS_CONFIG: join(REPO, 'test/fixtures/regions-second/regions.config.json'), GRANARY_ALERTS_DISPATCH_SECONDS: '0' } });
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

for (const [lang, label] of [['pt', 'Milho safrinha'], ['en', 'Second-crop corn']] as const) {
  await check(`policymaker view (${lang}): the crop list is the configuration's, labelled "${label}", with its four municipalities ranked`, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/?view=policy&lang=${lang}`);
    await waitForExpr(page, 'window.granary && (window.granary.ready || window.granary.error)', 90_000);
    await waitForExpr(page, `document.querySelectorAll('tr[data-region]').length > 0`, 60_000);
    const options = (await page.evaluate(`[...document.querySelectorAll('select[data-control="crop"] option')].map((o) => [o.value, o.textContent])`)) as Array<[string, string]>;
    if (JSON.stringify(options) !== JSON.stringify([['safrinha-corn', label]])) throw new Error(`crop options ${JSON.stringify(options)}`);
    const ctxCrop = await page.evaluate('window.granary.ctx.crop');
    if (ctxCrop !== 'safrinha-corn') throw new Error(`page crop ${String(ctxCrop)}`);
    const ranked = (await page.evaluate(`[...document.querySelectorAll('tr[data-region]')].map((t) => t.getAttribute('data-region')).sort()`)) as string[];
    if (JSON.stringify(ranked) !== JSON.stringify(['5103056', '5104526', '5107909', '5107925'])) throw new Error(`ranked regions ${JSON.stringify(ranked)}`);
    const legend = (await page.evaluate(`document.body.innerText`)) as string;
    if (!legend.includes(label)) throw new Error(`"${label}" is not on the page`);
    if (lang === 'en') await page.screenshot({ path: join(OUT, 'second-region.png') });
    await page.close();
    return `${ranked.length} municipalities`;
  });
}

await browser.close();
await server.close();
console.log(`second-region: ${passed} passed, ${failed} failed`);
mkdirSync(join(REPO, 'test/artifacts'), { recursive: true });
writeFileSync(join(REPO, 'test/artifacts/second-region-summary.json'), JSON.stringify({ passed, failed }));
process.exit(failed > 0 ? 1 : 0);
