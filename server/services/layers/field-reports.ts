/**
 * Two collections of the data-centric loop (docs/data-centric.md), declared like the others in
 * layers.ts (a LayerDef yielding snapshots):
 *
 *   field-reports     APPROVED field reports only (points: class, date, note, approvedAt). Listed once
 *                     the reports database exists (the first report has been submitted), the way
 *                     crop-map is listed once a crop map exists. Pending and rejected reports never
 *                     reach it: the snapshot is built from ReportStore.approved() and nothing else.
 *   uncertain-places  the N most uncertain places of a scene (query: scene, model, season, measure, n,
 *                     spacing). Listed once it has been computed for a scene by this service
 *                     (GET /api/uncertain-places/{scene}.geojson); without `scene`, the items are those
 *                     of the most recently computed scene.
 */
import type { FastifyInstance } from 'fastify';
import type { Geometry } from 'geojson';
import { badRequest, notFound } from '../../errors.js';
import type { LayerDef, LayerSnapshot, PropType, ServedFeature } from './layer-types.js';
import { finishSnapshot } from './snapshot.js';
import { placesFeatures, type PlacesAnswer } from '../uncertain-places.js';
import type { UncertaintyMeasure } from '../../pipeline/uncertainty.js';

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

const point = (lon: number, lat: number): { geometry: Geometry; bbox: [number, number, number, number] } => {
  const x = r6(lon);
  const y = r6(lat);
  return { geometry: { type: 'Point', coordinates: [x, y] }, bbox: [x, y, x, y] };
};

const REPORT_PROPS: Record<string, { type: PropType; description: string }> = {
  reportId: { type: 'integer', description: 'report id' },
  class: { type: 'string', description: 'what grows there, one of the model\'s classes' },
  date: { type: 'string', description: 'ISO date the crop was seen' },
  note: { type: 'string', description: 'the reporter\'s note (may be empty)' },
  category: { type: 'string', description: 'what the report is about: pest, disease, weather_damage, crop_condition, other; empty when not stated' },
  model: { type: 'string', description: 'model whose classes the class refers to' },
  submittedAt: { type: 'string', description: 'when the report was submitted' },
  approvedAt: { type: 'string', description: 'when a token holder approved it' },
};

export function fieldReportsLayer(app: FastifyInstance): LayerDef {
  let cache: { version: number; snap: LayerSnapshot } | null = null;
  const def: LayerDef = {
    id: 'field-reports',
    title: 'Field reports (approved)',
    description:
      'What people reported growing at a point (class, date, optional note), after approval by a token holder. Pending and rejected reports are never served. Submit with POST /api/field-reports.',
    params: {},
    tabular: true,
    available: async () => await app.reports.exists(),
    snapshot: async () => {
      const version = await app.reports.version();
      if (cache && cache.version === version) return cache.snap;
      // Only approved reports, by construction: ReportStore.approved() is the one query used here.
      const reports = await app.reports.approved();
      const features: ServedFeature[] = reports.map((r) => ({
        id: String(r.id),
        ...point(r.lon, r.lat),
        interval: [r.observedOn, r.observedOn],
        properties: { reportId: r.id, class: r.class, date: r.observedOn, note: r.note ?? '', category: r.category ?? '', model: r.modelId, submittedAt: r.submittedAt, approvedAt: r.reviewedAt },
      }));
      const dates = reports.map((r) => r.observedOn).sort();
      const snap = finishSnapshot(
        { title: def.title, description: def.description, features, properties: REPORT_PROPS, params: {}, filename: 'field-reports', csvColumns: ['id', 'longitude', 'latitude', ...Object.keys(REPORT_PROPS)], geometryType: 'Point' },
        dates.length > 0 ? [dates[0]!, dates[dates.length - 1]!] : null,
      );
      cache = { version, snap };
      return snap;
    },
  };
  return def;
}

const PLACE_PROPS: Record<string, { type: PropType; description: string }> = {
  rank: { type: 'integer', description: '1 = most uncertain' },
  sceneId: { type: 'string', description: 'scene' },
  modelId: { type: 'string', description: 'model' },
  season: { type: 'integer', description: 'year the September-August season starts' },
  measure: { type: 'string', description: 'entropy, margin or confidence' },
  uncertainty: { type: 'number', description: 'mean of the measure over the 3 x 3 native pixels (0..1, the ranking value)' },
  pixelUncertainty: { type: 'number', description: 'the measure at the native pixel' },
  entropy: { type: 'number', description: 'normalised entropy at the native pixel' },
  top1: { type: 'string', description: 'most probable class' },
  p1: { type: 'number', description: 'its probability' },
  top2: { type: 'string', description: 'second most probable class' },
  p2: { type: 'number', description: 'its probability' },
  col: { type: 'integer', description: 'native pixel column' },
  row: { type: 'integer', description: 'native pixel row' },
};

export function uncertainPlacesLayer(app: FastifyInstance): LayerDef {
  const def: LayerDef = {
    id: 'uncertain-places',
    title: 'Where new labels help most',
    description:
      'The places of a scene where the crop model is least certain (3 x 3 native-pixel clusters ranked by normalised entropy, or margin / 1 - top probability, spread out by non-maximum suppression), with their top-2 classes: send field visits there.',
    params: {
      scene: 'scene id (default: the most recently computed)',
      model: 'model id (default: the default model)',
      season: 'year the season starts (default: the latest complete)',
      measure: 'entropy (default), margin or confidence',
      n: 'places (default 50)',
      spacing: 'minimum distance in native pixels (default 8)',
    },
    tabular: true,
    available: async () => app.uncertainPlaces.latest() !== null,
    snapshot: async (q) => {
      const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
      let a: PlacesAnswer;
      if (q['scene']) {
        const n = num(q['n']);
        const spacing = num(q['spacing']);
        const season = num(q['season']);
        for (const [k, v] of [['n', n], ['spacing', spacing], ['season', season]] as const) {
          if (v !== undefined && !Number.isInteger(v)) throw badRequest(`${k} must be an integer`);
        }
        a = await app.uncertainPlaces.compute({ scene: q['scene'], model: q['model'], season, measure: q['measure'] as UncertaintyMeasure | undefined, n, spacing });
      } else {
        const last = app.uncertainPlaces.latest();
        if (!last) throw notFound('uncertain-places needs ?scene=<sceneId> (see /api/scenes)');
        a = last;
      }
      const features: ServedFeature[] = placesFeatures(a).map((f) => ({ id: String(f.id), ...point(f.geometry.coordinates[0], f.geometry.coordinates[1]), properties: f.properties }));
      return finishSnapshot(
        {
          title: `${def.title}: ${a.sceneTitle} (${a.modelId}, ${a.season}-${a.season + 1}, ${a.measure})`,
          description: def.description,
          features,
          properties: PLACE_PROPS,
          params: { scene: a.sceneId, model: a.modelId, season: String(a.season), measure: a.measure, n: String(a.n), spacing: String(a.spacing) },
          filename: `uncertain-places_${a.sceneId}`,
          csvColumns: ['id', 'longitude', 'latitude', ...Object.keys(PLACE_PROPS)],
          geometryType: 'Point',
        },
        null,
      );
    },
  };
  return def;
}
