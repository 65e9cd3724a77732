/**
 * The bounded decoders (server/raster/decoders.ts) decode real files exactly: GDAL writes the same
 * raster with each accepted compression (LZW, PackBits, DEFLATE with predictor, LERC, LERC+DEFLATE,
 * JPEG), and every pixel read through the service's reader equals GDAL's uncompressed copy (JPEG:
 * equals GDAL's own decoding of the JPEG file, checked through a raw dump). Plus the bounds
 * themselves, on hand-made streams.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCog } from '../../server/raster/cog.js';
import { openSource } from '../../server/raster/source.js';
import { readWindow } from '../../server/raster/read-window.js';
import { BlockCache } from '../../server/raster/block-cache.js';
import { decodeLzw, decodePackBits, jpegFrameSize, checkLercBlobs } from '../../server/raster/decoders.js';
import { GranaryError } from '../../server/errors.js';
import { SINOP_NDVI } from '../helpers/test-app.js';
import { encodeLzw, packBitsBomb, lercConstant } from './hostile-cogs.js';

const hasGdal = spawnSync('gdal_translate', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'granary-decoders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, bands = 1): Promise<Float32Array[]> {
  const h = await openCog(await openSource(path, { readRoots: [dir], remoteHosts: [], remoteTimeoutMs: 1000 }));
  try {
    return await readWindow(h, 0, [0, 0, h.info.width, h.info.height], Array.from({ length: bands }, (_, b) => ({ sample: b, scale: 1, offset: 0, nodata: null })), new BlockCache(64 << 20));
  } finally {
    await h.source.close();
  }
}

function gdal(args: string[]): void {
  execFileSync('gdal_translate', ['-q', ...args]);
}

describe.skipIf(!hasGdal)('bounded decoders against GDAL-written files', () => {
  const src = join(dir, 'src.tif');
  const plain = join(dir, 'plain.tif');
  it('prepares: 3 bands of the Sinop NDVI (int16), tiled 256 (partial edge tiles)', () => {
    gdal(['-b', '1', '-b', '2', '-b', '3', '-co', 'TILED=YES', SINOP_NDVI, src]);
    gdal(['-co', 'TILED=YES', '-co', 'COMPRESS=NONE', src, plain]);
  });

  it.each([
    ['LZW', ['-co', 'COMPRESS=LZW']],
    ['LZW + horizontal predictor', ['-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2']],
    ['PackBits', ['-co', 'COMPRESS=PACKBITS']],
    ['DEFLATE + predictor', ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2']],
    ['LERC (lossless)', ['-co', 'COMPRESS=LERC', '-co', 'MAX_Z_ERROR=0']],
    ['LERC+DEFLATE (lossless)', ['-co', 'COMPRESS=LERC_DEFLATE', '-co', 'MAX_Z_ERROR=0']],
    ['LZW band-separate', ['-co', 'COMPRESS=LZW', '-co', 'INTERLEAVE=BAND']],
  ])('%s decodes to exactly the uncompressed values', async (name, co) => {
    const out = join(dir, `${name.replace(/\W+/g, '_')}.tif`);
    gdal(['-co', 'TILED=YES', ...co, src, out]);
    const [a, b] = await Promise.all([readAll(out, 3), readAll(plain, 3)]);
    for (let k = 0; k < 3; k++) expect(Buffer.from(a[k]!.buffer).equals(Buffer.from(b[k]!.buffer)), `${name} band ${k + 1}`).toBe(true);
  });

  it('JPEG (8-bit) decodes to the values GDAL decodes', async () => {
    const byte = join(dir, 'byte.tif');
    const jpeg = join(dir, 'jpeg.tif');
    const raw = join(dir, 'jpeg.raw');
    gdal(['-b', '1', '-ot', 'Byte', '-scale', '-2000', '10000', '0', '255', '-co', 'TILED=YES', SINOP_NDVI, byte]);
    gdal(['-co', 'TILED=YES', '-co', 'COMPRESS=JPEG', byte, jpeg]);
    gdal(['-of', 'ENVI', jpeg, raw]);
    const [ours] = await readAll(jpeg);
    const theirs = readFileSync(raw);
    expect(ours!.length).toBe(theirs.length);
    let maxDiff = 0;
    for (let i = 0; i < theirs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours![i]! - theirs[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1); // two IDCT implementations may round differently by one
  });
});

const refused = (f: () => unknown, re: RegExp) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GranaryError);
    expect((e as GranaryError).status).toBe(422);
    expect((e as Error).message).toMatch(re);
    return;
  }
  throw new Error('expected a refusal');
};

describe('decoder output budgets', () => {
  it('LZW: round trip within the budget; a stream longer than the budget is refused, never grown', () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 251);
    expect(Buffer.from(decodeLzw(encodeLzw(data), data.length)).equals(Buffer.from(data))).toBe(true);
    refused(() => decodeLzw(encodeLzw(new Uint8Array(1 << 20)), 65_536), /LZW block decodes to more than its 65536 bytes/);
  });

  it('PackBits: a 64x expansion past the budget is refused', () => {
    expect(decodePackBits(Uint8Array.from([2, 1, 2, 3, 0xfe, 9]), 6)).toEqual(Uint8Array.from([1, 2, 3, 9, 9, 9]));
    refused(() => decodePackBits(packBitsBomb(1 << 20), 65_536), /PackBits block decodes to more than its 65536 bytes/);
  });

  it('JPEG frame header is read before decoding', () => {
    const sof = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x40, 0x00, 0x40, 0x00, 1, 1, 0x11, 0]);
    expect(jpegFrameSize(sof)).toEqual({ width: 16384, height: 16384, components: 1 });
  });

  it('LERC: a blob declaring more than the block is refused from its header', () => {
    expect(() => checkLercBlobs(lercConstant(256, 256, 3), 256, 256, 65_536)).not.toThrow();
    refused(() => checkLercBlobs(lercConstant(16384, 16384, 3), 256, 256, 65_536), /16384x16384 raster in a 256x256 block/);
  });
});
