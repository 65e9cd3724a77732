/**
 * `granary labels export-reports --out <samples.csv>`: approved field reports as training or
 * validation samples, in the formats of the public label files:
 *
 *   <out>                     sample_id,location_id,longitude,latitude,start_date,end_date,label,coverage
 *   <out stem>.timeseries.csv sample_id,date,<variables...>  (one row per composite)
 *
 * Each report's pixel time series is read from the catalog, as /api/point does: the first scene
 * (finest first) whose pixel grid contains the point and that has a complete September-August season
 * (of the model's card) containing the report's date. A report outside every scene, or whose season is
 * not in any scene, or whose pixel has missing values, cannot become a sample: it is listed in `skipped`
 * with the reason (and stays in the database; it can be exported again once the imagery is added).
 *
 * The location id is the scene pixel (report-<scene>-<col>-<row>): reports of the same pixel in several
 * seasons share it, so location-grouped cross-validation keeps them in one fold.
 * Reports and scenes come from the configured store: SQLite and the file catalog (embedded), or
 * PostgreSQL (GRANARY_DATABASE_URL, cluster mode).
 * Use: granary evaluate --samples <out> --timeseries <stem>.timeseries.csv   (validation), or append the
 * rows to the training CSVs (training); see docs/data-centric.md.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.js';
import { sourcePolicy } from '../raster/source-policy.js';
import type { Scene } from '../catalog/scene.js';
import { ModelRegistry } from '../inference/registry.js';
import { chooseSeason, seasonOf } from '../inference/season.js';
import { pixelAt } from '../pipeline/point.js';
import { readFeatures } from '../pipeline/classify-window.js';
import { createRasterContext } from '../workers/raster-context.js';
import type { FieldReport } from './db.js';
import { createBackends } from '../store/backends.js';
import { csvRecord } from '../analytics/csv.js';
import { writeFileAtomic } from '../util/atomic-write.js';

const KNOWN_VARIABLES = ['ndvi', 'evi', 'blue', 'red', 'nir', 'mir'];

interface ExportResult {
  samplesPath: string;
  timeseriesPath: string;
  exported: number;
  skipped: Array<{ id: number; reason: string }>;
}

const line = (vs: ReadonlyArray<string | number>) => csvRecord(vs);

function timeseriesPathFor(out: string): string {
  return out.replace(/(\.samples)?\.csv$/i, '') + '.timeseries.csv';
}

export async function exportReports(config: Config, o: { out: string; model?: string; reports?: FieldReport[] }): Promise<ExportResult> {
  // the reports and the catalog of this configuration's mode: SQLite + files, or PostgreSQL (cluster)
  const backends = await createBackends(config);
  let reports: FieldReport[];
  let listed: Scene[];
  try {
    reports = o.reports ?? (await backends.reports.approved());
    listed = await backends.catalog.list();
  } finally {
    await backends.close();
  }
  const registry = new ModelRegistry(config.modelsDir, async () => {});
  const model = await registry.get(o.model);
  const scenes = listed.sort((a, b) => Math.abs(a.grid.geotransform[1]) - Math.abs(b.grid.geotransform[1]));
  const ctx = createRasterContext({ policy: sourcePolicy(config), blockCacheBytes: 16 * 1024 * 1024 });
  try {
    const classNames = new Set(model.card.classes.map((c) => c.name));

    const samples: string[] = [line(['sample_id', 'location_id', 'longitude', 'latitude', 'start_date', 'end_date', 'label', 'coverage'])];
    const rows: Array<{ id: string; dates: string[]; vars: string[]; values: Float32Array }> = [];
    const allVars = new Set<string>();
    const skipped: ExportResult['skipped'] = [];
    for (const r of reports) {
      if (!classNames.has(r.class)) {
        skipped.push({ id: r.id, reason: `class ${r.class} is not a class of model ${model.id}` });
        continue;
      }
      const season = seasonOf(r.observedOn, model.startMonth);
      const covering = scenes.filter((s) => pixelAt(s, r.lon, r.lat) !== null);
      if (covering.length === 0) {
        skipped.push({ id: r.id, reason: `no scene in the catalog covers ${r.lon}, ${r.lat}` });
        continue;
      }
      let done = false;
      const reasons: string[] = [];
      for (const scene of covering) {
        let dates: string[];
        try {
          dates = chooseSeason(scene, { variables: model.variables, steps: model.steps, startMonth: model.startMonth }, season).dates;
        } catch (e) {
          reasons.push(`${scene.id}: ${(e as Error).message}`);
          continue;
        }
        const px = pixelAt(scene, r.lon, r.lat)!;
        // every known variable the scene has for all these dates (so one export serves the NDVI+EVI and 6-band models)
        const vars = KNOWN_VARIABLES.filter((v) => scene.variables.includes(v) && hasAll(scene, v, dates));
        const { features } = await readFeatures(ctx, scene, { variables: vars, dates, classCount: 0 }, [px.col, px.row, px.col + 1, px.row + 1]);
        if (features.some((x) => !Number.isFinite(x))) {
          reasons.push(`${scene.id}: the pixel has missing values in season ${season}`);
          continue;
        }
        const id = `report-${r.id}`;
        samples.push(line([id, `report-${scene.id}-${px.col}-${px.row}`, r.lon, r.lat, dates[0]!, dates[dates.length - 1]!, r.class, scene.id]));
        rows.push({ id, dates, vars, values: features });
        for (const v of vars) allVars.add(v);
        done = true;
        break;
      }
      if (!done) skipped.push({ id: r.id, reason: reasons.join('; ') || 'no usable scene' });
    }
    const vars = KNOWN_VARIABLES.filter((v) => allVars.has(v));
    const series: string[] = [line(['sample_id', 'date', ...vars])];
    for (const row of rows) {
      const T = row.dates.length;
      row.dates.forEach((d, t) => {
        series.push(line([row.id, d, ...vars.map((v) => {
          const vi = row.vars.indexOf(v);
          return vi < 0 ? '' : Number(row.values[vi * T + t]!.toFixed(6));
        })]));
      });
    }
    const timeseriesPath = timeseriesPathFor(o.out);
    mkdirSync(dirname(o.out), { recursive: true });
    await writeFileAtomic(o.out, samples.join('\n') + '\n');
    await writeFileAtomic(timeseriesPath, series.join('\n') + '\n');
    return { samplesPath: o.out, timeseriesPath, exported: rows.length, skipped };
  } finally {
    // the scenes' files, opened by this export in this process, closed now (not by the garbage collector)
    await ctx.close();
  }
}

function hasAll(scene: Scene, variable: string, dates: string[]): boolean {
  const have = new Set(scene.assets.flatMap((a) => a.bands.filter((b) => b.variable === variable).map((b) => b.date)));
  return dates.every((d) => have.has(d));
}
