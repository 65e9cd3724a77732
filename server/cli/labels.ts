/**
 * granary labels: the data-centric loop (docs/data-centric.md).
 *
 *   granary labels audit  [--variables ndvi,evi] [--folds k] [--seed n] [--epochs n] [--ensemble n]
 *                         [--samples csv] [--timeseries csv] [--out fixtures/labels/audit]
 *   granary labels review [--dir fixtures/labels/audit] [--reviewer name] [--out <dir>/label-decisions.reviewed.csv]
 *   granary labels export-reports --out <samples.csv> [--model id] [--status approved]
 *
 * main(args) returns the exit code (the args are those after "labels").
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../config.js';
import { GranaryError } from '../errors.js';

const USAGE = `usage:
  granary labels audit  [--variables ndvi,evi] [--folds 5] [--seed 20240607] [--epochs n] [--ensemble n]
                        [--samples csv] [--timeseries csv] [--out fixtures/labels/audit]
      out-of-fold probabilities (location-grouped CV, the MLP recipe of granary train), confident-learning
      flags; writes audit-report.json, suspect-samples.geojson and label-decisions.csv (decisions blank)
  granary labels review [--dir fixtures/labels/audit] [--reviewer name] [--out file]
      fills the blank decisions with the documented rule (models/train/audit-review.ts);
      writes <dir>/label-decisions.reviewed.csv. Then: granary train --decisions <that file>
  granary labels export-reports --out <samples.csv> [--model id] [--status approved]
      approved field reports -> samples CSV + <out stem>.timeseries.csv (pixel series read from the scenes)`;

async function exportReports(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, model: { type: 'string' }, status: { type: 'string' } } });
  if (!values.out) throw new GranaryError('bad-request', 'usage: granary labels export-reports --out <samples.csv> [--model id]');
  const { exportReports: run } = await import('../reports/export.js');
  const { loadConfig } = await import('../config.js');
  const r = await run(loadConfig(), { out: resolve(values.out), ...(values.model ? { model: values.model } : {}) });
  console.log(`wrote ${r.samplesPath} (${r.exported} samples) and ${r.timeseriesPath}`);
  for (const s of r.skipped) console.error(`skipped report ${s.id}: ${s.reason}`);
  return 0;
}

export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'audit' || sub === 'review') {
    // Trainer commands: bin/granary.js runs them from models/train/labels-cli.ts (the service never
    // imports the trainer), so they only reach here when this module is called directly.
    console.error(`granary labels ${sub} runs the trainer: use bin/granary.js (npm run granary -- labels ${sub} ...)`);
    return 2;
  }
  if (sub === 'export-reports') return exportReports(rest);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(USAGE);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

// Allow `node --import tsx server/cli/labels.ts audit ...` directly.
if (process.argv[1] && resolve(process.argv[1]) === resolve(PACKAGE_ROOT, 'server/cli/labels.ts')) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
