/**
 * Write-time measurements for the COG writer (not a test). Run: node --import tsx test/unit/render/measure-geotiff-writer.ts
 */
import { writeGeoTiff, type GeoTiffWriteOptions } from '../../../server/render/geotiff-writer.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function measure(label: string, make: () => GeoTiffWriteOptions[], runs: number): void {
  const optsList = make();
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < runs + 1; r++) {
    const t0 = performance.now();
    bytes = optsList.reduce((n, o) => n + writeGeoTiff(o).length, 0);
    if (r > 0) times.push(performance.now() - t0); // first run warms up
  }
  console.log(`${label.padEnd(64)} median ${median(times).toFixed(1).padStart(8)} ms  (${runs} runs, ${(bytes / 1024).toFixed(0)} KiB)`);
}

function noise<T extends Uint8Array | Uint16Array | Float32Array>(a: T, width: number, scale: number): T {
  let s = 12345;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const x = i % width;
    const y = Math.floor(i / width);
    a[i] = Math.floor((Math.sin(x / 40) * Math.cos(y / 30) + 1) * 0.5 * scale * 0.9 + (s / 2 ** 32) * scale * 0.1);
  }
  return a;
}

const GT = [-6073587.958, 231.656, 0, -1278725.64, 0, -231.656] as const;
const sw = 254;
const sh = 144;
const cls = noise(new Uint8Array(sw * sh), sw, 6);
const conf = new Float32Array(sw * sh).map((_, i) => ((i * 37) % 1000) / 1000);
const palette: Array<[number, number, number]> = [[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48]];
const base = { width: sw, height: sh, geotransform: GT, epsg: 32722 };

measure('Sinop 254x144: class u8 (palette) + confidence f32, 2 files, tiled', () => [
  { ...base, bands: [cls], colorMap: palette },
  { ...base, bands: [conf] },
], 20);
measure('Sinop 254x144: same, tileSize "strip"', () => [
  { ...base, bands: [cls], colorMap: palette, tileSize: 'strip' },
  { ...base, bands: [conf], tileSize: 'strip' },
], 20);
measure('Sinop 254x144: one 2-band f32 file (class as float), tiled', () => [{ ...base, bands: [Float32Array.from(cls), conf] }], 20);

const big = 4096;
const u16 = noise(new Uint16Array(big * big), big, 10000); // 10% white noise: compresses poorly (worst case)
const smooth = new Uint16Array(big * big).map((_, i) => Math.round(5000 + 4000 * Math.sin((i % big) / 300) * Math.cos(i / big / 200)));
const bigBase = { width: big, height: big, geotransform: [500000, 10, 0, 8000000, 0, -10] as const, epsg: 32722 };
measure('4096x4096 u16, 1 band, deflate 6 + predictor, no overviews', () => [{ ...bigBase, bands: [u16] }], 3);
measure('4096x4096 u16, 1 band, deflate 6, overviews auto (average)', () => [{ ...bigBase, bands: [u16], overviews: { levels: 'auto', resampling: 'average' } }], 3);
measure('4096x4096 u16, 1 band, smooth data, deflate 6, no overviews', () => [{ ...bigBase, bands: [smooth] }], 3);
measure('4096x4096 u16, 1 band, deflate 1, no overviews', () => [{ ...bigBase, bands: [u16], deflateLevel: 1 }], 3);
measure('4096x4096 u16, 1 band, uncompressed', () => [{ ...bigBase, bands: [u16], compression: 'none' }], 3);
measure('4096x4096 u16, 4 bands, deflate 6, no overviews', () => [{ ...bigBase, bands: [u16, u16, u16, u16] }], 2);
