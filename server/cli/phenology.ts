/**
 * granary phenology <sceneId> [--variable ndvi] [--samples <csv>] [--fraction 0.2] [--min-amplitude 0.1]
 * Start-of-season product of a scene (server/phenology/build.ts), registered as scene <sceneId>-sos.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { sourcePolicy } from '../raster/source-policy.js';
import { Catalog } from '../catalog/catalog.js';
import { inspectScene } from '../catalog/inspect.js';
import { createRasterContext } from '../workers/raster-context.js';
import { loadRegions } from '../regions/load.js';
import { regionLookup } from '../regions/point-lookup.js';
import { buildPhenology } from '../phenology/build.js';
import { SOS_NODATA } from '../phenology/grid.js';
import { GranaryError } from '../errors.js';

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { variable: { type: 'string', default: 'ndvi' }, samples: { type: 'string' }, fraction: { type: 'string' }, 'min-amplitude': { type: 'string' } },
  });
  const sceneId = positionals[0];
  if (!sceneId || positionals.length > 1) throw new GranaryError('bad-request', 'usage: granary phenology <sceneId> [--variable ndvi] [--samples <csv>] [--fraction 0.2] [--min-amplitude 0.1]');
  const num = (name: string, v: string | undefined, lo: number, hi: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > lo && n < hi)) throw new GranaryError('bad-request', `--${name} must be a number in (${lo}, ${hi}), got "${v}"`);
    return n;
  };
  const config = loadConfig();
  const catalog = new Catalog(join(config.dataDir, 'catalog'));
  const scene = await catalog.get(sceneId);
  const ctx = createRasterContext({ policy: sourcePolicy(config), blockCacheBytes: config.blockCacheMb * 1024 * 1024 });
  const loaded = loadRegions(config.regionsConfig);
  const fraction = num('fraction', values.fraction, 0, 1);
  const minAmplitude = num('min-amplitude', values['min-amplitude'], 0, 2);
  const { product, cogPath, jsonPath } = await buildPhenology(ctx, scene, {
    variable: values.variable!,
    outDir: join(config.dataDir, 'phenology'),
    regionAt: regionLookup(loaded.regions),
    ...(values.samples ? { samplesCsv: resolve(values.samples) } : {}),
    ...(fraction !== undefined ? { fraction } : {}),
    ...(minAmplitude !== undefined ? { minAmplitude } : {}),
  }).finally(() => ctx.close());
  const item = await inspectScene([cogPath], { id: product.sosScene, variables: ['sos'], nodata: SOS_NODATA, title: `${scene.title}: start of season (day since 1 September, from ${product.variable})`, attribution: scene.attribution, purpose: 'product' }, sourcePolicy(config), join(config.dataDir, 'catalog'));
  await catalog.save(item, { replace: true });
  for (const s of product.seasons) console.log(`season ${s.season}-${s.season + 1}: ${s.counts.ok + s.counts.baseAtWindowStart} pixels with a start of season, ${s.counts.noSeason} without a season, ${s.counts.noData} without data`);
  if (product.samples) console.log(`samples: ${product.samples.n} inside the scene (${product.samples.outsideScene} outside), ${product.windows.length} class windows`);
  console.log(`wrote ${cogPath}, ${jsonPath}; scene ${product.sosScene} registered`);
  return 0;
}
