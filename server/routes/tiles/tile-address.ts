/** Parses and range-checks z/x/y[@2x].ext from route parameters. */
import { badRequest } from '../../errors.js';

interface ParsedTile {
  z: number;
  x: number;
  y: number;
  size: number;
  format: TileFormat;
}

export type TileFormat = 'png' | 'tif' | 'webp' | 'jpg';

export function parseTile(p: { z: string; x: string; y: string }, maxZoom: number, formats: readonly TileFormat[] = ['png', 'tif', 'webp', 'jpg'], formatParam?: string): ParsedTile {
  const m = /^(\d+)(@2x)?\.(png|tif|webp|jpg)$/.exec(p.y);
  if (!m) throw badRequest(`tile row "${p.y.slice(0, 40)}" must look like 12.png, 12@2x.png, 12.webp, 12.jpg or 12.tif`);
  const z = Number(p.z);
  const x = Number(p.x);
  const y = Number(m[1]);
  let format = m[3] as TileFormat;
  if (formatParam !== undefined) {
    // format=webp|jpg|png re-encodes an image tile (the extension stays a placeholder for map clients)
    if (format === 'tif') throw badRequest('format applies to image tiles (.png, .webp, .jpg), not .tif');
    if (!['png', 'webp', 'jpg'].includes(formatParam)) throw badRequest(`format "${formatParam.slice(0, 20)}" must be png, webp or jpg`);
    format = formatParam as TileFormat;
  }
  if (!formats.includes(format)) throw badRequest(`.${format} tiles are not available on this route (use ${formats.map((f) => '.' + f).join(' or ')})`);
  if (format === 'tif' && m[2]) throw badRequest('@2x applies to image tiles (PNG, WebP, JPEG) only');
  if (!Number.isInteger(z) || z < 0 || z > maxZoom) throw badRequest(`zoom ${p.z} is outside 0..${maxZoom}`);
  const n = 2 ** z;
  if (x >= n || y >= n) throw badRequest(`tile ${z}/${x}/${y} is outside the grid: x and y must be below ${n} at zoom ${z}`);
  return { z, x, y, size: m[2] ? 512 : 256, format };
}
