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
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

const DEFAULT_AUDIT_DIR = join(PACKAGE_ROOT, 'fixtures', 'labels', 'audit');

function intOpt(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new GranaryError('bad-request', `--${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

async function audit(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      variables: { type: 'string' },
      folds: { type: 'string' },
      seed: { type: 'string' },
      epochs: { type: 'string' },
      ensemble: { type: 'string' },
      samples: { type: 'string' },
      timeseries: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const cli = await import('../../models/train/cli.js');
  const { auditFiles, auditTable, writeAuditOutputs } = await import('../../models/train/audit.js');
  const variables = (values.variables ?? 'ndvi,evi').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
  const unknown = variables.filter((v) => !cli.KNOWN_VARIABLES.includes(v));
  if (unknown.length > 0) throw new GranaryError('bad-request', `unknown variable(s) ${unknown.join(', ')}; known: ${cli.KNOWN_VARIABLES.join(', ')}`);
  const samplesCsv = resolve(values.samples ?? cli.DEFAULT_SAMPLES);
  const timeseriesCsv = resolve(values.timeseries ?? cli.DEFAULT_TIMESERIES);
  for (const f of [samplesCsv, timeseriesCsv]) if (!existsSync(f)) throw new GranaryError('bad-request', `file not found: ${f}`);
  const outDir = resolve(values.out ?? DEFAULT_AUDIT_DIR);
  const folds = intOpt('folds', values.folds, 5, 2);
  const seed = intOpt('seed', values.seed, cli.DEFAULT_SEED, 0);
  const mlp = {
    ...(values.epochs !== undefined ? { epochs: intOpt('epochs', values.epochs, 60, 1) } : {}),
    ...(values.ensemble !== undefined ? { ensemble: intOpt('ensemble', values.ensemble, 3, 1) } : {}),
  };
  const t0 = Date.now();
  console.log(`granary labels audit: ${variables.join(',')}, location-grouped ${folds}-fold CV, seed ${seed}`);
  const r = auditFiles({ variables, folds, seed, samplesCsv, timeseriesCsv, mlp, log: (s) => console.log(s) });
  const rel = (p: string) => (p.startsWith(PACKAGE_ROOT) ? p.slice(PACKAGE_ROOT.length).replace(/^[/\\]+/, '') : p);
  const files = writeAuditOutputs(r, outDir, { samplesCsv: rel(samplesCsv), timeseriesCsv: rel(timeseriesCsv), modelId: cli.defaultModelId(variables) });
  console.log(`\nout-of-fold CV: overall accuracy ${r.cv.overallAccuracy.toFixed(4)}, macro-F1 ${r.cv.macroF1.toFixed(4)} (${r.recipe.ensemble} x ${r.recipe.epochs} epochs)\n`);
  console.log(auditTable(r));
  console.log(`\nwrote ${files.join(', ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return 0;
}

async function review(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' }, reviewer: { type: 'string' }, out: { type: 'string' } } });
  const { reviewFiles } = await import('../../models/train/audit-review.js');
  const dir = resolve(values.dir ?? DEFAULT_AUDIT_DIR);
  const template = join(dir, 'label-decisions.csv');
  const evidence = join(dir, 'suspect-samples.geojson');
  for (const f of [template, evidence]) if (!existsSync(f)) throw new GranaryError('bad-request', `file not found: ${f} (run granary labels audit first)`);
  const out = resolve(values.out ?? join(dir, 'label-decisions.reviewed.csv'));
  const counts = reviewFiles({ template, evidence, out, reviewer: values.reviewer ?? 'rule-v1' });
  console.log(`wrote ${out}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  return 0;
}

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
  if (sub === 'audit') return audit(rest);
  if (sub === 'review') return review(rest);
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
