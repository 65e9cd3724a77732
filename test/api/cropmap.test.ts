/**
 * The bundled crop map (fixtures/cropmaps/sinop__granary-mlp-ndvi-evi.*, made by `granary cropmap
 * sinop` with the shipped model) against the live service: same model file, COG structure read back,
 * the same class per native pixel from the COG, from /api/point and from crop tiles, and polygons
 * whose areas add up to the raster's class areas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { booleanValid } from '@turf/turf';
import { fromArrayBuffer } from 'geotiff';
import type { FeatureCollection, Polygon } from 'geojson';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { FIXTURES, REPO } from '../helpers/test-app.js';
import { pixelAt } from '../../server/pipeline/point.js';
import { mercatorToLonLat, tileBounds3857 } from '../../server/geo/tile-grid.js';
import { hexToRgb } from '../../server/render/colormaps.js';
import type { Scene } from '../../server/catalog/scene.js';
import { checkContract } from '../helpers/contract.js';

const STEM = join(FIXTURES, 'cropmaps', 'sinop__granary-mlp-ndvi-evi');
const card = JSON.parse(readFileSync(join(REPO, 'models', 'granary-mlp-ndvi-evi.json'), 'utf8')) as { classes: Array<{ id: number; name: string; color: string }> };
let app: FastifyInstance;
let scene: Scene;
let classes: Uint8Array;
let width: number;

beforeAll(async () => {
  app = checkContract(await buildApp(loadConfig({ GRANARY_WORKERS: '1', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0' })));
  await app.ready();
  scene = await app.catalog.get('sinop');
  const buf = readFileSync(`${STEM}.tif`);
  const tiff = await fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  const image = await tiff.getImage();
  width = image.getWidth();
  classes = (await image.readRasters({ samples: [0] }))[0] as Uint8Array;
});
afterAll(async () => app.close());

describe('the bundled crop map', () => {
  it('was made by the shipped model file (regenerate with fixtures/scripts/build-catalog.sh if not)', () => {
    const sidecar = JSON.parse(readFileSync(`${STEM}.json`, 'utf8')) as { modelSha256: string; sceneId: string; confusionMatrix: number[][] };
    const sha = createHash('sha256').update(readFileSync(join(REPO, 'models', 'granary-mlp-ndvi-evi.onnx'))).digest('hex');
    expect(sidecar.modelSha256).toBe(sha);
    expect(sidecar.sceneId).toBe('sinop');
    expect(sidecar.confusionMatrix).toHaveLength(card.classes.length);
  });

  it('is a tiled, compressed GeoTIFF with class + confidence bands, nodata 255 and class names (read back)', async () => {
    const buf = readFileSync(`${STEM}.tif`);
    const tiff = await fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    const image = await tiff.getImage();
    expect([image.getWidth(), image.getHeight()]).toEqual([scene.grid.width, scene.grid.height]);
    expect(image.getSamplesPerPixel()).toBe(2);
    expect(image.isTiled).toBe(true);
    expect(image.getTileWidth()).toBe(256);
    expect(image.getFileDirectory().getValue('Compression')).toBe(8);
    expect(image.getGDALNoData()).toBe(255);
    const md = (await image.getGDALMetadata(0)) as Record<string, string>;
    expect(md.CLASS_NAMES).toBe(card.classes.map((c) => `${c.id}:${c.name}`).join(','));
    expect(image.getOrigin()[0]).toBeCloseTo(scene.grid.geotransform[0], 6);
    expect(readFileSync(`${STEM}.tif.aux.xml`, 'utf8')).toContain('<ColorInterp>Palette</ColorInterp>');
  });

  it.skipIf(!hasGdal())('is a valid COG to GDAL, which reads the colour table and the class names', () => {
    const info = JSON.parse(execFileSync('gdalinfo', ['-json', `${STEM}.tif`], { encoding: 'utf8' })) as { metadata: Record<string, Record<string, string>>; bands: Array<{ colorTable?: { count: number }; colorInterpretation: string }> };
    expect(info.metadata.IMAGE_STRUCTURE?.LAYOUT).toBe('COG');
    expect(info.bands[0]!.colorInterpretation).toBe('Palette');
    expect(info.bands[0]!.colorTable?.count).toBe(256);
  });

  it('gives every native pixel the class /api/point computes for it', async () => {
    const [ox, pw, , oy, , ph] = scene.grid.geotransform;
    const toWgs = (await import('../../server/geo/crs.js')).transformer(scene.crs.proj4, 'EPSG:4326');
    const variables = [...new Set(scene.assets.flatMap((a) => a.bands.map((b) => b.variable)))];
    expect(variables.length).toBeGreaterThan(1);
    let checked = 0;
    for (let k = 0; k < 40; k++) {
      const col = (k * 37 + 11) % scene.grid.width;
      const row = (k * 53 + 7) % scene.grid.height;
      const [lon, lat] = toWgs.forward([ox + (col + 0.5) * pw, oy + (row + 0.5) * ph]) as [number, number];
      const r = (await app.inject({ url: `/api/point?lon=${lon}&lat=${lat}&scene=sinop` })).json() as { pixel: { col: number; row: number }; crop: { class: { id: number } | null }; series: Record<string, unknown> };
      expect(r.pixel).toMatchObject({ col, row });
      // the series' variables in the scene's asset order every time (they once came in the order the reads finished)
      expect(Object.keys(r.series)).toEqual(variables);
      expect(r.crop.class?.id ?? 255).toBe(classes[row * width + col]);
      checked++;
    }
    expect(checked).toBe(40);
  });

  it('has the same class as the crop tiles at a zoom finer than the data (nearest), pixel by pixel', async () => {
    const palette = new Map(card.classes.map((c) => [hexToRgb(c.color).join(','), c.id]));
    const [z, x, y] = [13, 2834, 4364];
    const res = await app.inject({ url: `/tiles/sinop/crops/${z}/${x}/${y}.png` });
    expect(res.statusCode).toBe(200);
    const { data, info } = await sharp(res.rawPayload).raw().toBuffer({ resolveWithObject: true });
    const [minX, , maxX, maxY] = tileBounds3857(z, x, y);
    const res3857 = (maxX - minX) / 256;
    let compared = 0;
    let equal = 0;
    for (let j = 2; j < 256; j += 9) {
      for (let i = 2; i < 256; i += 9) {
        const o = (j * 256 + i) * info.channels;
        if (data[o + 3] === 0) continue;
        const [lon, lat] = mercatorToLonLat(minX + (i + 0.5) * res3857, maxY - (j + 0.5) * res3857);
        const px = pixelAt(scene, lon, lat);
        if (!px) continue;
        compared++;
        if (palette.get(`${data[o]},${data[o + 1]},${data[o + 2]}`) === classes[px.row * width + px.col]) equal++;
      }
    }
    expect(compared).toBeGreaterThan(500);
    // The tile samples on a grid interpolated to 1/8 px; a sample that close to a pixel edge may take the neighbour.
    expect(equal / compared).toBeGreaterThan(0.99);
  });

  it('has polygons that are valid, counter-clockwise, and add up to the raster class areas within 2 %', () => {
    const fc = JSON.parse(readFileSync(`${STEM}.polygons.geojson`, 'utf8')) as FeatureCollection<Polygon, { classId: number; areaHa: number; pixelAreaHa: number }>;
    const pixelHa = Math.abs(scene.grid.geotransform[1] * scene.grid.geotransform[5]) / 1e4;
    const rasterHa = new Map<number, number>();
    for (const c of classes) if (c !== 255) rasterHa.set(c, (rasterHa.get(c) ?? 0) + pixelHa);
    const polyHa = new Map<number, number>();
    const exactHa = new Map<number, number>();
    for (const f of fc.features) {
      expect(booleanValid(f)).toBe(true);
      const ring = f.geometry.coordinates[0]!;
      let a = 0;
      for (let i = 0; i < ring.length - 1; i++) a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
      expect(a).toBeGreaterThan(0); // exterior ring counter-clockwise (RFC 7946)
      polyHa.set(f.properties.classId, (polyHa.get(f.properties.classId) ?? 0) + f.properties.areaHa);
      exactHa.set(f.properties.classId, (exactHa.get(f.properties.classId) ?? 0) + f.properties.pixelAreaHa);
    }
    for (const [c, ha] of rasterHa) {
      expect(exactHa.get(c)).toBeCloseTo(ha, 1); // unsimplified: every pixel exactly once
      expect(Math.abs((polyHa.get(c) ?? 0) - ha) / ha).toBeLessThan(0.02); // simplified
    }
  });
});

function hasGdal(): boolean {
  try {
    execFileSync('gdalinfo', ['--version']);
    return true;
  } catch {
    return false;
  }
}
