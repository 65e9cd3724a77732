/**
 * The PNG encoder (render/png.ts) checked by an independent decoder: sharp (libvips with libspng)
 * reads every tile back to exactly the RGBA given, and the file's chunks are well-formed (CRCs
 * recomputed here from the PNG specification's polynomial, not with the encoder's zlib.crc32).
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { emptyPng, encodePng } from '../../../server/render/png.js';

/** CRC-32 (ISO 3309, the PNG specification's sample code): table-driven, written from the spec. */
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (b: Uint8Array) => {
  let c = 0xffffffff;
  for (const x of b) c = TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

function chunks(png: Buffer): Array<{ type: string; length: number; crcOk: boolean }> {
  const out: Array<{ type: string; length: number; crcOk: boolean }> = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    out.push({ type, length, crcOk: crc(png.subarray(at + 4, at + 8 + length)) === png.readUInt32BE(at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

async function decode(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** A deterministic tile: noise, flat runs, transparent and half-transparent pixels. */
function tile(w: number, h: number): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  let s = 12345;
  for (let i = 0; i < w * h; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = i % w;
    rgba.set(x < w / 3 ? [s & 255, (s >>> 8) & 255, (s >>> 16) & 255, 255] : x < (2 * w) / 3 ? [10, 200, 30, 255] : [0, 0, 0, (s >>> 24) & 1 ? 128 : 0], i * 4);
  }
  return rgba;
}

describe('PNG encoding with Node zlib', () => {
  it.each([
    [256, 256],
    [512, 512],
    [7, 3],
  ])('decodes to the same %i x %i RGBA in an independent decoder', async (w, h) => {
    const rgba = tile(w, h);
    const png = await encodePng(rgba, w, h);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const c = chunks(png);
    expect(c.map((x) => x.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(c.every((x) => x.crcOk)).toBe(true);
    const d = await decode(png);
    expect([d.width, d.height, d.channels]).toEqual([w, h, 4]);
    expect(d.data.equals(Buffer.from(rgba))).toBe(true);
  });

  it('encodes a view into a larger buffer (an offset typed array) by its own bytes', async () => {
    const big = new Uint8Array(16 + 4 * 4 * 4);
    const view = big.subarray(16);
    view.fill(77);
    const d = await decode(await encodePng(view, 4, 4));
    expect(d.data.equals(Buffer.from(view))).toBe(true);
  });

  it('makes the empty tile fully transparent, small, and once', async () => {
    const a = await emptyPng(256);
    expect(a.length).toBeLessThan(1200);
    expect(await emptyPng(256)).toBe(a);
    const d = await decode(a);
    expect(d.data.every((v) => v === 0)).toBe(true);
  });

  it('refuses a buffer that is not width x height RGBA', async () => {
    await expect(encodePng(new Uint8Array(10), 2, 2)).rejects.toThrow(/RGBA/);
  });
});
