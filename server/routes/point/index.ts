/** GET /api/point: everything known at a point (scene pixel, time series, crop class, region). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { PointQuery, PointResponse } from '../../contract/crops.js';
import { pixelAt } from '../../pipeline/point.js';
import { modelTask, publicCard } from '../../services/model-task.js';
import { GranaryError } from '../../errors.js';
import type { PointMessage } from '../../workers/crop-tasks.js';
import type { Scene } from '../../catalog/scene.js';
import { taskOptions } from '../../workers/request-options.js';

export default (async function pointRoutes(app) {
  app.get('/api/point', {
    schema: { tags: ['crops'], summary: 'Everything known at a point: scene pixel, time series of every variable, crop class with all probabilities, and the region', querystring: PointQuery, response: { 200: PointResponse, ...problemResponses } },
  }, async (req, reply) => {
    const { lon, lat } = req.query;
    let scene: Scene | undefined;
    if (req.query.scene) {
      scene = await app.catalog.get(req.query.scene);
    } else {
      const scenes = await app.catalog.list();
      // Prefer scenes that have the default model's variables (crop information), then the finest.
      scene = scenes.filter((s) => pixelAt(s, lon, lat) !== null).sort((a, b) => Number(b.variables.includes('ndvi')) - Number(a.variables.includes('ndvi')) || Math.abs(a.grid.geotransform[1]) - Math.abs(b.grid.geotransform[1]))[0];
    }
    const region = app.regionAt(lon, lat);
    if (!scene) {
      return { lon, lat, scene: null, inside: false, note: 'no scene covers this point', series: {}, crop: null, region };
    }
    let model: PointMessage['model'];
    let session: PointMessage['session'];
    let modelNote: string | null = null;
    try {
      const m = await app.models.get(req.query.model);
      const t = modelTask(m, scene, req.query.season);
      model = { ref: t.ref, inputs: t.inputs, season: t.choice.season };
      session = m.session;
    } catch (e) {
      if (req.query.model || !(e instanceof GranaryError)) throw e;
      modelNote = `no crop class: ${e.message}`;
    }
    const r = await app.pool.run('point', { scene, lon, lat, ...(model ? { model } : {}), ...(session ? { session } : {}) }, taskOptions(req, reply));
    return {
      lon,
      lat,
      scene: { id: scene.id, title: scene.title },
      inside: r.inside,
      pixel: r.pixel,
      series: r.series,
      crop: r.crop ? { ...r.crop, classes: model ? publicCard(await app.models.get(model.ref.id)).classes : [] } : null,
      ...(modelNote ? { note: modelNote } : {}),
      region,
    };
  });
}) satisfies FastifyPluginAsyncTypebox;
