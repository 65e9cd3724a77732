import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArrayBuffer, type GeoTIFF } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { assertClassicTiffSize, writeGeoTiff, type GeoTiffWriteOptions, type RasterArray } from '../../../server/render/geotiff-writer.js';
import { readTiffStructure } from './tiff-structure.js';

const SINOP = new URL('../../../fixtures/imagery/sinop/sinop_mod13q1_ndvi_2013-09-14_2014-08-29_cog.tif', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'granary-geotiff-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = (buf: Buffer): Promise<GeoTIFF> =>
  fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);

async function readBands(buf: Buffer, index = 0): Promise<RasterArray[]> {
  const image = await (await open(buf)).getImage(index);
  return (await image.readRasters()) as unknown as RasterArray[];
}

type Ctor = new (n: number) => RasterArray;
const DTYPES: Array<[string, Ctor, number, number]> = [
  ['Uint8', Uint8Array, 0, 255],
  ['Uint16', Uint16Array, 0, 65535],
  ['Int16', Int16Array, -32768, 32767],
  ['Uint32', Uint32Array, 0, 4294967295],
  ['Int32', Int32Array, -2147483648, 2147483647],
  ['Float32', Float32Array, -1e30, 1e30],
  ['Float64', Float64Array, -1e300, 1e300],
];

/** Deterministic noise with extremes, smooth areas and (floats) NaN/-0/Infinity. */
function makeBand(Type: Ctor, width: number, height: number, seed: number, min: number, max: number): RasterArray {
  const a = new Type(width * height);
  const float = a instanceof Float32Array || a instanceof Float64Array;
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 2 ** 32;
    const x = i % width;
    if (i % 97 === 0) a[i] = min;
    else if (i % 89 === 0) a[i] = max;
    else if (float && i % 83 === 0) a[i] = [Number.NaN, -0, Infinity, -Infinity][i % 4] as number;
    else if (x < width / 2) a[i] = float ? (x - width / 4) * 0.37 + (i % 7) : Math.floor(min + ((x * 13 + i / width) % 50));
    else a[i] = float ? (r - 0.5) * 1e6 : Math.floor(min + r * (max - min + 1));
  }
  return a;
}

function expectSameSamples(actual: RasterArray, expected: RasterArray): void {
  expect(actual.constructor).toBe(expected.constructor);
  expect(actual.length).toBe(expected.length);
  const bytesA = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const bytesE = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  expect(bytesA.equals(bytesE)).toBe(true); // bit-exact, so NaN and -0 count too
}

const GT = [500000, 10, 0, 8000000, 0, -10] as const;

describe('writeGeoTiff round-trips through geotiff.js', () => {
  for (const [name, Type, min, max] of DTYPES) {
    for (const planar of [1, 2] as const) {
      for (const compression of ['deflate', 'none'] as const) {
        it(`${name}, planar ${planar}, ${compression}: values equal (edge tiles)`, async () => {
          const width = 301;
          const height = 173;
          const bands = [0, 1, 2].map((b) => makeBand(Type, width, height, 7 + b, min, max));
          const buf = writeGeoTiff({ width, height, bands, planarConfiguration: planar, compression, tileSize: 64, geotransform: GT, epsg: 32722 });
          const image = await (await open(buf)).getImage();
          expect([image.getWidth(), image.getHeight(), image.getSamplesPerPixel()]).toEqual([width, height, 3]);
          expect([image.getTileWidth(), image.getTileHeight()]).toEqual([64, 64]);
          const back = await readBands(buf);
          bands.forEach((b, i) => expectSameSamples(back[i] as RasterArray, b));
        });
      }
    }
  }

  it('writes a single strip when tileSize is "strip"', async () => {
    const cls = makeBand(Uint8Array, 256, 256, 1, 0, 255);
    const buf = writeGeoTiff({ width: 256, height: 256, bands: [cls], tileSize: 'strip', geotransform: GT, epsg: 3857 });
    const { ifds } = readTiffStructure(buf);
    expect(ifds).toHaveLength(1);
    expect(ifds[0]?.tags.has(322)).toBe(false);
    expect(ifds[0]?.tags.get(278)).toEqual([256]);
    expectSameSamples((await readBands(buf))[0] as RasterArray, cls);
  });

  it('keeps georeferencing: origin, resolution and EPSG geokeys', async () => {
    const band = new Uint16Array(40 * 30).fill(7);
    const projected = await (await open(writeGeoTiff({ width: 40, height: 30, bands: [band], geotransform: GT, epsg: 32722 }))).getImage();
    expect(projected.getOrigin()).toEqual([500000, 8000000, 0]);
    expect(projected.getResolution()).toEqual([10, -10, 0]);
    expect(projected.getGeoKeys()).toEqual({ GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32722 });
    const geographic = await (await open(writeGeoTiff({ width: 40, height: 30, bands: [band], geotransform: [-56, 0.01, 0, -11, 0, -0.01], epsg: 4326 }))).getImage();
    expect(geographic.getGeoKeys()).toEqual({ GTModelTypeGeoKey: 2, GTRasterTypeGeoKey: 1, GeographicTypeGeoKey: 4326 });
    expect(geographic.getBoundingBox()).toEqual([-56, expect.closeTo(-11.3, 9), expect.closeTo(-55.6, 9), -11]);
  });

  it('copies the Sinop MODIS sinusoidal geokeys verbatim (ascii and double params)', async () => {
    const source = await (await open(readFileSync(SINOP))).getImage();
    const geoKeys = source.getGeoKeys() ?? {};
    expect(geoKeys.ProjCoordTransGeoKey).toBe(24);
    const buf = writeGeoTiff({ width: 20, height: 10, bands: [new Int16Array(200)], geoKeys, geotransform: [-6073587.958, 231.656, 0, -1278725.64, 0, -231.656] });
    const copy = await (await open(buf)).getImage();
    expect(copy.getGeoKeys()).toEqual(geoKeys);
  });

  it('writes nodata, GDAL metadata and band descriptions', async () => {
    const buf = writeGeoTiff({
      width: 8, height: 8, bands: [new Uint8Array(64), new Uint8Array(64)], nodata: 255,
      gdalMetadata: {
        items: { MODEL: 'crop <v1> & "co"' },
        bands: [{ description: 'class', items: { CLASS_NAMES: 'soy,maize,pasture' } }, { description: 'confidence', scale: 0.01 }],
      },
    });
    const image = await (await open(buf)).getImage();
    expect(image.getGDALNoData()).toBe(255);
    expect(await image.getGDALMetadata()).toEqual({ MODEL: 'crop &lt;v1&gt; &amp; &quot;co&quot;' }); // geotiff.js does not unescape
    expect(await image.getGDALMetadata(0)).toEqual({ CLASS_NAMES: 'soy,maize,pasture', DESCRIPTION: 'class' });
    expect(await image.getGDALMetadata(1)).toEqual({ SCALE: '0.01', DESCRIPTION: 'confidence' });
    const nan = writeGeoTiff({ width: 4, height: 4, bands: [new Float32Array(16)], nodata: Number.NaN });
    expect(readTiffStructure(nan).ifds[0]?.tags.get(42113)).toBe('nan');
  });

  it('pads edge tiles with nodata', () => {
    const buf = writeGeoTiff({ width: 20, height: 18, bands: [new Int16Array(20 * 18).fill(5)], tileSize: 16, compression: 'none', nodata: -9999 });
    const ifd = readTiffStructure(buf).ifds[0];
    const last = ifd?.blockOffsets.at(-1) as number;
    const tile = new Int16Array(buf.buffer.slice(buf.byteOffset + last, buf.byteOffset + last + 16 * 16 * 2));
    expect(tile[0]).toBe(5); // pixel (16, 16)
    expect(tile[3]).toBe(5); // pixel (19, 16)
    expect(tile[4]).toBe(-9999); // column 20: padding
    expect(tile[2 * 16]).toBe(-9999); // row 18: padding
  });
});

describe('overviews', () => {
  // 6x5 hand-made classes; 255 = nodata.
  // prettier-ignore
  const classes = Uint8Array.from([
    1, 1,   2, 3,   4, 4,
    1, 2,   3, 2,   5, 6,

    7, 255, 9, 9,   255, 255,
    8, 255, 8, 9,   255, 255,

    3, 2,   0, 0,   1, 255,
  ]);

  // Uint8 takes the histogram path, the other types the sorting path.
  for (const Type of [Uint8Array, Int16Array, Float32Array]) {
    it(`'mode' takes the most frequent valid value, ties to the smallest, edges clipped (${Type.name})`, async () => {
      const band = Type.from(classes);
      const buf = writeGeoTiff({ width: 6, height: 5, bands: [band], nodata: 255, tileSize: 16, overviews: { levels: [2, 4], resampling: 'mode' } });
      const tiff = await open(buf);
      expect(await tiff.getImageCount()).toBe(3);
      const o2 = await tiff.getImage(1);
      expect([o2.getWidth(), o2.getHeight()]).toEqual([3, 3]);
      expect(Array.from((await o2.readRasters())[0] as RasterArray)).toEqual([1, 2, 4, 7, 9, 255, 2, 0, 1]);
      const o4 = await tiff.getImage(2);
      expect([o4.getWidth(), o4.getHeight()]).toEqual([2, 2]);
      // block (0,0): 1,1,2,3,1,2,3,2,7,9,9,8,8,9 -> 1,2,9 appear 3 times -> 1; block (1,0): 4,4,5,6 -> 4
      expect(Array.from((await o4.readRasters())[0] as RasterArray)).toEqual([1, 4, 0, 1]);
    });
  }

  it("'average' ignores nodata and NaN; 'nearest' takes the top-left pixel", async () => {
    const values = Float32Array.from([1, 2, 3, Number.NaN, -9, 3, 7, 8, -9, -9, 0, 1, 2, 3, 4, 5]);
    const avg = writeGeoTiff({ width: 4, height: 4, bands: [values], nodata: -9, overviews: { levels: [2], resampling: 'average' } });
    expect(Array.from((await readBands(avg, 1))[0] as Float32Array)).toEqual([2, 6, 2.5, 2.5]);
    const ints = Uint16Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const near = writeGeoTiff({ width: 3, height: 3, bands: [ints], overviews: { levels: [2], resampling: 'nearest' } });
    expect(Array.from((await readBands(near, 1))[0] as Uint16Array)).toEqual([1, 3, 7, 9]);
    const avgInt = writeGeoTiff({ width: 3, height: 3, bands: [ints], overviews: { levels: [2], resampling: 'average' } });
    expect(Array.from((await readBands(avgInt, 1))[0] as Uint16Array)).toEqual([3, 5, 8, 9]); // 3, 4.5->5, 7.5->8, 9
  });

  it("'auto' halves until the overview fits in a tile; overviews are reduced-resolution subfiles", async () => {
    const buf = writeGeoTiff({ width: 1000, height: 600, bands: [new Uint8Array(600000)], overviews: { levels: 'auto' } });
    const tiff = await open(buf);
    const sizes = [];
    for (let i = 0; i < (await tiff.getImageCount()); i++) {
      const image = await tiff.getImage(i);
      sizes.push([image.getWidth(), image.getHeight()]);
    }
    expect(sizes).toEqual([[1000, 600], [500, 300], [250, 150]]);
    expect(readTiffStructure(buf).ifds.map((d) => d.tags.get(254)?.[0] ?? 0)).toEqual([0, 1, 1]);
  });
});

describe('COG layout', () => {
  const width = 700;
  const height = 520;
  const buf = writeGeoTiff({
    width, height, bands: [makeBand(Uint16Array, width, height, 3, 0, 65535), makeBand(Uint16Array, width, height, 4, 0, 65535)],
    tileSize: 128, geotransform: GT, epsg: 32722, overviews: { levels: 'auto', resampling: 'average' },
  });
  const { ifds, ghost } = readTiffStructure(buf);

  it('puts all IFDs first (full resolution, then decreasing overviews), then data from the smallest overview', () => {
    expect(ghost).toContain('LAYOUT=IFDS_BEFORE_DATA');
    expect(ifds.map((d) => d.tags.get(256)?.[0])).toEqual([700, 350, 175, 88]);
    const offsets = ifds.map((d) => d.offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    const firstData = Math.min(...ifds.flatMap((d) => d.blockOffsets));
    expect(Math.max(...ifds.map((d) => d.tableEnd))).toBeLessThan(firstData);
    // data order: smallest overview first, full resolution last, ascending within each image
    for (const d of ifds) expect([...d.blockOffsets].sort((a, b) => a - b)).toEqual(d.blockOffsets);
    for (let i = 0; i + 1 < ifds.length; i++) {
      expect(Math.min(...(ifds[i]?.blockOffsets ?? []))).toBeGreaterThan(Math.max(...(ifds[i + 1]?.blockOffsets ?? [])));
    }
  });

  it('writes the block leaders and trailers the ghost area announces', () => {
    expect(ghost).toContain('BLOCK_LEADER=SIZE_AS_UINT4');
    expect(ghost).toContain('BLOCK_TRAILER=LAST_4_BYTES_REPEATED');
    for (const d of ifds) {
      d.blockOffsets.forEach((offset, i) => {
        const count = d.blockByteCounts[i] as number;
        expect(buf.readUInt32LE(offset - 4)).toBe(count);
        expect(buf.subarray(offset + count, offset + count + 4).equals(buf.subarray(offset + count - 4, offset + count))).toBe(true);
      });
    }
  });
});

describe('argument checks', () => {
  const base: GeoTiffWriteOptions = { width: 4, height: 4, bands: [new Uint8Array(16)] };
  it('rejects bad inputs with clear errors', () => {
    expect(() => writeGeoTiff({ ...base, bands: [new Uint8Array(16), new Uint16Array(16)] })).toThrow(TypeError);
    expect(() => writeGeoTiff({ ...base, bands: [new Uint8Array(15)] })).toThrow(RangeError);
    expect(() => writeGeoTiff({ ...base, bands: [new Uint8Array(16), new Uint8Array(16)], colorMap: [[0, 0, 0]] })).toThrow(/exactly one Uint8 band/);
    expect(() => writeGeoTiff({ ...base, nodata: 300 })).toThrow(RangeError);
    expect(() => writeGeoTiff({ ...base, tileSize: 100 })).toThrow(RangeError);
    expect(() => writeGeoTiff({ ...base, epsg: 4326, geoKeys: {} })).toThrow(TypeError);
    expect(() => writeGeoTiff({ ...base, geoKeys: { NotAGeoKey: 1 } })).toThrow(/unknown GeoKey/);
    expect(() => writeGeoTiff({ ...base, overviews: { levels: [1] } })).toThrow(RangeError);
  });
  it('refuses files beyond the classic TIFF 4 GiB limit', () => {
    expect(() => assertClassicTiffSize(2 ** 32)).toThrow(RangeError);
    expect(() => assertClassicTiffSize(2 ** 32 - 1)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// GDAL checks (gdal-bin on PATH; the COG validator when python3-gdal is installed).

const hasGdal = spawnSync('gdalinfo', ['--version'], { encoding: 'utf8' }).status === 0;
const VALIDATOR = 'osgeo_utils.samples.validate_cloud_optimized_geotiff';
const validatorPython = hasGdal
  ? ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', `import ${VALIDATOR}`]).status === 0)
  : undefined;

function gdalinfo(path: string): any {
  const r = spawnSync('gdalinfo', ['-json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gdalinfo failed: ${r.stderr}`);
  expect(r.stderr).toBe(''); // no warnings
  return JSON.parse(r.stdout);
}

function save(name: string, buf: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, buf);
  return path;
}

/** The samples GDAL decodes, band-sequential, as raw bytes (via gdal_translate -of ENVI). */
function gdalRaw(path: string): Buffer {
  const out = `${path}.bil`;
  const r = spawnSync('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', path, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gdal_translate failed: ${r.stderr}`);
  return readFileSync(out);
}

describe.skipIf(!hasGdal)('GDAL reads the written files', () => {
  const width = 700;
  const height = 520;
  const cls = new Uint8Array(width * height);
  for (let i = 0; i < cls.length; i++) cls[i] = (i % width >> 5) % 4 === 0 ? 255 : ((i * 7) >> 9) % 6;
  const conf = makeBand(Float32Array, width, height, 12, 0, 1);
  const path = save('class-confidence.tif', writeGeoTiff({
    width, height, bands: [cls, makeBand(Uint8Array, width, height, 13, 0, 100)], geotransform: GT, epsg: 32722, nodata: 255,
    gdalMetadata: { items: { PRODUCT: 'crop map' }, bands: [{ description: 'class', items: { CLASS_NAMES: 'soy,maize' } }, { description: 'confidence' }] },
    overviews: { levels: 'auto', resampling: 'mode' },
  }));

  it('reports CRS, geotransform, nodata, descriptions, overviews and LAYOUT=COG', () => {
    const info = gdalinfo(path);
    expect(info.coordinateSystem.wkt).toMatch(/ID\["EPSG",32722\]\]$/);
    expect(info.geoTransform).toEqual([...GT]);
    expect(info.metadata[''].PRODUCT).toBe('crop map');
    expect(info.metadata.IMAGE_STRUCTURE).toMatchObject({ COMPRESSION: 'DEFLATE', INTERLEAVE: 'PIXEL', PREDICTOR: '2', LAYOUT: 'COG' });
    expect(info.bands.map((b: any) => b.description)).toEqual(['class', 'confidence']);
    expect(info.bands.map((b: any) => b.noDataValue)).toEqual([255, 255]);
    expect(info.bands[0].metadata['']).toEqual({ CLASS_NAMES: 'soy,maize' });
    expect(info.bands[0].overviews.map((o: any) => o.size)).toEqual([[350, 260], [175, 130]]);
  });

  it('reads rotated geotransforms (ModelTransformation) and PixelIsPoint files back to the same geotransform', () => {
    const band = new Uint8Array(100);
    const rotated = save('rotated.tif', writeGeoTiff({ width: 10, height: 10, bands: [band], epsg: 32722, geotransform: [500000, 10, 2, 8000000, 1, -10] }));
    expect(gdalinfo(rotated).geoTransform).toEqual([500000, 10, 2, 8000000, 1, -10]);
    const geoKeys = { GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 2, ProjectedCSTypeGeoKey: 32722 };
    const point = gdalinfo(save('point.tif', writeGeoTiff({ width: 10, height: 10, bands: [band], geoKeys, geotransform: GT })));
    expect(point.geoTransform).toEqual([...GT]);
    expect(point.metadata[''].AREA_OR_POINT).toBe('Point');
  });

  it('reads a palette (single Uint8 band) as a color table', () => {
    const p = save('palette.tif', writeGeoTiff({ width, height, bands: [cls], colorMap: [[230, 25, 75], [60, 180, 75], [255, 225, 25]], epsg: 4326, geotransform: [-56, 0.001, 0, -11, 0, -0.001], overviews: { levels: [2], resampling: 'mode' } }));
    const band = gdalinfo(p).bands[0];
    expect(band.colorInterpretation).toBe('Palette');
    expect(band.colorTable.count).toBe(256);
    expect(band.colorTable.entries.slice(0, 4)).toEqual([[230, 25, 75, 255], [60, 180, 75, 255], [255, 225, 25, 255], [0, 0, 0, 255]]);
    expect(gdalinfo(p).coordinateSystem.wkt).toMatch(/ID\["EPSG",4326\]\]$/);
  });

  for (const [name, Type, min, max] of DTYPES) {
    for (const planar of [1, 2] as const) {
      it(`decodes ${name} planar ${planar} (predictor ${name.startsWith('Float') ? 3 : 2}) to the same samples`, () => {
        const bands = [makeBand(Type, 300, 200, 21, min, max), makeBand(Type, 300, 200, 22, min, max)];
        const p = save(`${name}-${planar}.tif`, writeGeoTiff({ width: 300, height: 200, bands, planarConfiguration: planar, tileSize: 128, overviews: { levels: [2] } }));
        const expected = Buffer.concat(bands.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
        expect(gdalRaw(p).equals(expected)).toBe(true);
      });
    }
  }

  it('reports the same CRS as the source after copying the Sinop geokeys', async () => {
    const source = await (await open(readFileSync(SINOP))).getImage();
    const [ox, oy] = source.getOrigin() as [number, number];
    const [rx, ry] = source.getResolution() as [number, number];
    const bands = (await source.readRasters({ samples: [0, 1] })) as unknown as Int16Array[];
    const p = save('sinop-copy.tif', writeGeoTiff({ width: source.getWidth(), height: source.getHeight(), bands, geoKeys: source.getGeoKeys() ?? {}, geotransform: [ox, rx, 0, oy, 0, ry] }));
    const copy = gdalinfo(p);
    const original = gdalinfo(SINOP.pathname);
    expect(copy.coordinateSystem.wkt).toBe(original.coordinateSystem.wkt);
    expect(copy.coordinateSystem.wkt).toContain('Sinusoidal');
    expect(copy.geoTransform).toEqual(original.geoTransform);
  });

  it.skipIf(!validatorPython)('passes GDAL validate_cloud_optimized_geotiff --full-check=yes', () => {
    const files = [path, save('f32-band.tif', writeGeoTiff({ width, height, bands: [conf, conf], planarConfiguration: 2, nodata: Number.NaN, overviews: { levels: 'auto', resampling: 'average' } })), save('strip.tif', writeGeoTiff({ width: 256, height: 256, bands: [new Uint8Array(65536)], tileSize: 'strip' }))];
    for (const f of files) {
      const r = spawnSync(validatorPython as string, ['-m', VALIDATOR, '--full-check=yes', f], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toContain('is a valid cloud optimized GeoTIFF');
      expect(r.stdout).not.toContain('warnings');
      expect(r.status).toBe(0);
    }
  });
});
