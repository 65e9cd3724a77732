/**
 * Evaluates every alert rule on the service's data: weather (stations serving each municipality),
 * start-of-season products (municipal NDVI per season), approved field reports. This process only
 * reads the stores; the rules themselves run in a worker (`runRules`: the pool's `alert-rules` task,
 * server/alerts/evaluate.ts), so an evaluation never holds the event loop.
 */
import { pointOnFeature } from '@turf/turf';
import type { RegionsService } from '../plugins/regions.js';
import type { WeatherService } from '../weather/service.js';
import type { PhenologyService } from '../phenology/service.js';
import type { FieldReportStore } from '../reports/store.js';
import { seasonOfDate } from '../weather/season.js';
import { clusterAlerts, CLUSTER_RULES, CONDITION_RULES, THREAT_CATEGORIES, type Alert } from './rules.js';
import { rainOf, type AlertRulesInput, type AlertRulesOutput, type StationRain } from './evaluate.js';

interface Evaluation {
  asOf: string;
  alerts: Alert[];
  rules: Array<{ kind: string; description: string; status: string }>;
}

export class AlertsService {
  private pointsMemo: Array<{ id: string; name: string; lon: number; lat: number }> | null = null;
  private memo: { key: string; at: number; value: Evaluation } | null = null;

  constructor(
    private readonly deps: { regions: RegionsService; weather: WeatherService; phenology: PhenologyService; reports: FieldReportStore; regionAt: (lon: number, lat: number) => { id: string; name: string } | null; runRules: (input: AlertRulesInput) => Promise<AlertRulesOutput> },
  ) {}

  /** A point inside each region, computed on the first evaluation (not at start-up: ~30 ms). */
  private get points(): Array<{ id: string; name: string; lon: number; lat: number }> {
    return (this.pointsMemo ??= this.deps.regions.regions.map((r) => {
      const [lon, lat] = pointOnFeature(r).geometry.coordinates as [number, number];
      return { id: r.id, name: r.properties.name, lon, lat };
    }));
  }

  async evaluate(opts: { asOf?: string } = {}): Promise<Evaluation> {
    const stations = await this.deps.weather.stations();
    const latest = stations.map((s) => s.lastDay ?? '').sort().at(-1) ?? new Date().toISOString().slice(0, 10);
    const asOf = opts.asOf ?? latest;
    const key = `${asOf}|${stations.map((s) => `${s.id}:${s.days}:${s.lastDay}`).join(',')}|${await this.deps.reports.version()}`;
    if (this.memo && this.memo.key === key && Date.now() - this.memo.at < 60_000) return this.memo.value;

    const rain: Record<string, StationRain> = {};
    const store = this.deps.weather.store();
    for (const s of stations) rain[s.id] = rainOf(await store.daily(s.id, '0000-01-01', asOf));
    const season = seasonOfDate(asOf);
    const names = new Map(this.points.map((p) => [p.id, p.name]));
    const series = this.deps.phenology.list().flatMap((p) => (p.regionSeries ?? []).filter((r) => r.dates[0]! <= asOf).map((r) => ({ ...r, regionName: names.get(r.regionId) ?? r.regionId })));
    const reports = (await this.deps.reports.approved()).filter((r) => r.observedOn <= asOf).map((r) => ({ id: r.id, lon: r.lon, lat: r.lat, date: r.observedOn, category: r.category, note: r.note }));

    const { dry, condition, clusters } = await this.deps.runRules({ regions: this.points, stations, rain, seasons: [season - 1, season], asOf, series, reports });
    const pests = clusterAlerts(clusters, this.deps.regionAt);

    const alerts = [...dry, ...condition.alerts, ...pests].sort((a, b) => b.updated.localeCompare(a.updated) || a.id.localeCompare(b.id));
    const value: Evaluation = {
      asOf,
      alerts,
      rules: [
        { kind: 'dry-spell', description: 'a dry spell (>= 10 consecutive days < 1 mm) in the growing season (1 Sep - 30 Jun) at any of the 3 nearest stations within 100 km that have rain data; poor when >= 20 days', status: `${stations.length} stations, seasons ${season - 1}-${season + 1}` },
        { kind: 'crop-condition-drop', description: `the municipality's mean NDVI below the mean of the other seasons by more than max(${CONDITION_RULES.zDrop} sd, ${CONDITION_RULES.minDrop}) for ${CONDITION_RULES.run} composites running; needs ${CONDITION_RULES.minOtherSeasons} other seasons of imagery`, status: condition.withoutNormal.length ? `no normal for ${condition.withoutNormal.map((w) => `${w.regionName} (${w.reason})`).join('; ')}` : 'evaluated' },
        { kind: 'pest-disease-cluster', description: `>= ${CLUSTER_RULES.minReports} approved field reports of the category ${THREAT_CATEGORIES.join(' or ')} (the reporter's choice or the reviewer's correction; reports without a category do not count), each within ${CLUSTER_RULES.distanceKm} km and ${CLUSTER_RULES.days} days of another`, status: `${reports.length} approved reports` },
      ],
    };
    this.memo = { key, at: Date.now(), value };
    return value;
  }
}
