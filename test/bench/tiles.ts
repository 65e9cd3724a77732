/**
 * Tile benchmark: Granary's tile pipeline beside the `geotiff-tile` npm package (geotiff.js 2 +
 * proj4) on the same tiles, in the same process.
 *
 * - cold: a tile rendered with an empty decoded-block cache (file handles already open), PNG encoded;
 * - warm: the same tile again with its blocks cached (re-render), and through HTTP from the rendered-tile cache;
 * - throughput: HTTP requests to a running server (2 workers, rendered-tile cache off) at
 *   concurrency 1, 4, 16 beside the peer at the same concurrency (raw arrays, no PNG encoding).
 * The peer only handles rasters with an EPSG code, so the ratio is measured on the Landsat UTM scene.
 */
import { resolve } from 'node:path';
import createTile from 'geotiff-tile';
import { fromFile as fromFile2 } from 'geotiff2';
import { PACKAGE_ROOT, loadConfig } from '../../server/config.js';
import { Catalog } from '../../server/catalog/catalog.js';
import { openCog } from '../../server/raster/cog.js';
import { FileSource } from '../../server/raster/source.js';
import { BlockCache } from '../../server/raster/block-cache.js';
import { ColormapRegistry } from '../../server/render/colormaps.js';
import { resolveSelection } from '../../server/pipeline/selection.js';
import { renderImageryTile } from '../../server/pipeline/tile.js';
import { tileBounds3857, tileRangeForBBox } from '../../server/geo/tile-grid.js';
import { buildApp } from '../../server/app.js';
import type { Scene } from '../../server/catalog/scene.js';
import { percentile, fmt, runConcurrent } from './stats.js';

type Tile = [number, number, number];

function tilesFor(scene: Scene, zooms: number[]): Tile[] {
  const out: Tile[] = [];
  for (const z of zooms) {
    const r = tileRangeForBBox(scene.bbox, z);
    for (let x = r.minX; x <= r.maxX; x++) for (let y = r.minY; y <= r.maxY; y++) out.push([z, x, y]);
  }
  return out;
}

export async function tileBench(log: (s: string) => void): Promise<Record<string, number>> {
  const fixtures = resolve(PACKAGE_ROOT, 'fixtures');
  const catalog = new Catalog(resolve(fixtures, 'catalog'));
  const policy = { readRoots: [fixtures], remoteHosts: [], remoteTimeoutMs: 5000 };
  const colormaps = new ColormapRegistry();
  const results: Record<string, number> = {};

  for (const [sceneId, zooms, query] of [
    ['sinop', [9, 10, 11, 12], { variable: 'ndvi', date: '2014-01-17' }],
    ['landsat-bahamas', [7, 8, 9, 10], {}],
  ] as const) {
    const scene = await catalog.get(sceneId);
    const tiles = tilesFor(scene, [...zooms]);
    const handles = new Map<string, ReturnType<typeof openCog>>();
    const open = (href: string) => {
      let h = handles.get(href);
      if (!h) handles.set(href, (h = FileSource.open(href, policy).then(openCog)));
      return h;
    };
    const sel = resolveSelection(scene, query, colormaps);
    // Open the files once (not part of a tile's cost).
    await Promise.all(scene.assets.map((a) => open(a.href)));
    const cold: number[] = [];
    const warm: number[] = [];
    for (const [z, x, y] of tiles) {
      const ctx = { open, blocks: new BlockCache(64 * 1024 * 1024), colormaps };
      const task = { scene, tile: { z, x, y, size: 256 }, format: 'png' as const, sel };
      let t = performance.now();
      await renderImageryTile(ctx, task);
      cold.push(performance.now() - t);
      t = performance.now();
      await renderImageryTile(ctx, task);
      warm.push(performance.now() - t);
    }
    log(`  ${sceneId}: ${tiles.length} tiles z${zooms[0]}-${zooms[zooms.length - 1]}  cold p50 ${fmt(percentile(cold, 50))} ms p95 ${fmt(percentile(cold, 95))} ms | warm-blocks re-render p50 ${fmt(percentile(warm, 50))} ms p95 ${fmt(percentile(warm, 95))} ms`);
    results[`${sceneId}.cold.p50`] = percentile(cold, 50);
    results[`${sceneId}.cold.p95`] = percentile(cold, 95);
    results[`${sceneId}.warmBlocks.p50`] = percentile(warm, 50);
    (await Promise.all([...handles.values()])).forEach((h) => void h.source.close());
  }

  // Peer on the UTM scene: geotiff-tile with geotiff.js 2.
  const landsat = await catalog.get('landsat-bahamas');
  const tiles = tilesFor(landsat, [7, 8, 9, 10]);
  const peerTiff = await fromFile2(landsat.assets[0]!.href);
  const peer = async ([z, x, y]: Tile) =>
    createTile({ geotiff: peerTiff, bbox: [...tileBounds3857(z, x, y)], bbox_srs: 3857, tile_srs: 3857, tile_width: 256, tile_height: 256, method: 'near' } as never);
  const peerLat: number[] = [];
  for (const t of tiles) {
    const s = performance.now();
    await peer(t);
    peerLat.push(performance.now() - s);
  }
  log(`  geotiff-tile (peer, landsat-bahamas, raw arrays, no PNG): p50 ${fmt(percentile(peerLat, 50))} ms p95 ${fmt(percentile(peerLat, 95))} ms`);
  results['peer.p50'] = percentile(peerLat, 50);

  // Throughput through HTTP (2 workers, rendered-tile cache off) vs the peer at the same concurrency.
  const app = await buildApp(loadConfig({ GRANARY_WORKERS: '2', GRANARY_TILE_CACHE_MB: '0', GRANARY_LOG_LEVEL: 'silent', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = ([z, x, y]: Tile) => `http://127.0.0.1:${port}/tiles/landsat-bahamas/${z}/${x}/${y}.png`;
  for (const t of tiles) await (await fetch(url(t))).arrayBuffer(); // warm workers and block caches
  const rounds = 4;
  const n = tiles.length * rounds;
  for (const c of [1, 4, 16]) {
    const ours = await runConcurrent(n, c, async (i) => {
      const r = await fetch(url(tiles[i % tiles.length]!));
      if (r.status !== 200) throw new Error(`status ${r.status}`);
      await r.arrayBuffer();
    });
    const theirs = await runConcurrent(n, c, (i) => peer(tiles[i % tiles.length]!));
    const oursTps = (n / ours.wallMs) * 1000;
    const theirsTps = (n / theirs.wallMs) * 1000;
    log(`  concurrency ${String(c).padStart(2)}: granary ${fmt(oursTps, 0)} tiles/s (p50 ${fmt(percentile(ours.latencies, 50))} ms, p95 ${fmt(percentile(ours.latencies, 95))} ms) | geotiff-tile ${fmt(theirsTps, 0)} tiles/s | ratio ${fmt(oursTps / theirsTps, 2)}x`);
    results[`throughput.c${c}.ratio`] = oursTps / theirsTps;
  }
  // Warm: rendered-tile cache hits through HTTP.
  await app.close();
  const app2 = await buildApp(loadConfig({ GRANARY_WORKERS: '2', GRANARY_LOG_LEVEL: 'silent', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0' }));
  await app2.listen({ port: 0, host: '127.0.0.1' });
  const a2 = app2.server.address();
  const port2 = typeof a2 === 'object' && a2 ? a2.port : 0;
  for (const [z, x, y] of tiles) await (await fetch(`http://127.0.0.1:${port2}/tiles/landsat-bahamas/${z}/${x}/${y}.png`)).arrayBuffer();
  const hits = await runConcurrent(tiles.length * 4, 1, async (i) => {
    const [z, x, y] = tiles[i % tiles.length]!;
    await (await fetch(`http://127.0.0.1:${port2}/tiles/landsat-bahamas/${z}/${x}/${y}.png`)).arrayBuffer();
  });
  log(`  warm (rendered-tile cache hit over HTTP): p50 ${fmt(percentile(hits.latencies, 50), 2)} ms p95 ${fmt(percentile(hits.latencies, 95), 2)} ms`);
  results['warmHttp.p50'] = percentile(hits.latencies, 50);
  await app2.close();
  return results;
}
