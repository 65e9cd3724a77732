/**
 * Model card: the JSON file `models/<id>.json` that sits beside `models/<id>.onnx` and says what the
 * model expects (variables, dates, units, layout, normalisation, tensor names), what it outputs
 * (classes with colours) and how good it is (cross-validated metrics against a baseline).
 * The schema is the single source of truth for the TypeScript type and for validation.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Probability = Type.Number({ minimum: 0, maximum: 1 });

const ClassMetricsSchema = Type.Object({
  name: Type.String(),
  precision: Probability,
  recall: Probability,
  f1: Probability,
  support: Type.Integer({ minimum: 0 }),
});

export const MetricsBlockSchema = Type.Object({
  /** What model the figures are for, e.g. "MLP 46-192-96-9 (3-seed ensemble)". */
  model: Type.String(),
  overallAccuracy: Probability,
  macroF1: Probability,
  perClass: Type.Array(ClassMetricsSchema),
  /** Rows = reference class, columns = predicted class, both in classOrder. */
  confusionMatrix: Type.Array(Type.Array(Type.Integer({ minimum: 0 }))),
});

export const NormalisationSchema = Type.Union([
  Type.Object({
    type: Type.Literal('standardize'),
    /** One value per feature, in layout order (length variables * steps): x' = (x - mean) / std. */
    mean: Type.Array(Type.Number()),
    std: Type.Array(Type.Number({ exclusiveMinimum: 0 })),
  }),
  Type.Object({ type: Type.Literal('none') }),
]);

const ReliabilityBinSchema = Type.Object({
  lo: Probability,
  hi: Probability,
  count: Type.Integer({ minimum: 0 }),
  confidence: Probability,
  accuracy: Probability,
});

/**
 * Temperature scaling fitted on out-of-fold probabilities (models/contract/calibration.ts). The
 * service applies it to every classified pixel, so the class probabilities it serves (confidence
 * tiles, the uncertainty layer, "how sure" in the dashboard) are the calibrated ones.
 */
export const CalibrationSchema = Type.Object({
  method: Type.Literal('temperature'),
  temperature: Type.Number({ exclusiveMinimum: 0 }),
  /** How T was fitted and how the ECE figures were measured. */
  fittedOn: Type.String(),
  bins: Type.Integer({ minimum: 1 }),
  /** Expected calibration error of the top-class probability, out of fold, before and after. */
  eceBefore: Probability,
  eceAfter: Probability,
  /** Reliability bins after calibration (out of fold). */
  reliability: Type.Array(ReliabilityBinSchema),
  /** File name of the reliability diagram beside the card (PNG). */
  diagram: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]+\\.png$' })),
});

/** One data-centric or architecture step measured on its own in the same grouped CV. */
export const ExperimentSchema = Type.Object({
  step: Type.String({ minLength: 1 }),
  overallAccuracy: Probability,
  macroF1: Probability,
  kept: Type.Boolean(),
  note: Type.Optional(Type.String()),
});

export const ModelCardSchema = Type.Object({
  cardVersion: Type.Literal(1),
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }),
  title: Type.String({ minLength: 1 }),
  version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+$' }),
  task: Type.Literal('crop-type-classification'),
  /** ISO date fixed from the training data (newest sample's end date), not the wall clock. */
  created: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  architecture: Type.Object({
    family: Type.String(),
    description: Type.String(),
    /** Training settings (epochs, learning rate, trees, ...), for the record. */
    hyperparameters: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Array(Type.Number())])),
  }),
  inputs: Type.Object({
    variables: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    steps: Type.Integer({ minimum: 1 }),
    stepDays: Type.Integer({ minimum: 1 }),
    season: Type.Object({
      startMonth: Type.Integer({ minimum: 1, maximum: 12 }),
      startDay: Type.Integer({ minimum: 1, maximum: 31 }),
      endMonth: Type.Integer({ minimum: 1, maximum: 12 }),
      /** Day of year on which each composite starts, one per step (MOD13Q1: 257, 273, ..., 353, 1, 17, ..., 241). */
      compositeDoy: Type.Array(Type.Integer({ minimum: 1, maximum: 366 })),
      description: Type.String(),
    }),
    /** Feature index = v * steps + t (all dates of variable 0, then variable 1, ...). */
    layout: Type.Literal('variable-major'),
    /** Unit and range per variable, e.g. {"ndvi": "NDVI, unitless -1..1"}. */
    units: Type.Record(Type.String(), Type.String()),
    normalisation: NormalisationSchema,
    /** Name of the float32 input tensor, shape [N, variables * steps]. */
    inputName: Type.String({ minLength: 1 }),
    /** Name of the float32 class-probability output, shape [N, classes]. */
    outputName: Type.String({ minLength: 1 }),
  }),
  classes: Type.Array(
    Type.Object({
      id: Type.Integer({ minimum: 0 }),
      name: Type.String({ minLength: 1 }),
      color: Type.String({ pattern: '^#[0-9a-f]{6}$' }),
      kind: Type.Union([Type.Literal('crop'), Type.Literal('natural-vegetation'), Type.Literal('pasture'), Type.Literal('other')]),
    }),
    { minItems: 2 },
  ),
  metrics: Type.Intersect([
    MetricsBlockSchema,
    Type.Object({
      validation: Type.String(),
      folds: Type.Integer({ minimum: 2 }),
      seed: Type.Integer(),
      classOrder: Type.Array(Type.String()),
      baseline: Type.Optional(MetricsBlockSchema),
      /** Other models scored on the same folds (e.g. the MLP beside a TempCNN). */
      comparisons: Type.Optional(Type.Array(MetricsBlockSchema)),
      /** Steps tried in the same grouped CV, each on its own, and whether the release uses it. */
      experiments: Type.Optional(Type.Array(ExperimentSchema)),
    }),
  ]),
  calibration: Type.Optional(CalibrationSchema),
  trainingData: Type.Object({
    source: Type.String(),
    licence: Type.String(),
    samples: Type.Integer({ minimum: 1 }),
    locations: Type.Integer({ minimum: 1 }),
    seasons: Type.String(),
    classCounts: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    sha256: Type.Object({ samples: Hex64, timeseries: Hex64 }),
  }),
  file: Type.Object({
    name: Type.String({ pattern: '\\.onnx$' }),
    sha256: Hex64,
    bytes: Type.Integer({ minimum: 1 }),
  }),
  limitations: Type.Array(Type.String()),
});

export type ModelCard = Static<typeof ModelCardSchema>;
export type MetricsBlock = Static<typeof MetricsBlockSchema>;
export type Normalisation = Static<typeof NormalisationSchema>;
export type CardCalibration = Static<typeof CalibrationSchema>;
export type Experiment = Static<typeof ExperimentSchema>;

/** Number of input features the card promises: variables * steps. */
export function featureCount(card: ModelCard): number {
  return card.inputs.variables.length * card.inputs.steps;
}

/**
 * Returns the JSON as a typed card, or throws an Error naming the first bad field
 * (e.g. `model card: /inputs/steps must be integer`). Beyond the schema it checks that the parts
 * agree: class ids 0..C-1 in order, unique names, normalisation length, a unit per variable,
 * a C x C confusion matrix in the classes' order.
 */
export function validateCard(json: unknown): ModelCard {
  // Check first: listing the errors walks the whole card (~20 ms on the default one, at every start)
  const first = Value.Check(ModelCardSchema, json) ? undefined : Value.Errors(ModelCardSchema, json)[0];
  if (first) {
    // A union (normalisation) reports its branches' errors too; the first is the most specific path.
    throw new Error(`model card: ${first.instancePath || '(root)'} ${first.message}`);
  }
  const card = json as ModelCard;
  const C = card.classes.length;
  const F = featureCount(card);
  const fail = (field: string, msg: string): never => {
    throw new Error(`model card: ${field} ${msg}`);
  };
  card.classes.forEach((c, i) => {
    if (c.id !== i) fail(`/classes/${i}/id`, `is ${c.id}, expected ${i} (ids are the output column indices, in order)`);
  });
  const names = card.classes.map((c) => c.name);
  if (new Set(names).size !== C) fail('/classes', 'has duplicate names');
  const n = card.inputs.normalisation;
  if (n.type === 'standardize') {
    if (n.mean.length !== F) fail('/inputs/normalisation/mean', `has ${n.mean.length} values, expected ${F} (variables x steps)`);
    if (n.std.length !== F) fail('/inputs/normalisation/std', `has ${n.std.length} values, expected ${F} (variables x steps)`);
  }
  for (const v of card.inputs.variables) {
    if (!(v in card.inputs.units)) fail('/inputs/units', `has no entry for variable "${v}"`);
  }
  if (card.inputs.season.compositeDoy.length !== card.inputs.steps) {
    fail('/inputs/season/compositeDoy', `has ${card.inputs.season.compositeDoy.length} values, expected ${card.inputs.steps} (steps)`);
  }
  if (new Set(card.inputs.variables).size !== card.inputs.variables.length) fail('/inputs/variables', 'has duplicates');
  if (card.metrics.classOrder.join('\u0000') !== names.join('\u0000')) {
    fail('/metrics/classOrder', 'differs from the names in /classes');
  }
  const checkBlock = (path: string, b: MetricsBlock): void => {
    if (b.perClass.length !== C) fail(`${path}/perClass`, `has ${b.perClass.length} entries, expected ${C}`);
    if (b.confusionMatrix.length !== C) fail(`${path}/confusionMatrix`, `has ${b.confusionMatrix.length} rows, expected ${C}`);
    b.confusionMatrix.forEach((row, i) => {
      if (row.length !== C) fail(`${path}/confusionMatrix/${i}`, `has ${row.length} columns, expected ${C}`);
    });
  };
  checkBlock('/metrics', card.metrics);
  if (card.metrics.baseline) checkBlock('/metrics/baseline', card.metrics.baseline);
  card.metrics.comparisons?.forEach((b, i) => checkBlock(`/metrics/comparisons/${i}`, b));
  return card;
}
