/** Reading a screenshot's pixels (sharp decodes the PNG) inside a screen-space polygon. */
import sharp from 'sharp';

interface Raster {
  width: number;
  height: number;
  data: Buffer;
}

export async function decodePng(png: Buffer): Promise<Raster> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

const hexRgb = (c: string): [number, number, number] => {
  const h = c.replace('#', '');
  const f = h.length === 3 ? h.split('').map((x) => x + x).join('') : h;
  return [parseInt(f.slice(0, 2), 16), parseInt(f.slice(2, 4), 16), parseInt(f.slice(4, 6), 16)];
};

function inside(poly: Array<[number, number]>, x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/**
 * Share of the pixels inside `poly` (screen px, scaled by `dpr`) whose colour is within `tol`
 * (max channel difference) of one of `colors`, and how many pixels matched each colour.
 */
export function colourShare(r: Raster, poly: Array<[number, number]>, colors: string[], tol = 10, dpr = 1): { total: number; matched: number; share: number; perColor: Map<string, number> } {
  const rgb = colors.map(hexRgb);
  const xs = poly.map((p) => p[0] * dpr);
  const ys = poly.map((p) => p[1] * dpr);
  const scaled = poly.map(([x, y]) => [x * dpr, y * dpr] as [number, number]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(r.width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(r.height - 1, Math.ceil(Math.max(...ys)));
  let total = 0;
  let matched = 0;
  const perColor = new Map<string, number>();
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      if (!inside(scaled, x + 0.5, y + 0.5)) continue;
      total++;
      const i = (y * r.width + x) * 4;
      const k = rgb.findIndex((c) => Math.abs(c[0] - r.data[i]!) <= tol && Math.abs(c[1] - r.data[i + 1]!) <= tol && Math.abs(c[2] - r.data[i + 2]!) <= tol);
      if (k >= 0) {
        matched++;
        perColor.set(colors[k]!, (perColor.get(colors[k]!) ?? 0) + 1);
      }
    }
  return { total, matched, share: total ? matched / total : 0, perColor };
}
