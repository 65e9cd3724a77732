/**
 * `npm run bench`: benchmarks, each beside a baseline run in the same process, as ratios.
 * Figures vary with machine load: compare ratios, not absolute times across runs.
 *   npm run bench            all sections
 *   npm run bench -- tiles   one section
 */
import { cpus } from 'node:os';
import { tileBench } from './tiles.js';
import { cropBench } from './crops.js';
import { zonalBench } from './zonal.js';
import { browserBench } from './browser.js';
import { footprintBench } from './footprint.js';

const sections: Record<string, (log: (s: string) => void) => Promise<unknown>> = {
  tiles: tileBench,
  crops: cropBench,
  zonal: zonalBench,
  footprint: footprintBench,
  browser: browserBench,
};

const wanted = process.argv.slice(2);
console.log(`Granary benchmarks: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${new Date().toISOString()}`);
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n[${name}]`);
  await run((s) => console.log(s));
}
process.exit(0);
