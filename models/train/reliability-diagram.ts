/**
 * The reliability diagram of a calibration (models/contract/calibration.ts) as a PNG: per confidence
 * bin, the fraction right (bars) against the diagonal of perfect calibration, before (outline) and
 * after temperature scaling (filled), with the ECE of each. Drawn as SVG and rasterised with sharp
 * (already a dependency), so the picture is plain vector maths, no charting library.
 */
import sharp from 'sharp';
import type { Calibration } from '../contract/calibration.js';

interface DiagramInput {
  title: string;
  before: Calibration;
  after: Calibration;
  temperature: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function reliabilitySvg(d: DiagramInput): string {
  const W = 640;
  const H = 560;
  const L = 70;
  const R = 20;
  const T = 60;
  const B = 70;
  const pw = W - L - R;
  const ph = H - T - B;
  const x = (v: number): number => L + v * pw;
  const yy = (v: number): number => T + (1 - v) * ph;
  const parts: string[] = [];
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${W / 2}" y="26" font-family="sans-serif" font-size="17" text-anchor="middle">${esc(d.title)}</text>`);
  parts.push(
    `<text x="${W / 2}" y="46" font-family="sans-serif" font-size="13" text-anchor="middle" fill="#444">` +
      `out-of-fold, ${d.after.bins.length} bins: ECE ${(d.before.ece * 100).toFixed(1)} % before, ${(d.after.ece * 100).toFixed(1)} % after (T = ${d.temperature})</text>`,
  );
  for (let g = 0; g <= 10; g++) {
    const v = g / 10;
    parts.push(`<line x1="${x(v)}" y1="${yy(0)}" x2="${x(v)}" y2="${yy(1)}" stroke="#eeeeee"/>`);
    parts.push(`<line x1="${x(0)}" y1="${yy(v)}" x2="${x(1)}" y2="${yy(v)}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${x(v)}" y="${yy(0) + 18}" font-family="sans-serif" font-size="11" text-anchor="middle">${v.toFixed(1)}</text>`);
    parts.push(`<text x="${x(0) - 8}" y="${yy(v) + 4}" font-family="sans-serif" font-size="11" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  for (const b of d.after.bins) {
    if (b.count === 0) continue;
    parts.push(`<rect x="${x(b.lo) + 1}" y="${yy(b.accuracy)}" width="${(b.hi - b.lo) * pw - 2}" height="${yy(0) - yy(b.accuracy)}" fill="#4477aa" fill-opacity="0.75"/>`);
  }
  for (const b of d.before.bins) {
    if (b.count === 0) continue;
    parts.push(`<rect x="${x(b.lo) + 1}" y="${yy(b.accuracy)}" width="${(b.hi - b.lo) * pw - 2}" height="${yy(0) - yy(b.accuracy)}" fill="none" stroke="#ee6677" stroke-width="2"/>`);
  }
  parts.push(`<line x1="${x(0)}" y1="${yy(0)}" x2="${x(1)}" y2="${yy(1)}" stroke="#222222" stroke-dasharray="6 4"/>`);
  parts.push(`<rect x="${x(0)}" y="${yy(1)}" width="${pw}" height="${ph}" fill="none" stroke="#222222"/>`);
  parts.push(`<text x="${W / 2}" y="${H - 30}" font-family="sans-serif" font-size="13" text-anchor="middle">top-class probability (confidence)</text>`);
  parts.push(`<text x="18" y="${T + ph / 2}" font-family="sans-serif" font-size="13" text-anchor="middle" transform="rotate(-90 18 ${T + ph / 2})">fraction correct</text>`);
  const lx = x(0) + 12;
  const ly = yy(1) + 14;
  parts.push(`<rect x="${lx}" y="${ly}" width="14" height="12" fill="#4477aa" fill-opacity="0.75"/><text x="${lx + 20}" y="${ly + 11}" font-family="sans-serif" font-size="12">calibrated</text>`);
  parts.push(`<rect x="${lx}" y="${ly + 20}" width="14" height="12" fill="none" stroke="#ee6677" stroke-width="2"/><text x="${lx + 20}" y="${ly + 31}" font-family="sans-serif" font-size="12">raw model</text>`);
  parts.push(`<line x1="${lx}" y1="${ly + 46}" x2="${lx + 14}" y2="${ly + 46}" stroke="#222" stroke-dasharray="4 3"/><text x="${lx + 20}" y="${ly + 50}" font-family="sans-serif" font-size="12">perfect calibration</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

/** PNG bytes of the diagram (deterministic for the same input and sharp version). */
export async function reliabilityPng(d: DiagramInput): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(reliabilitySvg(d))).png({ compressionLevel: 9 }).toBuffer());
}
