/**
 * `granary labels audit` and `granary labels review`: the trainer's half of the data-centric loop
 * (docs/data-centric.md). They run the trainer (cross-validation, confident learning), so they live
 * here, not in server/cli: bin/granary.js sends these two sub-commands straight to this module and
 * the service never imports models/train. main(args) takes the args after "labels" and returns the
 * exit code (2 for bad usage).
 *
 *   granary labels audit  [--variables ndvi,evi] [--folds k] [--seed n] [--epochs n] [--ensemble n]
 *                         [--samples csv] [--timeseries csv] [--out fixtures/labels/audit]
 *   granary labels review [--dir fixtures/labels/audit] [--reviewer name] [--out <dir>/label-decisions.reviewed.csv]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_AUDIT_DIR = join(repoRoot, 'fixtures', 'labels', 'audit');

/** Bad arguments or missing files: reported in one line with exit code 2. */
class UsageError extends Error {}

function intOpt(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

export async function audit(args: string[]): Promise<number> {
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
  const cli = await import('./cli.js');
  const { auditFiles, auditTable, writeAuditOutputs } = await import('./audit.js');
  const variables = (values.variables ?? 'ndvi,evi').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
  const unknown = variables.filter((v) => !cli.KNOWN_VARIABLES.includes(v));
  if (unknown.length > 0) throw new UsageError(`unknown variable(s) ${unknown.join(', ')}; known: ${cli.KNOWN_VARIABLES.join(', ')}`);
  const samplesCsv = resolve(values.samples ?? cli.DEFAULT_SAMPLES);
  const timeseriesCsv = resolve(values.timeseries ?? cli.DEFAULT_TIMESERIES);
  for (const f of [samplesCsv, timeseriesCsv]) if (!existsSync(f)) throw new UsageError(`file not found: ${f}`);
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
  const rel = (p: string) => (p.startsWith(repoRoot) ? p.slice(repoRoot.length).replace(/^[/\\]+/, '') : p);
  const files = writeAuditOutputs(r, outDir, { samplesCsv: rel(samplesCsv), timeseriesCsv: rel(timeseriesCsv), modelId: cli.defaultModelId(variables) });
  console.log(`\nout-of-fold CV: overall accuracy ${r.cv.overallAccuracy.toFixed(4)}, macro-F1 ${r.cv.macroF1.toFixed(4)} (${r.recipe.ensemble} x ${r.recipe.epochs} epochs)\n`);
  console.log(auditTable(r));
  console.log(`\nwrote ${files.join(', ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return 0;
}

export async function review(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' }, reviewer: { type: 'string' }, out: { type: 'string' } } });
  const { reviewFiles } = await import('./audit-review.js');
  const dir = resolve(values.dir ?? DEFAULT_AUDIT_DIR);
  const template = join(dir, 'label-decisions.csv');
  const evidence = join(dir, 'suspect-samples.geojson');
  for (const f of [template, evidence]) if (!existsSync(f)) throw new UsageError(`file not found: ${f} (run granary labels audit first)`);
  const out = resolve(values.out ?? join(dir, 'label-decisions.reviewed.csv'));
  const counts = reviewFiles({ template, evidence, out, reviewer: values.reviewer ?? 'rule-v1' });
  console.log(`wrote ${out}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  return 0;
}

export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'audit') return await audit(rest);
    if (sub === 'review') return await review(rest);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`granary labels ${sub}: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
  console.error('usage: granary labels audit|review ... (granary labels --help)');
  return 2;
}
