/**
 * Schema of fixtures/regions.config.json: which boundary file defines the regions, which tables
 * join to them (and how their columns map to Granary's fields), and the yield-gap settings.
 * File paths are relative to the config file's directory.
 */
import { Type, type Static } from 'typebox';
import * as Value from 'typebox/value';

/** A source column, optionally multiplied by `scale` (e.g. production_1000t x 1000 = tonnes). */
const ColumnRef = Type.Union([Type.String(), Type.Object({ column: Type.String(), scale: Type.Number() }, { additionalProperties: false })]);
type ColumnRef = Static<typeof ColumnRef>;

const Common = {
  name: Type.String(),
  file: Type.String(),
  /** the join key column (region id for population/crop tables; month for prices) */
  key: Type.String(),
  source: Type.Optional(Type.String()),
  /** the data's licence, as its publisher states it (shown beside every figure made from it) */
  licence: Type.Optional(Type.String()),
};

/** Words shown to people for a crop, per language tag (e.g. {"en": "Soybean", "pt-BR": "Soja"}). */
const Labels = Type.Record(Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' }), Type.String({ minLength: 1 }));

/** A labelled sample set (CSV with longitude, latitude, label, start_date, end_date columns) served as the crop-samples layer. */
const SampleSet = Type.Object(
  {
    dataset: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
    file: Type.String(),
    source: Type.String(),
    licence: Type.String(),
  },
  { additionalProperties: false },
);

const PopulationTable = Type.Object(
  {
    ...Common,
    kind: Type.Literal('population'),
    columns: Type.Object({ year: ColumnRef, population: ColumnRef, name: Type.Optional(ColumnRef) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

const CropTable = Type.Object(
  {
    ...Common,
    kind: Type.Literal('crop-statistics'),
    columns: Type.Object(
      { crop: ColumnRef, year: ColumnRef, yieldKgHa: ColumnRef, productionT: ColumnRef, plantedAreaHa: ColumnRef, name: Type.Optional(ColumnRef) },
      { additionalProperties: false },
    ),
    /** how to read a 0 (IBGE PAM: 'unknown', since none / n/a / confidential all became 0) */
    zeroMeans: Type.Union([Type.Literal('unknown'), Type.Literal('zero')]),
  },
  { additionalProperties: false },
);

const PriceTable = Type.Object(
  {
    ...Common,
    kind: Type.Literal('prices'),
    /** series name -> column */
    columns: Type.Record(Type.String(), ColumnRef),
    unit: Type.String(),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const RegionsConfigSchema = Type.Object(
  {
    regions: Type.Object(
      {
        file: Type.String(),
        idProperty: Type.String(),
        nameProperty: Type.String(),
        /** what the regions are, for people: the title and description of the regions layers */
        title: Type.Optional(Type.String()),
        /** the place the regions make up, a proper name that reads the same in every language (e.g. Mato Grosso): heads its totals */
        areaName: Type.Optional(Type.String()),
        description: Type.Optional(Type.String()),
        source: Type.Optional(Type.String()),
        licence: Type.Optional(Type.String()),
        holeOutsideShell: Type.Optional(Type.Union([Type.Literal('promote'), Type.Literal('drop'), Type.Literal('reject')])),
      },
      { additionalProperties: false },
    ),
    tables: Type.Array(Type.Union([PopulationTable, CropTable, PriceTable])),
    /** labelled field samples served as the crop-samples layer (paths relative to this file); none: the layer is empty */
    samples: Type.Optional(Type.Object({ description: Type.String(), sets: Type.Array(SampleSet) }, { additionalProperties: false })),
    yieldGap: Type.Object(
      {
        percentile: Type.Number({ minimum: 0, maximum: 100, default: 95 }),
        windowYears: Type.Integer({ minimum: 1, default: 10 }),
        system: Type.Union([Type.Literal('rainfed'), Type.Literal('irrigated')]),
        /** Granary crop name -> code in the crop-statistics table and price series name */
        crops: Type.Record(
          Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }),
          Type.Object(
            {
              statistics: Type.String(),
              price: Type.String(),
              /** the crop's name for people, per language; the crop name itself when absent */
              labels: Type.Optional(Labels),
              /** crop-map classes (model card class names) that contain this crop, for its mapped area */
              mapClasses: Type.Optional(Type.Array(Type.String())),
            },
            { additionalProperties: false },
          ),
        ),
        /** the crop shown first; default: the first crop listed */
        defaultCrop: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type RegionsConfig = Static<typeof RegionsConfigSchema>;
export type TableConfig = RegionsConfig['tables'][number];

export class RegionsConfigError extends Error {
  override readonly name = 'RegionsConfigError';
}

/** Validate parsed JSON (defaults applied first); throws RegionsConfigError listing every problem. */
export function parseRegionsConfig(json: unknown, where = 'regions config'): RegionsConfig {
  const withDefaults = Value.Default(RegionsConfigSchema, Value.Clone(json));
  if (!Value.Check(RegionsConfigSchema, withDefaults)) {
    const errs = Value.Errors(RegionsConfigSchema, withDefaults)
      .slice(0, 10)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new RegionsConfigError(`${where} is invalid: ${errs.join('; ')}`);
  }
  const kinds = withDefaults.tables.map((t) => t.kind);
  for (const k of new Set(kinds)) if (kinds.filter((x) => x === k).length > 1) throw new RegionsConfigError(`${where}: more than one table of kind ${k}`);
  if (!kinds.includes('crop-statistics')) throw new RegionsConfigError(`${where}: a crop-statistics table is required`);
  return withDefaults;
}

export function columnName(ref: ColumnRef): string {
  return typeof ref === 'string' ? ref : ref.column;
}

/** Read a numeric field through a ColumnRef; '' or unparsable -> null. */
export function readNumber(row: Readonly<Record<string, string>>, ref: ColumnRef): number | null {
  const raw = row[columnName(ref)];
  if (raw === undefined || raw.trim() === '') return null;
  const v = Number(raw);
  if (!Number.isFinite(v)) return null;
  return typeof ref === 'string' ? v : v * ref.scale;
}
