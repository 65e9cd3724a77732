/**
 * `npm run bench`: benchmarks, each beside a baseline run in the same process, as ratios.
 * Figures vary with machine load: compare ratios, not absolute times across runs.
 *   npm run bench            all sections
 *   npm run bench -- tiles   one section
 *   npm run bench -- cluster crop-map jobs on 1 and 2 workers, tiles through nginx on 1 and 2 replicas (PostgreSQL, Redis, nginx)
 *   npm run bench -- alerts  event-loop time of an alert evaluation, rules in-process vs in the worker
 *   npm run bench -- fair    tile latency p50/p99 under heavy zonal load from another client, lanes on and off
 *   npm run bench -- gdal [--seconds 6] [--rounds 1] [--starts 3] [--format png|webp|jpg] [--cold-only]   beside a rasterio/GDAL tile server
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { distIsCurrent } from '../../scripts/dist-state.mjs';
import { PACKAGE_ROOT } from '../../server/config.js';
import { tileBench } from './tiles.js';
import { cropBench } from './crops.js';
import { zonalBench } from './zonal.js';
import { browserBench } from './browser.js';
import { footprintBench } from './footprint.js';
import { gdalBench } from './gdal.js';
import { stageBench } from './stages.js';
import { clusterBench } from './cluster.js';
import { fairBench } from './fair.js';
import { alertBench } from './alerts.js';

const sections: Record<string, (log: (s: string) => void) => Promise<unknown>> = {
  tiles: tileBench,
  stages: stageBench,
  crops: cropBench,
  zonal: zonalBench,
  footprint: footprintBench,
  browser: browserBench,
  gdal: (log) => gdalBench(log, process.argv.slice(2)),
  cluster: clusterBench,
  fair: fairBench,
  alerts: alertBench,
};

// Section names; flags after them (--seconds 6 ...) belong to the sections. `gdal` runs only when named.
const wanted = process.argv.slice(2).filter((a) => a in sections);
// the processes the benchmarks start run dist/ (bin/granary.js); a stale dist/ would silently run
// the TypeScript through tsx, several times slower to start: built first
if (!distIsCurrent(PACKAGE_ROOT)) {
  console.log('dist/ is older than the sources: building it (scripts/build-server.mjs)');
  if (spawnSync(process.execPath, ['scripts/build-server.mjs'], { cwd: PACKAGE_ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build-server failed');
}
console.log(`Granary benchmarks: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${new Date().toISOString()}`);
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length > 0 ? !wanted.includes(name) : name === 'gdal' || name === 'cluster') continue;
  console.log(`\n[${name}]`);
  await run((s) => console.log(s));
}
process.exit(0);
