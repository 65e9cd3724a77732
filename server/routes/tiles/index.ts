/**
 * Imagery tiles: validate -> cache key (304 early) -> worker (plan, read, warp, colourise, encode)
 * -> headers. Also TileJSON.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ImageryTile, SceneParams, TileParams, TileQuery, TileJson } from '../../contract/tiles.js';
import { problemResponses } from '../../contract/common.js';
import { parseTile, type TileFormat } from './tile-address.js';
import { IMAGE_CONTENT_TYPE, DEFAULT_QUALITY } from '../../render/image.js';
import { tileJson } from './tilejson.js';
import { resolveSelection, selectionQuery } from '../../pipeline/selection.js';
import { sendCachedTile } from '../../services/tile-delivery.js';
import { originOf } from '../origin.js';
import { taskOptions } from '../../workers/request-options.js';

const CONTENT: Record<TileFormat, string> = { ...IMAGE_CONTENT_TYPE, tif: 'image/tiff; application=geotiff' };

export default (async function tileRoutes(app) {
  app.get(
    '/tiles/:sceneId/:z/:x/:y',
    {
      // images are compressed already (plugins/compression.ts: no compression hook on tile routes)
      compress: false,
      schema: {
        tags: ['tiles'],
        summary: 'Imagery tile (Web Mercator XYZ): PNG (default), WebP or JPEG (format, quality), @2x, or Float32 GeoTIFF of physical values',
        params: TileParams,
        querystring: TileQuery,
        response: { 200: ImageryTile, ...problemResponses },
      },
    },
    async (req, reply) => {
      const t = parseTile(req.params, app.config.maxZoom, undefined, req.query.format);
      const scene = await app.catalog.get(req.params.sceneId);
      const sel = resolveSelection(scene, req.query, app.colormaps);
      const quality = t.format === 'webp' || t.format === 'jpg' ? (req.query.quality ?? DEFAULT_QUALITY) : undefined;
      const key = `img|${scene.id}|${scene.etag}|${t.format}${quality ? `q${quality}` : ''}|${t.z}/${t.x}/${t.y}@${t.size}|${sel.canonical}`;
      return sendCachedTile(app, req, reply, key, CONTENT[t.format], () =>
        app.pool.run('imagery-tile', { scene, tile: { z: t.z, x: t.x, y: t.y, size: t.size }, format: t.format, quality, sel }, taskOptions(req, reply)),
      );
    },
  );

  app.get(
    '/tiles/:sceneId/tilejson.json',
    {
      schema: {
        tags: ['tiles'],
        summary: 'TileJSON 3.0.0 for imagery tiles; the tiles template carries the query',
        params: SceneParams,
        querystring: TileQuery,
        response: { 200: TileJson, ...problemResponses },
      },
    },
    async (req) => {
      const scene = await app.catalog.get(req.params.sceneId);
      const sel = resolveSelection(scene, req.query, app.colormaps);
      const what = sel.selection.kind === 'variable' ? sel.selection.variable : sel.selection.kind === 'bands' ? sel.selection.bands.join(',') : sel.selection.expression;
      return tileJson(
        scene,
        `${scene.title}: ${what}${sel.date ? ` ${sel.date}` : ''}`,
        `${originOf(req)}/tiles/${scene.id}/{z}/{x}/{y}.${req.query.format ?? 'png'}?${selectionQuery(sel)}${req.query.quality !== undefined && req.query.format && req.query.format !== 'png' ? `&quality=${req.query.quality}` : ''}`,
        `Granary imagery tiles of scene ${scene.id}`,
        scene.attribution,
      );
    },
  );
}) satisfies FastifyPluginAsyncTypebox;
