/**
 * The vector layers served as OGC API - Features collections and as downloads:
 *   regions      municipality polygons with the indicators of a year and crop (query: year, crop)
 *   yield-gap    municipality polygons with the yield-gap row (query: year, crop)
 *   crop-samples the public labelled samples (points): label, season, source
 *   crop-map     the newest `<dataDir>/cropmaps/*.polygons.geojson`, listed only when one exists
 *   field-reports, uncertain-places (field-reports.ts), weather-stations (weather-stations.ts),
 *   alerts, start-of-season (answers.ts)
 * A layer yields a snapshot: RFC 7946 features (rounded, rewound) plus the property types (queryables).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Feature, Geometry } from 'geojson';
import { notFound } from '../../errors.js';
import { parseCsv } from '../../regions/csv-parse.js';
import type { RegionsService } from '../../plugins/regions.js';
import { regionIndicators, cropYear } from '../../regions/indicators.js';
import { apiRows, flatRow, FLAT_ROW_COLUMNS } from '../../regions/rows.js';
import { INDICATORS, REGION_INDICATORS } from '../../contract/regions.js';
import { geometryBbox, rfc7946Geometry } from './rfc7946.js';
import { fieldReportsLayer, uncertainPlacesLayer } from './field-reports.js';
import { pgCropMapLayer } from './pg-crop-map.js';
import { weatherStationsLayer } from './weather-stations.js';
import { alertsLayer, startOfSeasonLayer } from './answers.js';
import { finishSnapshot } from './snapshot.js';

import type { LayerDef, LayerSnapshot, PropType, PropValue, ServedFeature } from './layer-types.js';

function finish(s: Omit<LayerSnapshot, 'byId' | 'extent'> & { interval?: [string, string] | null }): LayerSnapshot {
  const { interval, ...rest } = s;
  return finishSnapshot(rest, interval ?? null);
}

const typeOf = (v: PropValue): PropType | null => (v === null ? null : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : Number.isInteger(v) ? 'integer' : 'number');

/** Property types from the values (integer widens to number; mixed types become string). */
function inferTypes(features: ReadonlyArray<ServedFeature>, descriptions: Record<string, string> = {}, fallback: (k: string) => PropType = () => 'string'): LayerSnapshot['properties'] {
  const types = new Map<string, PropType | null>();
  for (const f of features) {
    for (const [k, v] of Object.entries(f.properties)) {
      const t = typeOf(v);
      const prev = types.get(k);
      if (prev === undefined || prev === null) types.set(k, t);
      else if (t !== null && t !== prev) types.set(k, (prev === 'integer' && t === 'number') || (prev === 'number' && t === 'integer') ? 'number' : 'string');
    }
  }
  return Object.fromEntries([...types].map(([k, t]) => [k, { type: t ?? fallback(k), description: descriptions[k] ?? k }]));
}

const YEAR_CROP_PARAMS = {
  year: 'yyyy: year of the indicators (default: the latest year with complete data)',
  crop: 'a crop of GET /api/crops (default: the configuration\'s default crop)',
};

const REGION_PROP_DESCRIPTIONS: Record<string, string> = {
  regionId: 'IBGE 7-digit municipality code',
  name: 'municipality name',
  crop: 'crop of the indicators',
  year: 'year of the indicators',
  flags: 'caveats, separated by "; "',
  ...INDICATORS,
  mappedAreaCi95LowHa: 'ha, low end of the 95 % interval of mappedAreaHa',
  mappedAreaCi95HighHa: 'ha, high end of the 95 % interval of mappedAreaHa',
  cropMapSceneId: 'scene of the crop map behind mappedAreaHa',
  cropMapModelId: 'model of the crop map behind mappedAreaHa',
  cropMapRegionCoveredShare: 'share (0-1) of the region covered by that crop map',
  windowStart: 'first year of the actual-yield window',
  windowEnd: 'last year of the actual-yield window',
  attainablePercentile: 'percentile used for the attainable yield',
  populationYear: 'year of the population estimate used',
};

/** Served region geometries, computed once per app. */
function regionGeometries(regions: RegionsService): Map<string, { geometry: Geometry; bbox: [number, number, number, number] }> {
  const out = new Map<string, { geometry: Geometry; bbox: [number, number, number, number] }>();
  for (const r of regions.regions) {
    const geometry = rfc7946Geometry(r.geometry);
    out.set(r.id, { geometry, bbox: geometryBbox(geometry) });
  }
  return out;
}

interface SampleFile {
  dataset: string;
  /** absolute path (the configuration's path, relative to the regions configuration file) */
  path: string;
  source: string;
  licence: string;
}

/** The sample sets of the regions configuration (`samples.sets`); only files that exist. */
function sampleFiles(app: FastifyInstance): SampleFile[] {
  const base = dirname(app.regions.data.configPath);
  return (app.regions.data.config.samples?.sets ?? []).map((s) => ({ dataset: s.dataset, path: resolve(base, s.file), source: s.source, licence: s.licence })).filter((s) => existsSync(s.path));
}

const SAMPLE_PROPS: Record<string, string> = {
  sampleId: 'row id in the source file (sample_id or id)',
  dataset: 'which sample set (the regions configuration\'s samples.sets)',
  label: 'land-use class of the season (e.g. Soy_Corn = soy then second-crop maize)',
  season: 'season as start/end ISO dates (September to August)',
  seasonStart: 'first day of the season',
  seasonEnd: 'last day of the season',
  locationId: 'distinct-location index (mt_9classes; the same place recurs over seasons)',
  source: 'where the sample comes from',
  licence: 'licence of the sample set',
};

function loadSamples(app: FastifyInstance): ServedFeature[] {
  const out: ServedFeature[] = [];
  for (const s of sampleFiles(app)) {
    for (const row of parseCsv(readFileSync(s.path, 'utf8')).rows) {
      const lon = Number(row['longitude']);
      const lat = Number(row['latitude']);
      if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
      const sampleId = row['sample_id'] ?? row['id'] ?? String(out.length + 1);
      const start = row['start_date'] ?? '';
      const end = row['end_date'] ?? '';
      const geometry = rfc7946Geometry({ type: 'Point', coordinates: [lon, lat] });
      const c = (geometry as unknown as { coordinates: [number, number] }).coordinates;
      out.push({
        id: `${s.dataset}-${sampleId}`,
        geometry,
        bbox: [c[0], c[1], c[0], c[1]],
        interval: [start, end],
        properties: {
          sampleId: Number.isInteger(Number(sampleId)) ? Number(sampleId) : sampleId,
          dataset: s.dataset,
          label: row['label'] ?? null,
          season: `${start}/${end}`,
          seasonStart: start,
          seasonEnd: end,
          locationId: row['location_id'] !== undefined && row['location_id'] !== '' ? Number(row['location_id']) : null,
          source: s.source,
          licence: s.licence,
        },
      });
    }
  }
  return out;
}

function flattenValue(v: unknown): PropValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return JSON.stringify(v);
}


/** Snapshots of a layer kept (years x crops x layers in use); least recently used go first. */
const SNAPSHOTS_KEPT = 100;

export class LayerRegistry {
  private geometries: ReturnType<typeof regionGeometries> | null = null;
  private samples: ServedFeature[] | null = null;
  private readonly memo = new LRUCache<string, LayerSnapshot>({ max: SNAPSHOTS_KEPT });
  readonly layers: LayerDef[];

  constructor(private readonly app: FastifyInstance) {
    this.layers = [this.regionsLayer(), this.yieldGapLayer(), this.samplesLayer(), app.backends.pg ? pgCropMapLayer(app.backends.pg) : this.cropMapLayer(), fieldReportsLayer(app), uncertainPlacesLayer(app), weatherStationsLayer(app), alertsLayer(app, (id) => this.regionGeoms().get(id)), startOfSeasonLayer(app, (id) => this.regionGeoms().get(id))];
  }

  async available(): Promise<LayerDef[]> {
    const ok = await Promise.all(this.layers.map((l) => l.available()));
    return this.layers.filter((_, i) => ok[i]);
  }

  async get(id: string): Promise<LayerDef> {
    const all = await this.available();
    const l = all.find((x) => x.id === id);
    if (!l) throw notFound(`unknown collection "${id.slice(0, 80)}" (available: ${all.map((x) => x.id).join(', ')})`, { valid: all.map((x) => x.id) });
    return l;
  }

  private remember(key: string, make: () => LayerSnapshot): LayerSnapshot {
    const hit = this.memo.get(key);
    if (hit) return hit;
    const s = make();
    this.memo.set(key, s);
    return s;
  }

  private regionGeoms() {
    return (this.geometries ??= regionGeometries(this.app.regions));
  }

  private regionsLayer(): LayerDef {
    const app = this.app;
    return {
      id: 'regions',
      title: 'Regions with indicators',
      // read when asked, not at start: the regions may load after the server listens (plugins/regions.ts)
      get description() {
        return `${app.regions.data.config.regions.description ?? app.regions.data.config.regions.title ?? 'Regions'} with the food-security indicators of one year and crop: population, planted area, production, yields, yield gap, its value, production per capita, intervention-priority rank. Query parameters year and crop choose the indicators.`;
      },
      params: YEAR_CROP_PARAMS,
      tabular: true,
      available: async () => true,
      snapshot: async (q) => {
        const { crop, year } = cropYear(app, q);
        return this.remember(`regions|${crop}|${year}`, () => {
          const geoms = this.regionGeoms();
          const features = app.regions.rows(crop, year).map((r): ServedFeature => {
            const g = geoms.get(r.regionId)!;
            return { id: r.regionId, geometry: g.geometry, bbox: g.bbox, properties: { regionId: r.regionId, name: r.name, crop, year, ...regionIndicators(app, r), flags: r.flags.join('; ') } };
          });
          return finish({
            title: `Regions with indicators (${crop}, ${year})`,
            description: this.layers[0]!.description,
            features,
            properties: inferTypesWith(features, ['regionId', 'name', 'crop', 'year', ...REGION_INDICATORS, 'flags']),
            params: { crop, year: String(year) },
            filename: `regions_${crop}_${year}`,
            csvColumns: ['regionId', 'name', 'crop', 'year', ...REGION_INDICATORS, 'flags'],
            geometryType: 'Polygon',
          });
        });
      },
    };
  }

  private yieldGapLayer(): LayerDef {
    const app = this.app;
    return {
      id: 'yield-gap',
      title: 'Yield gap per region',
      description: 'Municipality polygons with the yield-gap row of one crop and year (the fields of GET /api/yield-gap, flattened), including the crop map\'s area with its 95 % interval where a crop map covers the region. Query parameters year and crop.',
      params: YEAR_CROP_PARAMS,
      tabular: true,
      available: async () => true,
      snapshot: async (q) => {
        const { crop, year } = cropYear(app, q);
        const maps = await app.cropMaps.list();
        const key = `yield-gap|${crop}|${year}|${maps.map((m) => `${m.tif}@${m.mtimeMs}`).join(',')}`;
        const hit = this.memo.get(key);
        if (hit) return hit;
        const rows = await apiRows(app, crop, year);
        return this.remember(key, () => {
          const geoms = this.regionGeoms();
          const features = rows.map((r): ServedFeature => {
            const g = geoms.get(r.regionId)!;
            return { id: r.regionId, geometry: g.geometry, bbox: g.bbox, properties: flatRow(r) };
          });
          return finish({
            title: `Yield gap (${crop}, ${year})`,
            description: this.layers[1]!.description,
            features,
            properties: inferTypesWith(features, FLAT_ROW_COLUMNS),
            params: { crop, year: String(year) },
            filename: `yield-gap_${crop}_${year}`,
            csvColumns: FLAT_ROW_COLUMNS,
            geometryType: 'Polygon',
          });
        });
      },
    };
  }

  private samplesLayer(): LayerDef {
    const app = this.app;
    return {
      id: 'crop-samples',
      title: 'Labelled crop samples (public)',
      get description() {
        return app.regions.data.config.samples?.description ?? 'Labelled field samples (none configured: the regions configuration has no samples)';
      },
      params: {},
      tabular: true,
      available: async () => sampleFiles(app).length > 0,
      snapshot: async () =>
        this.remember('crop-samples', () => {
          const features = (this.samples ??= loadSamples(app));
          const starts = features.map((f) => f.interval![0]).filter((s) => s).sort();
          const ends = features.map((f) => f.interval![1]).filter((s) => s).sort();
          return finish({
            title: this.layers[2]!.title,
            description: this.layers[2]!.description,
            features,
            properties: inferTypes(features, SAMPLE_PROPS),
            params: {},
            filename: 'crop-samples',
            csvColumns: ['id', 'longitude', 'latitude', ...Object.keys(SAMPLE_PROPS)],
            geometryType: 'Point',
            interval: starts.length > 0 ? [starts[0]!, ends[ends.length - 1]!] : null,
          });
        }),
    };
  }

  private cropMapLayer(): LayerDef {
    const app = this.app;
    return {
      id: 'crop-map',
      title: 'Crop map (polygons)',
      description: 'The newest crop map as polygons (from <dataDir>/cropmaps/*.polygons.geojson): areas of one crop class each, with the properties written by the crop-map job.',
      params: {},
      tabular: false,
      available: async () => (await app.cropMaps.polygonLayers()).length > 0,
      snapshot: async () => {
        const [file] = await app.cropMaps.polygonLayers();
        if (!file) throw notFound('no crop map polygon layer exists yet');
        const key = `crop-map|${file.path}|${file.mtimeMs}|${file.size}`;
        const hit = this.memo.get(key);
        if (hit) return hit;
        const fc = JSON.parse(await readFile(file.path, 'utf8')) as { features?: Feature[] };
        return this.remember(key, () => {
          const features: ServedFeature[] = [];
          (fc.features ?? []).forEach((f, i) => {
            if (!f?.geometry) return;
            const geometry = rfc7946Geometry(f.geometry);
            const properties: Record<string, PropValue> = {};
            for (const [k, v] of Object.entries(f.properties ?? {})) properties[k] = flattenValue(v);
            features.push({ id: f.id !== undefined ? String(f.id) : String(i + 1), geometry, bbox: geometryBbox(geometry), properties });
          });
          return finish({
            title: `Crop map ${file.stem}`,
            description: `${this.layers[3]!.description} File: ${file.stem}.polygons.geojson${file.sceneId ? ` (scene ${file.sceneId}, model ${file.modelId})` : ''}.`,
            features,
            properties: inferTypes(features),
            params: {},
            filename: `crop-map_${file.stem}`,
            csvColumns: null,
            geometryType: 'Polygon',
          });
        });
      },
    };
  }
}

/** Types inferred from the values, in the given column order, with the indicator descriptions. */
function inferTypesWith(features: ReadonlyArray<ServedFeature>, columns: ReadonlyArray<string>): LayerSnapshot['properties'] {
  const STRINGS = new Set(['regionId', 'name', 'crop', 'flags', 'cropMapSceneId', 'cropMapModelId']);
  const fallback = (c: string): PropType => (STRINGS.has(c) ? 'string' : 'number');
  const inferred = inferTypes(features, REGION_PROP_DESCRIPTIONS, fallback);
  const out: LayerSnapshot['properties'] = {};
  for (const c of columns) out[c] = inferred[c] ?? { type: fallback(c), description: REGION_PROP_DESCRIPTIONS[c] ?? c };
  return out;
}

