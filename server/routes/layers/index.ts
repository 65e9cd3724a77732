/**
 * Whole-layer downloads: `GET /api/layers/{id}.geojson` (streamed feature by feature, as an
 * attachment) and `GET /api/layers/{id}.csv` for the tabular layers (regions, yield-gap, crop-samples).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest } from '../../errors.js';
import { problemResponses } from '../../contract/common.js';
import { LayerDownload, LayerFileParams, LayerFileQuery } from '../../contract/ogc.js';
import type { ServedFeature } from '../../services/layers/layer-types.js';
import { isQueryableLayer } from '../../services/layers/pg-crop-map.js';
import { sendCsv, sendGeojsonDownload } from './http.js';

function* asFeatures(features: ReadonlyArray<ServedFeature>): Generator<unknown> {
  for (const f of features) yield { type: 'Feature', id: f.id, geometry: f.geometry, properties: f.properties };
}

async function* asFeaturesAsync(features: AsyncIterable<ServedFeature>): AsyncGenerator<unknown> {
  for await (const f of features) yield { type: 'Feature', id: f.id, geometry: f.geometry, properties: f.properties };
}

function csvRecord(f: ServedFeature): Record<string, unknown> {
  const g = f.geometry;
  const point = g.type === 'Point' ? { longitude: g.coordinates[0], latitude: g.coordinates[1] } : {};
  return { id: f.id, ...point, ...f.properties };
}

export default (async function layerRoutes(app) {
  const layers = app.layers;
  app.get(
    '/api/layers/:file',
    {
      schema: {
        tags: ['ogc-features'],
        summary: 'Download a whole layer: <id>.geojson (application/geo+json, RFC 7946, streamed) or <id>.csv (tabular layers: regions, yield-gap, crop-samples)',
        params: LayerFileParams,
        querystring: LayerFileQuery,
        response: { 200: LayerDownload, ...problemResponses },
      },
    },
    async (req, reply) => {
      const m = /^(.+)\.(geojson|csv)$/.exec(req.params.file);
      if (!m) throw badRequest(`"${req.params.file.slice(0, 80)}" must end in .geojson or .csv, e.g. /api/layers/regions.geojson`);
      const [, id, ext] = m;
      const layer = await layers.get(id!);
      // a layer kept in a database (cluster mode's crop map, a polygon layer: no CSV) is streamed page by page
      if (isQueryableLayer(layer)) {
        const { meta, features } = await layer.features();
        if (ext === 'csv') throw badRequest(`${layer.id} is a polygon layer without a table: download it as /api/layers/${layer.id}.geojson (CSV: ${layers.layers.filter((l) => l.tabular).map((l) => l.id).join(', ')})`);
        return sendGeojsonDownload(reply, `${meta.filename}.geojson`, asFeaturesAsync(features), { name: layer.id, title: meta.title, description: meta.description });
      }
      const snap = await layer.snapshot({ year: req.query.year, crop: req.query.crop });
      if (ext === 'csv') {
        if (!snap.csvColumns) throw badRequest(`${layer.id} is a polygon layer without a table: download it as /api/layers/${layer.id}.geojson (CSV: ${layers.layers.filter((l) => l.tabular).map((l) => l.id).join(', ')})`);
        return sendCsv(reply, `${snap.filename}.csv`, snap.features.map(csvRecord), snap.csvColumns);
      }
      return sendGeojsonDownload(reply, `${snap.filename}.geojson`, asFeatures(snap.features), { name: layer.id, title: snap.title, description: snap.description });
    },
  );
}) satisfies FastifyPluginAsyncTypebox;
