/**
 * Schemas of the region and yield-gap routes. Every indicator carries its unit and method in its
 * description, so the OpenAPI document is the reference for what each number means.
 */
import { Type, type Static } from 'typebox';
import { Bbox as WgsBbox, CsvText, CSV_MEDIA, Link, media, nullable } from './common.js';
const num = (description: string) => nullable(Type.Number(), description);
const int = (description: string) => nullable(Type.Integer(), description);

/** Indicator name -> description (unit first). Shared by JSON schemas, OGC queryables and docs. */
export const INDICATORS = {
  actualYieldKgHa: 'kg/ha. Ya, actual yield: mean of the region\'s known (non-zero) IBGE PAM yields over the window of `windowYears` years ending with `year` (10 years, GYGA practice for rainfed systems); null when the region has no known yield in the window',
  attainableYieldKgHa: 'kg/ha. Attainable yield: the configured percentile (P95) across all municipalities of their window-mean yields (Hyndman-Fan type 7 interpolation); a statistical stand-in for the water-limited potential Yw (no crop-model potentials are available)',
  yieldGapKgHa: 'kg/ha. Yield gap = max(0, attainable - actual yield)',
  yieldGapPct: '%. Yield gap as a share of the attainable yield (0-100)',
  plantedAreaHa: 'ha. Planted area of the crop in `year` (IBGE PAM, SIDRA table 1612); null when PAM reports 0 (none, n/a and confidential all became 0)',
  productionT: 't. Production of the crop in `year` (IBGE PAM); null when unknown',
  productionGapT: 't. Production gap = yield gap x planted area of `year`',
  population: 'persons. Resident population estimate (IBGE) of `year`, or of the nearest year the table covers (see flags)',
  productionPerCapitaKg: 'kg/person. Production / population: an availability indicator, not consumption (most Mato Grosso soy is exported)',
  priceUsdPerT: 'USD/t. Mean of the 12 monthly World Bank Pink Sheet world prices of `year` (nominal; soybeans / maize US Gulf), not a farm-gate price',
  productionGapValueUsd: 'USD. Production gap x price',
  reportedYieldKgHa: 'kg/ha. The PAM yield of `year` itself (per harvested area), not averaged; null when PAM reports 0',
  priorityRank: 'rank (1 = highest priority) by intervention-priority score among the regions with a score; null when not ranked (reason in flags)',
  priorityScore: 'USD/person. Intervention-priority score = production gap value per inhabitant (productionGapValueUsd / population)',
  mappedAreaHa:
    'ha. Area of the crop from the crop map inside the region (the part the map covers): coverage-weighted pixel counts of the crop\'s classes, adjusted with the Olofsson et al. (2014) estimator on the model card\'s cross-validation confusion matrix (model-based approximation); null with a flag when no crop map covers the region',
  mappedAreaCi95Ha: 'ha. 95 % interval [low, high] of mappedAreaHa (+-1.96 SE, low clamped at 0); indicative only (model-based)',
} as const;

type IndicatorName = keyof typeof INDICATORS;

const CropMapInfo = nullable(
  Type.Object(
    {
      sceneId: Type.String({ description: 'scene the crop map was computed on' }),
      modelId: Type.String({ description: 'model that made the crop map' }),
      season: nullable(Type.Array(Type.String(), { minItems: 2, maxItems: 2 }), 'first and last date of the scene (the season mapped)'),
      regionCoveredShare: Type.Number({ description: 'share (0-1) of the region covered by the crop map' }),
      coveredAreaHa: Type.Number({ description: 'ha of the region inside the crop map' }),
      nodataAreaHa: Type.Number({ description: 'ha of the covered part without a class' }),
      classes: Type.Array(Type.String(), { description: 'crop-map classes counted as this crop' }),
      pixelCountAreaHa: Type.Number({ description: 'ha, coverage-weighted pixel count of those classes (unadjusted)' }),
      adjustedAreaHa: Type.Number({ description: 'ha, Olofsson-adjusted area (= mappedAreaHa)' }),
      seHa: num('ha, standard error of the adjusted area'),
      ci95Ha: nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), 'ha, 95 % interval'),
      userAccuracy: num('user\'s accuracy of the crop class (from the collapsed confusion matrix)'),
      producerAccuracy: num('producer\'s accuracy of the crop class'),
      method: Type.String(),
    },
    { additionalProperties: false },
  ),
  'the crop map the area comes from; null when none covers the region',
);

const Inputs = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'the inputs of the indicators: window [from, to]; actualYield {yearsUsed, valuesKgHa, yearsWithoutData}; attainableYield {percentile, interpolation, nMunicipalities, nWithFullWindow}; statisticsYear; price {series, year, monthsUsed, monthlyValues, unit}; population {yearUsed, value}',
  },
);

/** a caveat or method as a code and its parameters (server/contract/row-messages.ts) */
const RowMessageSchema = Type.Object(
  { code: Type.String(), params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])) },
  { additionalProperties: false, description: 'a code of server/contract/row-messages.ts and the values of its template' },
);

/** the yield indicators a row and a history entry share, in the order they are served */
const YIELD_INDICATORS = {
  reportedYieldKgHa: num(INDICATORS.reportedYieldKgHa),
  actualYieldKgHa: num(INDICATORS.actualYieldKgHa),
  attainableYieldKgHa: num(INDICATORS.attainableYieldKgHa),
  yieldGapKgHa: num(INDICATORS.yieldGapKgHa),
  yieldGapPct: num(INDICATORS.yieldGapPct),
  plantedAreaHa: num(INDICATORS.plantedAreaHa),
  productionT: num(INDICATORS.productionT),
  productionGapT: num(INDICATORS.productionGapT),
};

export const YieldGapRow = Type.Object(
  {
    regionId: Type.String({ description: 'IBGE 7-digit municipality code' }),
    name: Type.String({ description: 'municipality name (UTF-8, e.g. Cláudia)' }),
    crop: Type.String({ description: 'a crop of GET /api/crops' }),
    year: Type.Integer({ description: 'year of the indicators (end of the averaging window)' }),
    ...YIELD_INDICATORS,
    population: num(INDICATORS.population),
    productionPerCapitaKg: num(INDICATORS.productionPerCapitaKg),
    priceUsdPerT: num(INDICATORS.priceUsdPerT),
    productionGapValueUsd: num(INDICATORS.productionGapValueUsd),
    mappedAreaHa: num(INDICATORS.mappedAreaHa),
    mappedAreaCi95Ha: nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), INDICATORS.mappedAreaCi95Ha),
    priorityRank: int(INDICATORS.priorityRank),
    priorityScore: num(INDICATORS.priorityScore),
    cropMap: CropMapInfo,
    inputs: Inputs,
    flags: Type.Array(Type.String(), { description: 'caveats about this row: missing data, truncated window, substitutions, crop-map coverage' }),
    flagCodes: Type.Array(RowMessageSchema, { description: 'the same caveats as `flags`, in the same order, as codes and parameters (server/contract/row-messages.ts has their English and Portuguese words)' }),
    method: Type.String({ description: 'how the indicators were computed, with the window, percentile and sources' }),
    methodCode: RowMessageSchema,
  },
  { additionalProperties: false },
);

export const Source = Type.Object(
  {
    name: Type.String(),
    kind: Type.String(),
    file: Type.String(),
    source: Type.String({ description: 'who publishes the data' }),
    licence: Type.String(),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const YieldGapResponse = Type.Object(
  {
    crop: Type.String(),
    year: Type.Integer(),
    validYears: Type.Array(Type.Integer(), { minItems: 2, maxItems: 2, description: 'first and last year with crop statistics for this crop' }),
    defaultYear: Type.Integer({ description: 'latest year with complete data (crop statistics, population and 12 months of prices)' }),
    count: Type.Integer(),
    rows: Type.Array(YieldGapRow),
    priorityMethod: Type.String(),
    sources: Type.Array(Source),
  },
  { additionalProperties: false },
);

const indicatorProps = (names: readonly IndicatorName[]) => Object.fromEntries(names.map((n) => [n, n === 'priorityRank' ? int(INDICATORS[n]) : num(INDICATORS[n])]));

export const REGION_INDICATORS = [
  'population',
  'plantedAreaHa',
  'productionT',
  'reportedYieldKgHa',
  'actualYieldKgHa',
  'attainableYieldKgHa',
  'yieldGapKgHa',
  'yieldGapPct',
  'productionGapT',
  'productionPerCapitaKg',
  'priceUsdPerT',
  'productionGapValueUsd',
  'priorityRank',
  'priorityScore',
] as const satisfies readonly IndicatorName[];

const RegionIndicators = Type.Object(indicatorProps(REGION_INDICATORS), { additionalProperties: false });

const Bbox = WgsBbox;

const RegionSummary = Type.Object(
  {
    regionId: Type.String({ description: 'IBGE 7-digit municipality code' }),
    name: Type.String(),
    bbox: Bbox,
    areaHa: Type.Number({ description: 'ha, area of the region polygon on the sphere' }),
    indicators: RegionIndicators,
    flags: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

export const ExchangeRatesResponse = Type.Object(
  {
    unit: Type.Literal('BRL per USD'),
    source: Type.String(),
    licence: Type.String(),
    rates: Type.Array(Type.Object({ year: Type.Integer(), brlPerUsd: Type.Number() }, { additionalProperties: false })),
  },
  { additionalProperties: false, description: 'Brazilian reais per US dollar, annual averages' },
);

export const CropsResponse = Type.Object(
  {
    defaultCrop: Type.String({ description: 'the crop shown first (regions configuration: yieldGap.defaultCrop, else the first crop)' }),
    regionsTitle: Type.String({ description: 'what the regions are, for people (regions configuration: regions.title); empty when not configured' }),
    areaName: Type.String({ description: 'the place the regions make up, a proper name not translated (regions configuration: regions.areaName), heading its totals; empty when not configured' }),
    sources: Type.Array(Type.String(), { description: 'the data sources of the regions configuration (boundaries and tables), as their providers name them, without repeats' }),
    crops: Type.Array(
      Type.Object(
        {
          crop: Type.String({ description: 'the crop name the other routes take (crop=...)' }),
          labels: Type.Record(Type.String(), Type.String(), { description: 'the crop\'s name per language tag (e.g. en, pt-BR), from the regions configuration; empty: show `crop`' }),
          mapClasses: Type.Array(Type.String(), { description: 'crop-map classes (model card class names) that contain this crop' }),
          years: Type.Array(Type.Integer(), { minItems: 2, maxItems: 2, description: 'first and last year with crop statistics' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'The crops of the regions configuration, in its order' },
);
export type CropsResponse = Static<typeof CropsResponse>;

const RegionsResponse = Type.Object(
  {
    crop: Type.String(),
    year: Type.Integer(),
    defaultYear: Type.Integer({ description: 'latest year with complete data (crop statistics, population, 12 months of prices)' }),
    defaultYearRule: Type.String(),
    crops: Type.Array(Type.String()),
    count: Type.Integer(),
    regions: Type.Array(RegionSummary),
    method: Type.String(),
    sources: Type.Array(Source),
  },
  { additionalProperties: false },
);

const HistoryEntry = Type.Object(
  {
    year: Type.Integer(),
    ...YIELD_INDICATORS,
    productionGapValueUsd: num(INDICATORS.productionGapValueUsd),
  },
  { additionalProperties: false },
);

const CropDetail = Type.Object(
  {
    indicators: Type.Object(
      { ...indicatorProps(REGION_INDICATORS), mappedAreaHa: num(INDICATORS.mappedAreaHa), mappedAreaCi95Ha: nullable(Type.Array(Type.Number()), INDICATORS.mappedAreaCi95Ha) },
      { additionalProperties: false },
    ),
    cropMap: CropMapInfo,
    inputs: Inputs,
    flags: Type.Array(Type.String()),
    method: Type.String(),
    history: Type.Array(HistoryEntry, { description: 'the indicators for every year with crop statistics, oldest first (for charts)' }),
  },
  { additionalProperties: false },
);

export const RegionDetail = Type.Object(
  {
    regionId: Type.String(),
    name: Type.String(),
    bbox: Bbox,
    areaHa: Type.Number({ description: 'ha, area of the region polygon on the sphere' }),
    year: Type.Integer(),
    defaultYear: Type.Integer(),
    crops: Type.Record(Type.String(), CropDetail, { description: 'crop name (soy, maize) -> indicators, inputs and history' }),
    geometryNotes: Type.Array(Type.String(), { description: 'repairs applied to the boundary when it was loaded' }),
    priorityMethod: Type.String(),
    sources: Type.Array(Source),
    links: Type.Array(Link),
  },
  { additionalProperties: false },
);

const FormatQuery = Type.Optional(Type.String({ maxLength: 16, description: 'json (default) or csv (text/csv; charset=utf-8 download, one flattened record per row)' }));
const YearQuery = Type.Optional(Type.String({ maxLength: 16, description: 'yyyy; default: the latest year with complete data (see defaultYear)' }));
const CropQuery = Type.Optional(Type.String({ maxLength: 32, description: 'soy (default) or maize' }));

export type YieldGapRow = Static<typeof YieldGapRow>;
export type YieldGapResponse = Static<typeof YieldGapResponse>;
type RegionsResponse = Static<typeof RegionsResponse>;
type RegionSummary = Static<typeof RegionSummary>;
export type RegionDetail = Static<typeof RegionDetail>;
type RegionIndicators = Static<typeof RegionIndicators>;
export type SourceInfo = Static<typeof Source>;

export const RegionsQuery = Type.Object({ format: FormatQuery, year: YearQuery, crop: CropQuery });
export const RegionParams = Type.Object({ regionId: Type.String({ maxLength: 32, description: 'IBGE 7-digit municipality code (see GET /api/regions)' }) });
export const RegionDetailQuery = Type.Object({ year: YearQuery });
export const YieldGapQuery = Type.Object({
  crop: Type.Optional(Type.String({ maxLength: 32, description: 'a crop of the region configuration (required; GET /api/regions lists them)' })),
  year: Type.Optional(Type.String({ maxLength: 16, description: 'yyyy within the crop statistics; default: the latest year with complete data' })),
  region: Type.Optional(Type.String({ maxLength: 32, description: 'one region id (IBGE code); 404 if unknown' })),
  bbox: Type.Optional(Type.String({ maxLength: 400, description: 'west,south,east,north (WGS84): only regions intersecting it' })),
  format: FormatQuery,
});

/** JSON, or with format=csv one flattened record per row. */
export const RegionsOrCsv = media('the regions (application/json), or with format=csv one flattened record per region', { 'application/json': RegionsResponse, [CSV_MEDIA]: CsvText });
export const YieldGapOrCsv = media('the yield-gap table (application/json), or with format=csv one flattened record per row', { 'application/json': YieldGapResponse, [CSV_MEDIA]: CsvText });

export const JoinReport = Type.Object(
  {
    regions: Type.Integer({ description: 'regions loaded' }),
    tables: Type.Array(
      Type.Object(
        {
          table: Type.String(),
          kind: Type.String(),
          file: Type.String(),
          rows: Type.Integer(),
          keys: Type.Integer({ description: 'distinct key values in the table' }),
          unmatchedTableKeys: Type.Array(Type.String(), { description: 'key values with no region' }),
          regionsWithoutRows: Type.Array(Type.String()),
          rowsSkipped: Type.Integer({ description: 'rows skipped because a required field was empty or unparsable' }),
          nameMismatches: Type.Array(Type.Object({ id: Type.String(), regionName: Type.String(), tableName: Type.String() }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
    zerosAsUnknown: Type.Record(Type.String(), Type.Unknown(), { description: 'crop -> year -> rows whose zeros were read as unknown' }),
    invalidGeometries: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), problem: Type.String(), action: Type.String(), message: Type.String() }, { additionalProperties: false })),
    cropMapProblems: Type.Array(Type.Object({ file: Type.String(), error: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false, description: 'how the tables joined the regions; repaired geometries; crop maps refused' },
);

export const BoundariesQuery = Type.Object({ detail: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('full')], { default: 'low' })) }, { additionalProperties: false });

/** TopoJSON (https://github.com/topojson/topojson-specification) of the region boundaries: ids and names only. */
export const Topology = Type.Object(
  {
    type: Type.Literal('Topology'),
    objects: Type.Record(Type.String(), Type.Object({ type: Type.String() }, { additionalProperties: true })),
    arcs: Type.Array(Type.Array(Type.Array(Type.Number()))),
    transform: Type.Optional(Type.Object({ scale: Type.Array(Type.Number()), translate: Type.Array(Type.Number()) }, { additionalProperties: false })),
    bbox: Type.Optional(Type.Array(Type.Number())),
  },
  { additionalProperties: true },
);
