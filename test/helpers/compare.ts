/** Value-by-value comparison of Float32 rasters (NaN = nodata), and failure artifacts. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

interface DiffStats {
  total: number;
  /** pixels valid in both */
  bothValid: number;
  /** pixels NaN in both */
  bothNaN: number;
  /** NaN in exactly one of the two */
  maskMismatch: number;
  /** valid in both and not bit-identical (after Math.fround) */
  different: number;
  maxAbs: number;
  /** index of the pixel with the largest difference (-1 when none) */
  worst: number;
}

/** Compares two arrays of equal length; `scaleB` multiplies b (e.g. raw reference x 0.0001) rounded to Float32. */
export function diffStats(a: Float32Array, b: Float32Array, scaleB = 1): DiffStats {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  const s: DiffStats = { total: a.length, bothValid: 0, bothNaN: 0, maskMismatch: 0, different: 0, maxAbs: 0, worst: -1 };
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = Math.fround(b[i]! * scaleB);
    const nx = Number.isNaN(x);
    const ny = Number.isNaN(y);
    if (nx && ny) s.bothNaN++;
    else if (nx !== ny) s.maskMismatch++;
    else {
      s.bothValid++;
      if (x !== y) {
        s.different++;
        const d = Math.abs(x - y);
        if (d > s.maxAbs) {
          s.maxAbs = d;
          s.worst = i;
        }
      }
    }
  }
  return s;
}

/** One line for logs and reports: "65536/65536 identical, 0 mask mismatches, max |d| 0". */
export function describeStats(s: DiffStats): string {
  return `${s.bothValid - s.different}/${s.bothValid} valid pixels identical, ${s.bothNaN} NaN in both, ${s.maskMismatch} mask mismatches, max |diff| ${s.maxAbs.toPrecision(3)}`;
}

/**
 * Writes `<ARTIFACTS>/<dir>/`: actual.tif (the response bytes), diff.json (the summary) and diff.png
 * (black = equal, red = value differs, blue = NaN in only one). Never touches the references.
 */
export async function writeFailureArtifacts(dir: string, actualBytes: Uint8Array | null, summary: unknown, a?: Float32Array, b?: Float32Array, size = 256, scaleB = 1): Promise<string> {
  const out = join(ARTIFACTS, dir);
  await mkdir(out, { recursive: true });
  if (actualBytes) await writeFile(join(out, 'actual.tif'), actualBytes);
  await writeFile(join(out, 'diff.json'), JSON.stringify(summary, null, 2) + '\n');
  if (a && b && a.length === size * size) {
    const rgba = new Uint8Array(size * size * 4);
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = Math.fround(b[i]! * scaleB);
      const o = i * 4;
      rgba[o + 3] = 255;
      if (Number.isNaN(x) !== Number.isNaN(y)) rgba[o + 2] = 255;
      else if (!Number.isNaN(x) && x !== y) rgba[o] = 255;
    }
    await sharp(Buffer.from(rgba), { raw: { width: size, height: size, channels: 4 } }).png().toFile(join(out, 'diff.png'));
  }
  return out;
}
