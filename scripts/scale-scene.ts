/**
 * Builds a large test scene from the real Sinop MODIS pixels (fixtures/imagery/sinop, 254 x 144 px,
 * 23 dates of NDVI and EVI): the scene mirrored and tiled (every other copy flipped, so neighbouring
 * copies meet at mirrored edges and fields stay whole) to at least `--size` x `--size` pixels, written
 * as two tiled DEFLATE COGs with the source's CRS, pixel size, nodata and band dates. Never committed:
 * tests and benchmarks generate it into a temporary or data directory.
 *
 *   node --import tsx scripts/scale-scene.ts --size 4096 --out /tmp/scale [--id scale]
 *
 * Prints the two file paths; register them with
 *   granary scenes add <out>/scale_ndvi.tif <out>/scale_evi.tif --id scale --variable ndvi --variable evi --scale 0.0001
 * Generated pixels are real reflectance series, only their positions are synthetic: the scene's
 * geotransform continues the Sinop grid east and south, so its coordinates are not real places.
 */
import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fromFile } from 'geotiff';
import { writeGeoTiff, type GeoKeys } from '../server/render/geotiff-writer.js';
import { PACKAGE_ROOT } from '../server/config.js';

export const SINOP_FILES = {
  ndvi: resolve(PACKAGE_ROOT, 'fixtures/imagery/sinop/sinop_mod13q1_ndvi_2013-09-14_2014-08-29_cog.tif'),
  evi: resolve(PACKAGE_ROOT, 'fixtures/imagery/sinop/sinop_mod13q1_evi_2013-09-14_2014-08-29_cog.tif'),
};

/** Source index of output coordinate `x` when copies of length `n` alternate normal / mirrored. */
export const mirrored = (x: number, n: number) => {
  const copy = Math.floor(x / n);
  const local = x % n;
  return copy % 2 === 0 ? local : n - 1 - local;
};

export async function buildScaleScene(out: string, size: number): Promise<{ files: Record<'ndvi' | 'evi', string>; width: number; height: number }> {
  await mkdir(out, { recursive: true });
  const files = {} as Record<'ndvi' | 'evi', string>;
  let dims = { width: 0, height: 0 };
  for (const v of ['ndvi', 'evi'] as const) {
    const tiff = await fromFile(SINOP_FILES[v]);
    const img = await tiff.getImage();
    const w = img.getWidth();
    const h = img.getHeight();
    const W = Math.ceil(size / w) * w;
    const H = Math.ceil(size / h) * h;
    dims = { width: W, height: H };
    const src = (await img.readRasters({ interleave: false })) as unknown as Int16Array[];
    const descriptions: string[] = [];
    for (let b = 0; b < src.length; b++) descriptions.push(((await img.getGDALMetadata(b)) as Record<string, string> | null)?.['DESCRIPTION'] ?? '');
    const colOf = Int32Array.from({ length: W }, (_, x) => mirrored(x, w));
    const bands = src.map((s) => {
      const o = new Int16Array(W * H);
      for (let y = 0; y < H; y++) {
        const sr = mirrored(y, h) * w;
        const or = y * W;
        for (let x = 0; x < W; x++) o[or + x] = s[sr + colOf[x]!]!;
      }
      return o;
    });
    const [ox, oy] = img.getOrigin() as [number, number];
    const [px, py] = img.getResolution() as [number, number];
    const nodata = img.getGDALNoData();
    const bytes = writeGeoTiff({
      width: W,
      height: H,
      bands,
      tileSize: 256,
      compression: 'deflate',
      deflateLevel: 1,
      geotransform: [ox, px, 0, oy, 0, py],
      geoKeys: img.getGeoKeys() as unknown as GeoKeys,
      ...(nodata !== null ? { nodata } : {}),
      gdalMetadata: { items: { SOURCE: `Sinop MOD13Q1 ${v} mirrored and tiled to ${W}x${H} (scripts/scale-scene.ts)` }, bands: descriptions.map((d) => ({ description: d })) },
    });
    files[v] = join(out, `scale_${v}.tif`);
    await writeFile(files[v], bytes);
  }
  return { files, ...dims };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '4096' }, out: { type: 'string' } } });
  if (!values.out) throw new Error('usage: scale-scene.ts --size 4096 --out <dir>');
  const r = await buildScaleScene(resolve(values.out), Number(values.size));
  console.log(`${r.width}x${r.height}: ${r.files.ndvi} ${r.files.evi}`);
}
