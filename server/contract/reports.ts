/** Field reports (what grows at a point) and the label audit. */
import { Type, type Static } from 'typebox';
import { CsvText, CSV_MEDIA, media, nullable } from './common.js';
import { FeatureCollection, GEOJSON_MEDIA } from './geojson.js';

const NOTE_MAX = 500;

/**
 * What a report is about beyond the class, a closed list (GEOGLAM Crop Monitor's drivers: pests,
 * weather; shared/DOMAIN.md). Only `pest` and `disease` reports feed the pest-disease-cluster alert;
 * a report without a category (every report before it existed, and API.md clients that do not send
 * one) is a crop label only.
 */
const Category = Type.Union([Type.Literal('pest'), Type.Literal('disease'), Type.Literal('weather_damage'), Type.Literal('crop_condition'), Type.Literal('other')], {
  description: 'what the report is about: pest, disease, weather_damage, crop_condition or other; pest and disease reports close together raise an alert (GET /api/alerts)',
});
export type ReportCategory = Static<typeof Category>;
export const REPORT_CATEGORIES: readonly ReportCategory[] = Category.anyOf.map((l) => l.const);

export const ReportBody = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'longitude, WGS84' }),
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'latitude, WGS84' }),
    class: Type.String({ minLength: 1, maxLength: 64, description: 'one of the model\'s class names (GET /api/models), e.g. Soy_Corn' }),
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'ISO date (yyyy-mm-dd) when the crop was seen' }),
    note: Type.Optional(Type.String({ maxLength: NOTE_MAX, description: `free text, at most ${NOTE_MAX} characters` })),
    category: Type.Optional(Category),
    model: Type.Optional(Type.String({ maxLength: 64, description: 'model whose classes the class refers to (default: the default model)' })),
  },
  { additionalProperties: false },
);
export type ReportBody = Static<typeof ReportBody>;

/**
 * The reviewer's decision. `category` (optional; API.md clients that do not send it are unaffected)
 * sets or corrects what the report is about, so a report sent without one (every report before
 * categories existed) can be classified and then count for the pest-disease alert; without it the
 * reporter's category stays.
 */
export const ReviewBody = Type.Union([
  Type.Object(
    {
      note: Type.Optional(Type.String({ maxLength: NOTE_MAX })),
      category: Type.Optional({ ...Category, description: 'set or correct what the report is about (default: keep the reporter\'s); approving an already approved report with a different category re-classifies it instead of answering 409' }),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
export const ReportIdParams = Type.Object({ id: Type.String({ pattern: '^[1-9]\\d{0,12}$', description: 'report id' }) });
const ReportStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]);
export const ReportListQuery = Type.Object({
  status: Type.Optional(Type.Union([...ReportStatus.anyOf, Type.Literal('all')], { description: 'default pending' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 100' })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const FieldReport = Type.Object(
  {
    id: Type.Integer(),
    lon: Type.Number(),
    lat: Type.Number(),
    class: Type.String(),
    date: Type.String({ description: 'yyyy-mm-dd the crop was seen' }),
    note: nullable(Type.String()),
    category: nullable(Category, 'null: not stated (a crop label only)'),
    model: Type.String(),
    status: ReportStatus,
    submittedAt: Type.String(),
    submittedBy: Type.String({ description: 'anonymous or token' }),
    reviewedAt: nullable(Type.String()),
    reviewNote: nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type FieldReport = Static<typeof FieldReport>;

export const ReportCreated = Type.Object(
  { id: Type.Integer(), status: ReportStatus, submittedAt: Type.String(), message: Type.String() },
  { additionalProperties: false },
);
export type ReportCreated = Static<typeof ReportCreated>;

export const ReportList = Type.Object(
  { status: Type.Union([...ReportStatus.anyOf, Type.Literal('all')]), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), reports: Type.Array(FieldReport) },
  { additionalProperties: false },
);

/** audit-report.json as `granary labels audit` writes it (docs/data-centric.md). */
export const AuditReport = Type.Object(
  {
    method: Type.String(),
    model: Type.String(),
    variables: Type.Array(Type.String()),
    samples: Type.Integer(),
    flagged: Type.Integer(),
    classes: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          n: Type.Integer(),
          flagged: Type.Integer(),
          flaggedShare: Type.Number(),
          threshold: nullable(Type.Number()),
          likelyLabels: Type.Array(Type.Object({ label: Type.String(), count: Type.Integer() })),
        },
        { additionalProperties: true },
      ),
    ),
    pairs: Type.Array(Type.Object({ given: Type.String(), likely: Type.String(), count: Type.Integer() }, { additionalProperties: true })),
  },
  { additionalProperties: true, description: 'also: validation, recipe, samplesCsv, timeseriesCsv, cv' },
);
export type AuditReport = Static<typeof AuditReport>;

export const SuspectsGeojson = media('the suspect samples as GeoJSON points', { [GEOJSON_MEDIA]: FeatureCollection });
export const DecisionsCsv = media('the review decisions, one row per suspect sample', { [CSV_MEDIA]: CsvText });
