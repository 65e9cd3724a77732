/**
 * Imagery tiles as PNG (lossless, the default), WebP or JPEG (lossy, much smaller for imagery; the
 * quality a parameter, as TiTiler offers). All three through sharp (libvips). JPEG has no alpha:
 * pixels without data are black there (colourised RGBA leaves them at 0, 0, 0).
 */
import { encodePng, emptyPng } from './png.js';
import { loadSharp } from './sharp.js';

export type ImageFormat = 'png' | 'webp' | 'jpg';

export const IMAGE_CONTENT_TYPE: Record<ImageFormat, string> = { png: 'image/png', webp: 'image/webp', jpg: 'image/jpeg' };

/** Default quality of the lossy formats (1-100). */
export const DEFAULT_QUALITY = 85;

export async function encodeImage(rgba: Uint8Array, width: number, height: number, format: ImageFormat, quality = DEFAULT_QUALITY): Promise<Buffer> {
  if (format === 'png') return encodePng(rgba, width, height);
  const sharp = loadSharp();
  const img = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } });
  if (format === 'webp') return img.webp({ quality, alphaQuality: 100, effort: 2 }).toBuffer();
  return img.removeAlpha().jpeg({ quality, mozjpeg: false }).toBuffer();
}

const empties = new Map<string, Promise<Buffer>>();
/** The deliberate answer for a tile with no data: transparent (PNG, WebP) or black (JPEG). */
export function emptyImage(size: number, format: ImageFormat, quality = DEFAULT_QUALITY): Promise<Buffer> {
  if (format === 'png') return emptyPng(size);
  const key = `${size}|${format}|${quality}`;
  let p = empties.get(key);
  if (!p) {
    p = encodeImage(new Uint8Array(size * size * 4), size, size, format, quality);
    empties.set(key, p);
  }
  return p;
}
