/**
 * Alert rules: pure functions from data to alerts. Each alert has a stable id (the same situation gives
 * the same id on every evaluation, so a webhook delivers it once).
 *   dry-spell                a dry spell in the growing season at a station serving a municipality
 *   crop-condition-drop      the municipality's mean NDVI well below the other seasons' at the same
 *                            composite, two composites running (only where >= 3 other seasons exist)
 *   pest-disease-cluster     approved field reports of the category pest or disease, close in space and time
 */
import { createHash } from 'node:crypto';
import type { AlertCode, MessageParams } from '../contract/alert-messages.js';
import type { ReportCategory } from '../contract/reports.js';
import type { DailyRow } from '../weather/daily.js';
import type { Station } from '../weather/store.js';
import { drySpells, growingSeasonWindow, haversineKm, DEFAULT_RULES, type SeasonRules } from '../weather/season.js';

export type AlertKind = 'dry-spell' | 'crop-condition-drop' | 'pest-disease-cluster';
/** GEOGLAM Crop Monitor words: Watch (a concern), Poor (a serious one) */
export type AlertSeverity = 'watch' | 'poor';

export interface Alert {
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  regionId: string | null;
  regionName: string | null;
  /** language-neutral message: the title and detail are rendered per language when served (server/contract/alert-messages.ts) */
  code: AlertCode;
  params: MessageParams;
  /** the period the alert is about (ISO dates) */
  start: string;
  end: string;
  /** when the situation was last seen (ISO date): the feed's order */
  updated: string;
  location: { lon: number; lat: number } | null;
  evidence: Record<string, unknown>;
}

const alertId = (...parts: Array<string | number>) => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 24);

// ---------------------------------------------------------------------------------------------- dry spells
interface DrySpellInput {
  regions: ReadonlyArray<{ id: string; name: string; lon: number; lat: number }>;
  stations: readonly Station[];
  daily: ReadonlyMap<string, readonly DailyRow[]>;
  seasons: readonly number[];
  asOf: string;
  rules?: SeasonRules;
  /** stations within this distance of the municipality's point serve it (default 100 km), at most `perRegion` (3) */
  maxStationKm?: number;
  perRegion?: number;
}

export function drySpellAlerts(input: DrySpellInput): Alert[] {
  const rules = input.rules ?? DEFAULT_RULES;
  const maxKm = input.maxStationKm ?? 100;
  const out: Alert[] = [];
  // a station's spells do not depend on the municipality: computed once per station and season
  const spellsMemo = new Map<string, ReturnType<typeof drySpells>>();
  const spellsOf = (id: string, from: string, to: string) => {
    const k = `${id}|${from}|${to}`;
    let v = spellsMemo.get(k);
    if (!v) spellsMemo.set(k, (v = drySpells(input.daily.get(id) ?? [], from, to, rules)));
    return v;
  };
  const hasRain = new Map(input.stations.map((s) => [s.id, (input.daily.get(s.id) ?? []).some((d) => d.precipMm !== null)]));
  for (const region of input.regions) {
    const serving = input.stations
      .map((s) => ({ s, km: haversineKm(region.lon, region.lat, s.lon, s.lat) }))
      .filter((x) => x.km <= maxKm && hasRain.get(x.s.id) === true)
      .sort((a, b) => a.km - b.km)
      .slice(0, input.perRegion ?? 3);
    for (const season of input.seasons) {
      const w = growingSeasonWindow(season);
      const to = input.asOf < w.to ? input.asOf : w.to;
      if (to < w.from) continue;
      for (const { s, km } of serving) {
        for (const spell of spellsOf(s.id, w.from, to)) {
          const severity: AlertSeverity = spell.days >= 2 * rules.minDrySpellDays ? 'poor' : 'watch';
          out.push({
            id: alertId('dry-spell', region.id, s.id, spell.start),
            kind: 'dry-spell',
            severity,
            regionId: region.id,
            regionName: region.name,
            code: spell.ongoing ? 'dry-spell-ongoing' : 'dry-spell',
            params: { days: spell.days, station: s.name, stationId: s.id, km: Math.round(km * 10) / 10, region: region.name, start: spell.start, end: spell.end, season, seasonEnd: season + 1, dryDayMm: rules.dryDayMm },
            start: spell.start,
            end: spell.end,
            updated: spell.end,
            location: { lon: s.lon, lat: s.lat },
            evidence: { stationId: s.id, stationName: s.name, distanceKm: Math.round(km * 10) / 10, days: spell.days, ongoing: spell.ongoing, dryDayMm: rules.dryDayMm, minDrySpellDays: rules.minDrySpellDays, season },
          });
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------- crop condition
export interface RegionSeasonSeries {
  regionId: string;
  regionName: string;
  season: number;
  dates: readonly string[];
  mean: ReadonlyArray<number | null>;
}

interface ConditionRules {
  /** other seasons needed for a normal (default 3) */
  minOtherSeasons: number;
  /** a composite is low when below normal - max(zDrop x sd, minDrop) (defaults 2, 0.05 NDVI) */
  zDrop: number;
  minDrop: number;
  /** consecutive low composites that raise the alert (default 2) */
  run: number;
}

export const CONDITION_RULES: ConditionRules = { minOtherSeasons: 3, zDrop: 2, minDrop: 0.05, run: 2 };

export interface ConditionResult {
  alerts: Alert[];
  /** regions where no normal exists, and why */
  withoutNormal: Array<{ regionId: string; regionName: string; seasons: number; reason: string }>;
}

/** Compares each season's composite k with the mean and sd of the other seasons' composite k. */
export function cropConditionAlerts(series: readonly RegionSeasonSeries[], rules: ConditionRules = CONDITION_RULES): ConditionResult {
  const byRegion = new Map<string, RegionSeasonSeries[]>();
  for (const s of series) byRegion.set(s.regionId, [...(byRegion.get(s.regionId) ?? []), s]);
  const alerts: Alert[] = [];
  const withoutNormal: ConditionResult['withoutNormal'] = [];
  for (const [regionId, list] of byRegion) {
    const regionName = list[0]!.regionName;
    if (list.length - 1 < rules.minOtherSeasons) {
      withoutNormal.push({ regionId, regionName, seasons: list.length, reason: `${list.length} season(s) of imagery; a normal needs ${rules.minOtherSeasons} other seasons` });
      continue;
    }
    for (const cur of list) {
      const others = list.filter((o) => o !== cur);
      let runStart = -1;
      let runLen = 0;
      const flush = (endIdx: number) => {
        if (runLen < rules.run) return;
        const k0 = runStart;
        const stats = normalAt(others, k0);
        alerts.push({
          id: alertId('crop-condition-drop', regionId, cur.season, cur.dates[k0]!),
          kind: 'crop-condition-drop',
          severity: runLen >= 2 * rules.run ? 'poor' : 'watch',
          regionId,
          regionName,
          code: 'crop-condition-drop',
          params: { region: regionName, composites: runLen, start: cur.dates[k0]!, end: cur.dates[endIdx]!, otherSeasons: others.length, zDrop: rules.zDrop, minDrop: rules.minDrop },
          start: cur.dates[k0]!,
          end: cur.dates[endIdx]!,
          updated: cur.dates[endIdx]!,
          location: null,
          evidence: { season: cur.season, value: cur.mean[k0], normal: stats?.mean ?? null, sd: stats?.sd ?? null, otherSeasons: others.map((o) => o.season), composites: runLen },
        });
      };
      for (let k = 0; k < cur.dates.length; k++) {
        const v = cur.mean[k];
        const stats = normalAt(others, k);
        const low = v !== null && v !== undefined && stats !== null && v < stats.mean - Math.max(rules.zDrop * stats.sd, rules.minDrop);
        if (low) {
          if (runLen === 0) runStart = k;
          runLen++;
        } else {
          flush(k - 1);
          runLen = 0;
        }
      }
      flush(cur.dates.length - 1);
    }
  }
  return { alerts, withoutNormal };
}

function normalAt(others: readonly RegionSeasonSeries[], k: number): { mean: number; sd: number } | null {
  const v = others.map((o) => o.mean[k]).filter((x): x is number => typeof x === 'number');
  if (v.length < 2) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean: Math.round(mean * 1e4) / 1e4, sd: Math.round(sd * 1e4) / 1e4 };
}

// ---------------------------------------------------------------------------------- pest and disease
/**
 * The categories that make an approved field report a threat report: the reporter's own choice
 * (POST /api/field-reports `category`) or the reviewer's (the review's `category`), not words found in the note. A word list misread notes such as
 * "sem praga" (no pest) or "trust" (rust) as threats and missed every word not on it. A report without
 * a category (sent before it existed, or by a client that does not send one) is not a threat report
 * until a reviewer classifies it.
 */
export const THREAT_CATEGORIES: readonly ReportCategory[] = ['pest', 'disease'];

export interface ReportPoint {
  id: number;
  lon: number;
  lat: number;
  date: string;
  category: ReportCategory | null;
  note: string | null;
}

const isThreat = (r: ReportPoint) => r.category !== null && THREAT_CATEGORIES.includes(r.category);

interface ClusterRules {
  distanceKm: number;
  days: number;
  minReports: number;
}

export const CLUSTER_RULES: ClusterRules = { distanceKm: 10, days: 14, minReports: 3 };

const dayNo = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;

/** A group of threat reports close in space and time (before it is placed in a municipality). */
export interface PestCluster {
  reportIds: number[];
  categories: ReportCategory[];
  notes: Array<string | null>;
  first: string;
  last: string;
  firstId: number;
  lon: number;
  lat: number;
}

/**
 * Clusters = connected groups of threat reports where each is within `distanceKm` and `days` of
 * another in the group (single linkage, as DBSCAN with minPts 1); groups of >= minReports are kept.
 * O(n^2) in the approved threat reports, which are few. Pure CPU (runs in a worker: server/alerts/evaluate.ts).
 */
export function pestClusters(reports: readonly ReportPoint[], rules: ClusterRules = CLUSTER_RULES): PestCluster[] {
  const threats = reports.filter(isThreat);
  const parent = threats.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < threats.length; i++) {
    for (let j = i + 1; j < threats.length; j++) {
      const a = threats[i]!;
      const b = threats[j]!;
      if (Math.abs(dayNo(a.date) - dayNo(b.date)) <= rules.days && haversineKm(a.lon, a.lat, b.lon, b.lat) <= rules.distanceKm) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, ReportPoint[]>();
  threats.forEach((r, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), r]));
  const out: PestCluster[] = [];
  for (const g of groups.values()) {
    if (g.length < rules.minReports) continue;
    const sorted = [...g].sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id);
    out.push({
      reportIds: sorted.map((r) => r.id),
      categories: sorted.map((r) => r.category!),
      notes: sorted.map((r) => r.note),
      first: sorted[0]!.date,
      last: sorted[sorted.length - 1]!.date,
      firstId: sorted[0]!.id,
      lon: Math.round((g.reduce((s, r) => s + r.lon, 0) / g.length) * 1e5) / 1e5,
      lat: Math.round((g.reduce((s, r) => s + r.lat, 0) / g.length) * 1e5) / 1e5,
    });
  }
  return out;
}

/** Clusters as alerts, placed in the municipality of their centroid (cheap: one lookup per cluster). */
export function clusterAlerts(clusters: readonly PestCluster[], regionAt: (lon: number, lat: number) => { id: string; name: string } | null, rules: ClusterRules = CLUSTER_RULES): Alert[] {
  return clusters.map((c) => {
    const region = regionAt(c.lon, c.lat);
    const n = c.reportIds.length;
    return {
      id: alertId('pest-disease-cluster', c.firstId),
      kind: 'pest-disease-cluster',
      severity: n >= 2 * rules.minReports ? 'poor' : 'watch',
      regionId: region?.id ?? null,
      regionName: region?.name ?? null,
      code: region ? 'pest-disease-cluster' : 'pest-disease-cluster-unplaced',
      params: { n, region: region?.name ?? null, start: c.first, end: c.last, distanceKm: rules.distanceKm, days: rules.days },
      start: c.first,
      end: c.last,
      updated: c.last,
      location: { lon: c.lon, lat: c.lat },
      evidence: { reportIds: c.reportIds, categories: c.categories, notes: c.notes, distanceKm: rules.distanceKm, days: rules.days, minReports: rules.minReports },
    };
  });
}

export function pestClusterAlerts(reports: readonly ReportPoint[], regionAt: (lon: number, lat: number) => { id: string; name: string } | null, rules: ClusterRules = CLUSTER_RULES): Alert[] {
  return clusterAlerts(pestClusters(reports, rules), regionAt, rules);
}
