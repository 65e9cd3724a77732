/**
 * Argument parsing for `granary train`. The lead's bin calls main(argv) with the arguments after
 * "train"; it returns a process exit code instead of exiting, so it can be tested and embedded.
 *
 *   granary train [--variables ndvi,evi] [--model-id id] [--seed n] [--folds k] [--out models]
 *                 [--epochs n] [--samples csv] [--timeseries csv]
 *                 [--decisions label-decisions.csv]   (reviewed labels: models/train/audit-retrain.ts)
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { train } from './train.js';
import { experimentsFor } from './ablate.js';
import { DEFAULT_TEMPCNN_RECIPE, type TempCnnRecipe } from './recipe-tempcnn.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_SAMPLES, DEFAULT_SEED, DEFAULT_TIMESERIES, repoRoot } from './defaults.js';

export { DEFAULT_SAMPLES, DEFAULT_SEED, DEFAULT_TIMESERIES };
export const KNOWN_VARIABLES = ['ndvi', 'evi', 'blue', 'red', 'nir', 'mir'];

export const USAGE = `usage: granary train [--variables ndvi,evi] [--arch mlp|tempcnn] [--model-id id] [--seed n] [--folds k]
                     [--out dir] [--epochs n] [--samples csv] [--timeseries csv] [--decisions csv]
Cross-validates the MLP against a random-forest baseline (location-grouped folds), fits a temperature
on the out-of-fold probabilities, then writes <out>/<model-id>.onnx + .json + .reliability.png and
<out>/baselines/<rf-id>.onnx + .json. With --arch tempcnn the released model is a TempCNN (recipe
TEMPCNN_RELEASE in models/train/cli.ts), cross-validated beside the MLP and the forest on the same folds.
Variables: ${KNOWN_VARIABLES.join(', ')} (default ndvi,evi). The shipped models:
  granary train --variables ndvi,evi
  granary train --variables ndvi,evi,blue,red,nir,mir
With --decisions <label-decisions.csv> (granary labels audit / review): applies the drop/relabel
decisions to a copy in memory, prints the location-grouped CV before and after side by side (also
the after-model on the original labels), then fits on the reviewed labels into --out (default: a
new temporary directory; the shipped models are not touched).
granary train ablate --help: the data-centric steps one by one in the same grouped CV.`;

/**
 * The released TempCNN recipe: the plain TempCNN plus the steps that helped on their own in grouped
 * CV (models/train/ablation-ndvi-evi.json, made by models/train/ablate.ts).
 */
export const TEMPCNN_RELEASE: TempCnnRecipe = { ...DEFAULT_TEMPCNN_RECIPE, classWeighting: 'sqrt-balanced' };

const readExperiments = (variables: readonly string[]) =>
  variables.join(',') === 'ndvi,evi' ? experimentsFor(TEMPCNN_RELEASE) : [];

/** Default id: granary-<arch>-ndvi-evi, granary-<arch>-6band for all six, else the variables joined. */
export function defaultModelId(variables: readonly string[], arch: 'mlp' | 'tempcnn' = 'mlp'): string {
  if (variables.length === KNOWN_VARIABLES.length && KNOWN_VARIABLES.every((v) => variables.includes(v))) {
    return `granary-${arch}-6band`;
  }
  return `granary-${arch}-${variables.join('-')}`;
}

function intArg(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

export async function main(argv: string[], log: (s: string) => void = (s) => console.log(s)): Promise<number> {
  if (argv[0] === 'ablate') {
    const ablate = await import('./ablate.js');
    return ablate.main(argv.slice(1), log);
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        variables: { type: 'string' },
        'model-id': { type: 'string' },
        seed: { type: 'string' },
        folds: { type: 'string' },
        out: { type: 'string' },
        epochs: { type: 'string' },
        samples: { type: 'string' },
        timeseries: { type: 'string' },
        decisions: { type: 'string' },
        arch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    log(USAGE);
    return 0;
  }
  try {
    const variables = (values.variables ?? 'ndvi,evi').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
    const unknown = variables.filter((v) => !KNOWN_VARIABLES.includes(v));
    if (unknown.length > 0) throw new Error(`unknown variable(s) ${unknown.join(', ')}; known: ${KNOWN_VARIABLES.join(', ')}`);
    const epochs = values.epochs === undefined ? undefined : intArg('epochs', values.epochs, 0, 1);
    const t0 = Date.now();
    if (values.decisions !== undefined) {
      const { trainWithDecisions } = await import('./audit-retrain.js');
      const r = await trainWithDecisions({
        variables,
        modelId: values['model-id'] ?? `${defaultModelId(variables)}-reviewed`,
        seed: intArg('seed', values.seed, DEFAULT_SEED, 0),
        folds: intArg('folds', values.folds, 5, 2),
        outDir: values.out ?? mkdtempSync(join(tmpdir(), 'granary-reviewed-')),
        samplesCsv: values.samples ?? DEFAULT_SAMPLES,
        timeseriesCsv: values.timeseries ?? DEFAULT_TIMESERIES,
        decisions: values.decisions,
        ...(epochs !== undefined ? { epochs } : {}),
        log,
      });
      log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${r.onnxPath}`);
      return 0;
    }
    const arch = values.arch ?? 'mlp';
    if (arch !== 'mlp' && arch !== 'tempcnn') throw new Error(`--arch must be mlp or tempcnn, got "${arch}"`);
    const r = await train({
      variables,
      arch,
      ...(arch === 'tempcnn' ? { tempcnn: TEMPCNN_RELEASE, experiments: readExperiments(variables) } : {}),
      modelId: values['model-id'] ?? defaultModelId(variables, arch),
      seed: intArg('seed', values.seed, DEFAULT_SEED, 0),
      folds: intArg('folds', values.folds, 5, 2),
      outDir: values.out ?? `${repoRoot}models`,
      samplesCsv: values.samples ?? DEFAULT_SAMPLES,
      timeseriesCsv: values.timeseries ?? DEFAULT_TIMESERIES,
      ...(epochs !== undefined ? { epochs } : {}),
      log,
    });
    log(
      `done in ${((Date.now() - t0) / 1000).toFixed(0)} s: CV overall accuracy ${r.card.metrics.overallAccuracy}, ` +
        `macro-F1 ${r.card.metrics.macroF1} (baseline ${r.card.metrics.baseline?.overallAccuracy} / ${r.card.metrics.baseline?.macroF1})`,
    );
    return 0;
  } catch (e) {
    console.error(`granary train: ${(e as Error).message}`);
    return 1;
  }
}

// Allow `node --import tsx models/train/cli.ts --variables ...` directly.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
