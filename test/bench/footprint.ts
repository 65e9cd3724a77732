/** Footprint trade-off: energy and CO2e per km2 classified by the shipped MLP beside the random forest. */
import { resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PACKAGE_ROOT } from '../../server/config.js';
import { loadOrMeasureModelCost, tradeOffRow } from '../../server/footprint/model-cost.js';
import { createFootprintRecorder } from '../../server/footprint/recorder.js';
import { fmt } from './stats.js';

/** MODIS MOD13Q1 pixel: 231.656 m square. */
const PIXEL_KM2 = (231.656 * 231.656) / 1e6;

export async function footprintBench(log: (s: string) => void): Promise<Record<string, number>> {
  const r = await loadOrMeasureModelCost(resolve(PACKAGE_ROOT, 'models'), mkdtempSync(resolve(tmpdir(), 'granary-fp-')), { force: true });
  if (!r.available) {
    log(`  not available: ${r.reason}`);
    return {};
  }
  const rec = createFootprintRecorder({});
  const jPerCpuS = rec.estimate(1000).joules;
  const rows = [r.cost.shipped, r.cost.baseline].map((c) => tradeOffRow(c, PIXEL_KM2, jPerCpuS, rec.intensity.gPerKWh));
  for (const row of rows) {
    log(`  ${row.role.padEnd(8)} ${row.id}: ${fmt(row.cpuUsPerPixel, 2)} CPU-us/px -> ${fmt(row.cpuSecondsPerKm2 * 1e6, 1)} CPU-us/km2, ${(row.whPerKm2 * 1e6).toFixed(2)} uWh/km2, ${(row.gCo2ePerKm2 * 1e6).toFixed(3)} ug CO2e/km2 (inference only, ${rec.intensity.gPerKWh} g/kWh)`);
  }
  log(`  the shipped MLP costs ${fmt(rows[1]!.whPerKm2 / rows[0]!.whPerKm2, 1)}x less energy per km2 than the random-forest baseline`);
  return { ratio: rows[1]!.whPerKm2 / rows[0]!.whPerKm2 };
}
