/**
 * Alert evaluation: what the event loop pays per evaluation before and after the rules moved to the
 * pool's `alert-rules` task (issue #18). Baseline = the rules run in this process, as they did on the
 * event loop; now = what stays on it: the rain arrays built from the store's rows, and the copy of the
 * task's input and output across the process boundary (v8 serialise + deserialise of both, as the
 * pool's 'advanced' IPC does). Real data: the 141 municipalities, the 30 INMET stations of 2025, the
 * Sinop and Ipiranga start-of-season products, and 300 constructed pest reports (the O(n^2) clustering).
 */
import { resolve } from 'node:path';
import { serialize, deserialize } from 'node:v8';
import { pointOnFeature } from '@turf/turf';
import { PACKAGE_ROOT } from '../../server/config.js';
import { loadRegions } from '../../server/regions/load.js';
import { CsvWeatherStore } from '../../server/weather/store.js';
import { PhenologyService } from '../../server/phenology/service.js';
import { evaluateAlertRules, rainOf, type AlertRulesInput } from '../../server/alerts/evaluate.js';
import { percentile, fmt } from './stats.js';

export async function alertBench(log: (s: string) => void): Promise<Record<string, number>> {
  const regions = loadRegions(resolve(PACKAGE_ROOT, 'fixtures/regions.config.json')).regions;
  const points = regions.map((r) => {
    const [lon, lat] = pointOnFeature(r).geometry.coordinates as [number, number];
    return { id: r.id, name: r.properties.name, lon, lat };
  });
  const store = new CsvWeatherStore(resolve(PACKAGE_ROOT, 'fixtures/weather'));
  const stations = await store.stations();
  const rows = new Map(await Promise.all(stations.map(async (s) => [s.id, await store.daily(s.id, '0000-01-01', '2025-12-31')] as const)));
  const names = new Map(points.map((p) => [p.id, p.name]));
  const series = new PhenologyService(resolve(PACKAGE_ROOT, 'fixtures/phenology')).list().flatMap((p) => p.regionSeries.map((r) => ({ ...r, regionName: names.get(r.regionId) ?? r.regionId })));
  const reports = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, lon: -55.5 + ((i * 37) % 100) / 200, lat: -12 + ((i * 53) % 100) / 200, date: `2025-11-${String(1 + (i % 28)).padStart(2, '0')}`, category: i % 3 === 0 ? ('pest' as const) : null, note: i % 3 === 0 ? 'lagarta na soja' : 'soja boa' }));
  const build = (): AlertRulesInput => ({ regions: points, stations, rain: Object.fromEntries(stations.map((s) => [s.id, rainOf(rows.get(s.id)!)])), seasons: [2024, 2025], asOf: '2025-12-31', series, reports });

  const runs = 15;
  const before: number[] = [];
  const after: number[] = [];
  let alerts = 0;
  for (let i = 0; i < runs + 2; i++) {
    let t = performance.now();
    const out = evaluateAlertRules(build());
    const ruleMs = performance.now() - t;
    alerts = out.dry.length + out.condition.alerts.length + out.clusters.length;
    t = performance.now();
    const input = build();
    deserialize(serialize(input));
    deserialize(serialize(out));
    const loopMs = performance.now() - t;
    if (i >= 2) {
      before.push(ruleMs);
      after.push(loopMs);
    }
  }
  const b = percentile(before, 50);
  const a = percentile(after, 50);
  log(`  ${points.length} municipalities, ${stations.length} stations, ${series.length} region-seasons, ${reports.length} reports -> ${alerts} alerts/clusters`);
  log(`  event loop per evaluation: rules in-process (before) p50 ${fmt(b)} ms p95 ${fmt(percentile(before, 95))} ms | in the worker (now: input + IPC copies) p50 ${fmt(a)} ms p95 ${fmt(percentile(after, 95))} ms | ${fmt(b / a)}x less`);
  return { beforeP50Ms: b, afterP50Ms: a };
}
