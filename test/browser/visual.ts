/**
 * Screenshots compared with committed references, with a tolerance: the run's screenshots go to
 * test/artifacts/screenshots/ (never over the references); a screenshot passes when at most
 * `maxShare` of its pixels differ from the reference by more than pixelmatch's colour `threshold`
 * (anti-aliasing ignored). The references (test/browser/references/) are written only by
 * `npm run test:browser -- --update-references`, after looking at them.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import sharp from 'sharp';

export const REFERENCES = join(import.meta.dirname, 'references');
export const ACTUAL = join(import.meta.dirname, '../artifacts/screenshots');
export const UPDATE = process.argv.includes('--update-references');
/** share of pixels that may differ: 3 % (the pictures are taken once the map is idle, labels without fade) */
export const MAX_SHARE = 0.03;

export interface ShotResult {
  name: string;
  diffShare: number | null;
  note: string;
}

async function rgba(file: string | Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Compares `png` (just taken) with the reference `name`; throws when it differs beyond the tolerance. */
export async function compareWithReference(name: string, png: Buffer, opts: { maxShare?: number; threshold?: number } = {}): Promise<ShotResult> {
  mkdirSync(ACTUAL, { recursive: true });
  const actualPath = join(ACTUAL, name);
  writeFileSync(actualPath, png);
  const ref = join(REFERENCES, name);
  if (UPDATE) {
    mkdirSync(REFERENCES, { recursive: true });
    copyFileSync(actualPath, ref);
    return { name, diffShare: null, note: 'reference written' };
  }
  if (!existsSync(ref)) throw new Error(`no reference ${name}: look at ${actualPath}, then npm run test:browser -- --update-references`);
  const a = await rgba(png);
  const b = await rgba(ref);
  if (a.width !== b.width || a.height !== b.height) {
    // a full-page shot whose height changed: compare the common top part, and count the rest as different
    const w = Math.min(a.width, b.width);
    const h = Math.min(a.height, b.height);
    const crop = async (img: Buffer | string) => (await sharp(img).extract({ left: 0, top: 0, width: w, height: h }).ensureAlpha().raw().toBuffer());
    const diff = pixelmatch(await crop(png), await crop(ref), undefined, w, h, { threshold: opts.threshold ?? 0.15 });
    const extra = a.width * a.height + b.width * b.height - 2 * w * h;
    const share = (diff + extra) / Math.max(a.width * a.height, b.width * b.height);
    return check(name, share, opts.maxShare ?? MAX_SHARE, `size ${a.width}x${a.height} vs reference ${b.width}x${b.height}`);
  }
  const diff = Buffer.alloc(a.width * a.height * 4);
  const n = pixelmatch(a.data, b.data, diff, a.width, a.height, { threshold: opts.threshold ?? 0.15 });
  const share = n / (a.width * a.height);
  if (share > (opts.maxShare ?? MAX_SHARE)) await sharp(diff, { raw: { width: a.width, height: a.height, channels: 4 } }).png().toFile(join(ACTUAL, name.replace(/\.png$/, '.diff.png')));
  return check(name, share, opts.maxShare ?? MAX_SHARE, '');
}

function check(name: string, share: number, max: number, note: string): ShotResult {
  if (share > max) throw new Error(`${name} differs from its reference in ${(share * 100).toFixed(2)} % of pixels (tolerance ${(max * 100).toFixed(1)} %)${note ? `; ${note}` : ''}; see test/artifacts/screenshots/`);
  return { name, diffShare: share, note };
}
