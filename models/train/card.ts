/** Assembles a model card (models/contract/model-card.ts) from a training run's results. */
import type { CardCalibration, Experiment, MetricsBlock, ModelCard, Normalisation } from '../contract/model-card.js';
import { validateCard } from '../contract/model-card.js';
import { classEntries } from './classes.js';
import type { CvResult } from './cross-validate.js';
import { sha256 } from './files.js';
import type { Sample } from '../contract/samples.js';

export const STEPS = 23;
const STEP_DAYS = 16;
/** Day of year of each composite's first day: 257, 273, ..., 353, then 1, 17, ..., 241. */
export const COMPOSITE_DOY = [257, 273, 289, 305, 321, 337, 353, 1, 17, 33, 49, 65, 81, 97, 113, 129, 145, 161, 177, 193, 209, 225, 241];

const UNITS: Record<string, string> = {
  ndvi: 'NDVI, unitless -1..1 (MOD13Q1 integer / 10000)',
  evi: 'EVI, unitless -1..1 (MOD13Q1 integer / 10000)',
  blue: 'surface reflectance 0..1, MODIS band 3 (459-479 nm)',
  red: 'surface reflectance 0..1, MODIS band 1 (620-670 nm)',
  nir: 'surface reflectance 0..1, MODIS band 2 (841-876 nm)',
  mir: 'surface reflectance 0..1, MODIS band 7 (2105-2155 nm)',
};

const SOURCE =
  'e-sensing/sits samples_mt_9classes (data/samples_mt_9classes.rda at 8534ba25c3e346215d8b2d4707eb7724be7ddf7e), ' +
  'public ~80 % location-grouped split: fixtures/labels/mt_9classes_{samples,timeseries}_public.csv';
const LICENCE = 'GPL-2 (e-sensing/sits samples_mt_9classes)';

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export function metricsBlock(model: string, cv: CvResult): MetricsBlock {
  return {
    model,
    overallAccuracy: round4(cv.overallAccuracy),
    macroF1: round4(cv.macroF1),
    perClass: cv.perClass.map((c) => ({
      name: c.name,
      precision: round4(c.precision),
      recall: round4(c.recall),
      f1: round4(c.f1),
      support: c.support,
    })),
    confusionMatrix: cv.confusionMatrix.map((r) => [...r]),
  };
}

interface CardInputs {
  id: string;
  title: string;
  version: string;
  family: string;
  description: string;
  hyperparameters: Record<string, number | string | number[]>;
  variables: string[];
  normalisation: Normalisation;
  inputName: string;
  outputName: string;
  classNames: string[];
  metrics: MetricsBlock;
  baseline?: MetricsBlock;
  comparisons?: MetricsBlock[];
  experiments?: Experiment[];
  calibration?: CardCalibration;
  folds: number;
  seed: number;
  samples: readonly Sample[];
  samplesCsv: string;
  timeseriesCsv: string;
  onnx: Uint8Array;
  limitations: string[];
}

/** The newest end date among the samples: a creation date that depends only on the data. */
function dataDate(samples: readonly Sample[]): string {
  const d = samples.map((s) => s.endDate).filter((x) => /^\d{4}-\d{2}-\d{2}$/.test(x)).sort();
  return d[d.length - 1] ?? '1970-01-01';
}

/** "2000-09 .. 2016-08": first start and last end month of the samples. */
export function seasonRange(samples: readonly Sample[]): string {
  const starts = samples.map((s) => s.startDate).filter(Boolean).sort();
  return `${(starts[0] ?? '?').slice(0, 7)} .. ${dataDate(samples).slice(0, 7)}`;
}

export function buildCard(c: CardInputs): ModelCard {
  const classCounts: Record<string, number> = {};
  for (const name of c.classNames) classCounts[name] = 0;
  for (const s of c.samples) classCounts[s.label] = (classCounts[s.label] ?? 0) + 1;
  const card: ModelCard = {
    cardVersion: 1,
    id: c.id,
    title: c.title,
    version: c.version,
    task: 'crop-type-classification',
    created: dataDate(c.samples),
    architecture: { family: c.family, description: c.description, hyperparameters: c.hyperparameters },
    inputs: {
      variables: c.variables,
      steps: STEPS,
      stepDays: STEP_DAYS,
      season: {
        startMonth: 9,
        startDay: 14,
        endMonth: 8,
        compositeDoy: COMPOSITE_DOY,
        description:
          'one September-August season of MOD13Q1 16-day composites, by start date: 14 Sep, 30 Sep, ... 19 Dec, ' +
          'then 1 Jan, 17 Jan, ... 29 Aug (the MODIS calendar restarts each 1 January, so 19 Dec -> 1 Jan is 13 days; ' +
          'from March on, dates are one day earlier in leap years)',
      },
      layout: 'variable-major',
      units: Object.fromEntries(c.variables.map((v) => [v, UNITS[v] ?? 'unspecified'])),
      normalisation: c.normalisation,
      inputName: c.inputName,
      outputName: c.outputName,
    },
    classes: classEntries(c.classNames),
    metrics: {
      validation:
        `location-grouped, class-stratified ${c.folds}-fold cross-validation on the public samples: all seasons of a ` +
        'location are in the same fold; one summed confusion matrix (each sample predicted once by a model that never saw its location)',
      folds: c.folds,
      seed: c.seed,
      classOrder: [...c.classNames],
      ...c.metrics,
      ...(c.baseline ? { baseline: c.baseline } : {}),
      ...(c.comparisons ? { comparisons: c.comparisons } : {}),
      ...(c.experiments ? { experiments: c.experiments } : {}),
    },
    ...(c.calibration ? { calibration: c.calibration } : {}),
    trainingData: {
      source: SOURCE,
      licence: LICENCE,
      samples: c.samples.length,
      locations: new Set(c.samples.map((s) => s.locationId)).size,
      seasons: seasonRange(c.samples),
      classCounts,
      sha256: { samples: sha256(c.samplesCsv), timeseries: sha256(c.timeseriesCsv) },
    },
    file: { name: `${c.id}.onnx`, sha256: sha256(c.onnx), bytes: c.onnx.length },
    limitations: c.limitations,
  };
  return validateCard(card);
}

export function limitations(variables: readonly string[], classCounts: Record<string, number>, seasons: string, calibrated = false): string[] {
  const rare = Object.entries(classCounts)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `Trained on MODIS MOD13Q1 (~231 m "250 m" pixels, 16-day composites) samples from across Mato Grosso, Brazil, seasons ${seasons}. ` +
      'Not valid for other sensors (Sentinel-2, Landsat), other regions or other crop calendars without retraining.',
    `Needs the whole September-August season: ${STEPS} composites of ${variables.join(', ')} in physical units, gap-filled. ` +
      'It cannot classify a season in progress, and has no cloud or missing-value handling.',
    'At ~231 m many pixels are mixed (field edges, small fields, roads, riparian strips); the samples are labelled ' +
      'points, so expect lower accuracy on mixed pixels than the cross-validated figures suggest.',
    `Class imbalance: the rarest classes have few public samples (${rare}); their per-class figures rest on few locations and are uncertain.`,
    `Only these ${Object.keys(classCounts).length} classes: water, urban, sugar cane, rice, planted forest and anything else are forced into one of them. ` +
      (calibrated
        ? 'Probabilities are calibrated by temperature scaling fitted out of fold on these samples (see calibration); ' +
          'on other years or places the calibration, like the accuracy, may not hold.'
        : 'Probabilities are not calibrated.'),
    'The main confusions are among the double crops that share the soy season (Soy_Corn, Soy_Millet, Soy_Cotton).',
    'Samples are uneven in time (the public set has about 25 per season in 2000-2005 and 603 in 2015/16) and were chosen ' +
      'purposively: cross-validated accuracy is not map accuracy, and pixel counts are not area estimates (use a probability reference sample).',
  ];
}

/**
 * The card as pretty JSON, with arrays of plain numbers kept on one line (the 46-138 normalisation
 * values and confusion-matrix rows would otherwise take a line each).
 */
export function stringifyCard(card: ModelCard): string {
  return (
    JSON.stringify(card, null, 2).replace(/\[(\s*-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*\s*)\]/g, (_, body: string) =>
      `[${body.split(',').map((x) => x.trim()).join(', ')}]`,
    ) + '\n'
  );
}
