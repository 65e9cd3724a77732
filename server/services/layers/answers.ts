/**
 * Two answers of #18 as collections, declared like the other layers (a LayerDef yielding snapshots):
 *
 *   alerts            the alerts the rules raise now (GET /api/alerts): one feature per alert, drawn as
 *                     its municipality's polygon (the alert is about the municipality; the station or
 *                     cluster centre it came from is in locationLon/locationLat), or as that point when
 *                     it is in no municipality (a pest cluster outside the regions). Query: asOf, lang.
 *   start-of-season   per municipality and season, the distribution of the start of season over the
 *                     scene pixels inside it (GET /api/phenology/regions/{id}): municipality polygons.
 *                     Listed once a start-of-season product is loaded.
 *
 * Both read the services at request time (app.alerts, app.phenology), so they follow new data.
 */
import type { FastifyInstance } from 'fastify';
import type { Geometry } from 'geojson';
import { badRequest } from '../../errors.js';
import { alertText, type MessageLang } from '../../contract/alert-messages.js';
import { dateOf } from '../../phenology/windows.js';
import type { LayerDef, LayerSnapshot, PropType, ServedFeature } from './layer-types.js';
import { finishSnapshot, intervalOf } from './snapshot.js';

type GeometryOf = (regionId: string) => { geometry: Geometry; bbox: [number, number, number, number] } | undefined;
type Props = Record<string, { type: PropType; description: string }>;

const ALERT_PROPS: Props = {
  alertId: { type: 'string', description: 'stable id: the same situation keeps its id across evaluations (as in GET /api/alerts)' },
  kind: { type: 'string', description: 'dry-spell, crop-condition-drop or pest-disease-cluster' },
  code: { type: 'string', description: 'language-neutral message code' },
  severity: { type: 'string', description: 'GEOGLAM Crop Monitor words: watch = a concern, poor = a serious one' },
  regionId: { type: 'string', description: 'IBGE municipality code (empty when the alert is in no municipality)' },
  regionName: { type: 'string', description: 'municipality name' },
  title: { type: 'string', description: 'the title in the language of `lang`' },
  detail: { type: 'string', description: 'the detail in the language of `lang`' },
  start: { type: 'string', description: 'first day of the situation (ISO date)' },
  end: { type: 'string', description: 'last day of the situation (ISO date)' },
  updated: { type: 'string', description: 'when it was last seen (ISO date)' },
  locationLon: { type: 'number', description: 'where it was seen: the station (dry spell) or the reports\' centre (pest cluster); empty for a crop-condition drop' },
  locationLat: { type: 'number', description: 'latitude of that place' },
  asOf: { type: 'string', description: 'the rules were evaluated with the data up to this day' },
};

export function alertsLayer(app: FastifyInstance, geometryOf: GeometryOf): LayerDef {
  const def: LayerDef = {
    id: 'alerts',
    title: 'Alerts',
    description:
      'The alerts the rules raise now (GET /api/alerts): dry spells at the stations serving a municipality in the growing season, crop-condition drops where a normal exists, clusters of approved pest or disease field reports. Each alert is drawn as its municipality, or as the place it was seen when that is in no municipality.',
    params: {
      asOf: 'yyyy-mm-dd: evaluate the rules with the data up to this day (default: the latest day of weather data)',
      lang: 'pt or en: language of title and detail (default en)',
    },
    tabular: true,
    // listed always: an empty list is an answer (no alert now), and listing the collections must not run the rules
    available: async () => true,
    snapshot: async (q): Promise<LayerSnapshot> => {
      const asOf = q['asOf'];
      if (asOf !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(asOf) && Number.isFinite(Date.parse(`${asOf}T00:00:00Z`)))) throw badRequest(`asOf "${asOf.slice(0, 20)}" is not a date (yyyy-mm-dd)`);
      const lang = q['lang'] ?? 'en';
      if (lang !== 'en' && lang !== 'pt') throw badRequest(`lang "${lang.slice(0, 10)}" must be pt or en`);
      const ev = await app.alerts.evaluate(asOf ? { asOf } : {});
      // every rule gives a municipality or a place (a pest cluster outside the regions has its centre)
      const features: ServedFeature[] = ev.alerts.flatMap((a) => {
        const region = a.regionId ? geometryOf(a.regionId) : undefined;
        const loc = a.location ? { lon: Math.round(a.location.lon * 1e6) / 1e6, lat: Math.round(a.location.lat * 1e6) / 1e6 } : null;
        const shape = region ?? (loc ? { geometry: { type: 'Point', coordinates: [loc.lon, loc.lat] } as Geometry, bbox: [loc.lon, loc.lat, loc.lon, loc.lat] as [number, number, number, number] } : null);
        if (!shape) return [];
        const text = alertText(a.code, a.params, lang as MessageLang);
        return [{
          id: a.id,
          geometry: shape.geometry,
          bbox: shape.bbox,
          interval: [a.start, a.end] as [string, string],
          properties: { alertId: a.id, kind: a.kind, code: a.code, severity: a.severity, regionId: a.regionId ?? '', regionName: a.regionName ?? '', title: text.title, detail: text.detail, start: a.start, end: a.end, updated: a.updated, locationLon: loc?.lon ?? null, locationLat: loc?.lat ?? null, asOf: ev.asOf },
        }];
      });
      const polygons = features.every((f) => f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon');
      return finishSnapshot({
        title: `Alerts (as of ${ev.asOf})`,
        description: def.description,
        features,
        properties: ALERT_PROPS,
        params: { asOf: ev.asOf, lang },
        filename: `alerts_${ev.asOf}`,
        csvColumns: Object.keys(ALERT_PROPS),
        geometryType: polygons ? 'Polygon' : 'mixed',
      }, intervalOf(features));
    },
  };
  return def;
}

const SOS_PROPS: Props = {
  regionId: { type: 'string', description: 'IBGE municipality code' },
  name: { type: 'string', description: 'municipality name' },
  scene: { type: 'string', description: 'the imagery the start of season comes from' },
  season: { type: 'integer', description: 'year the September-August season starts' },
  pixels: { type: 'integer', description: 'scene pixels whose centre lies in the municipality' },
  pixelsWithSeason: { type: 'integer', description: 'of those, pixels with a growing season' },
  p10: { type: 'number', description: '10th percentile of the start of season, days from 1 September (empty when no pixel has a season)' },
  p50: { type: 'number', description: 'median start of season, days from 1 September' },
  p90: { type: 'number', description: '90th percentile of the start of season, days from 1 September' },
  p10Date: { type: 'string', description: 'p10 as a date of the season' },
  p50Date: { type: 'string', description: 'p50 as a date of the season' },
  p90Date: { type: 'string', description: 'p90 as a date of the season' },
};

export function startOfSeasonLayer(app: FastifyInstance, geometryOf: GeometryOf): LayerDef {
  const def: LayerDef = {
    id: 'start-of-season',
    title: 'Start of season per municipality',
    description:
      'Per municipality and season, the start of season (green-up: the smoothed NDVI rising through 20 % of its seasonal amplitude) over the scene pixels whose centre lies in the municipality, whatever grows there: 10th, 50th and 90th percentiles in days from 1 September and as dates (GET /api/phenology/regions/{id}). Only where the start-of-season imagery reaches (Sinop, Sorriso, Cláudia, Ipiranga do Norte). Filter a season with season=<year>.',
    params: {},
    tabular: true,
    available: async () => app.phenology.list().some((p) => p.regions.length > 0),
    snapshot: async (): Promise<LayerSnapshot> => {
      const features: ServedFeature[] = app.phenology.list().flatMap((p) =>
        p.regions.flatMap((r) => {
          const g = geometryOf(r.regionId);
          if (!g) return [];
          const date = (d: number | null) => (d === null ? null : dateOf(d, r.season));
          return [{
            id: `${r.regionId}-${p.scene}-${r.season}`,
            geometry: g.geometry,
            bbox: g.bbox,
            interval: [`${r.season}-09-01`, `${r.season + 1}-08-31`] as [string, string],
            properties: { regionId: r.regionId, name: r.name, scene: p.scene, season: r.season, pixels: r.pixels, pixelsWithSeason: r.pixelsWithSeason, p10: r.p10, p50: r.p50, p90: r.p90, p10Date: date(r.p10), p50Date: date(r.p50), p90Date: date(r.p90) },
          }];
        }),
      );
      return finishSnapshot({
        title: def.title,
        description: def.description,
        features,
        properties: SOS_PROPS,
        params: {},
        filename: 'start-of-season',
        csvColumns: ['id', ...Object.keys(SOS_PROPS)],
        geometryType: 'Polygon',
      }, intervalOf(features));
    },
  };
  return def;
}
