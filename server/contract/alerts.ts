/** Threats and alerts: the alert routes (server/routes/alerts), webhooks included. */
import { Type, type Static } from 'typebox';
import type { AlertCode } from './alert-messages.js';

const Kind = Type.Union([Type.Literal('dry-spell'), Type.Literal('crop-condition-drop'), Type.Literal('pest-disease-cluster')]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

const AlertSchema = Type.Object({
  id: Type.String({ description: 'stable id: the same situation keeps its id across evaluations' }),
  kind: Kind,
  severity: Type.Union([Type.Literal('watch'), Type.Literal('poor')], { description: 'GEOGLAM Crop Monitor words: watch = a concern, poor = a serious one' }),
  regionId: NullableString,
  regionName: NullableString,
  code: Type.Union([Type.Literal('dry-spell'), Type.Literal('dry-spell-ongoing'), Type.Literal('crop-condition-drop'), Type.Literal('pest-disease-cluster'), Type.Literal('pest-disease-cluster-unplaced')], { description: 'language-neutral message code; with `params` it renders the title and detail in any language (server/contract/alert-messages.ts)' }),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), { description: 'the message parameters (ISO dates, numbers, names)' }),
  title: Type.String({ description: 'the title in the answer\'s language (`lang`)' }),
  detail: Type.String({ description: 'the detail in the answer\'s language (`lang`)' }),
  start: Type.String(),
  end: Type.String(),
  updated: Type.String(),
  location: Type.Union([Type.Object({ lon: Type.Number(), lat: Type.Number() }), Type.Null()]),
  evidence: Type.Object({}, { additionalProperties: true }),
});

export const AlertsQuery = Type.Object({
  kind: Type.Optional(Kind),
  region: Type.Optional(Type.String({ pattern: '^[0-9]{7}$', description: 'IBGE municipality code' })),
  since: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'only alerts updated on or after this date' })),
  asOf: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'evaluate the rules with the data up to this day (default: the latest day of weather data)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'default 500' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('atom'), Type.Literal('csv')])),
  lang: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}(-[A-Za-z]{2})?$', description: 'language of titles and details: pt (pt-BR) or en; default from Accept-Language, else en' })),
});

export const AlertsResponse = Type.Object({
  asOf: Type.String(),
  lang: Type.Union([Type.Literal('pt'), Type.Literal('en')], { description: 'language of every title and detail (also the Content-Language header)' }),
  numberMatched: Type.Integer(),
  alerts: Type.Array(AlertSchema),
  rules: Type.Array(Type.Object({ kind: Type.String(), description: Type.String(), status: Type.String() })),
});

export const SubscribeBody = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2000, description: 'http(s) URL on a host in GRANARY_WEBHOOK_HOSTS' }),
    kinds: Type.Optional(Type.Array(Kind, { maxItems: 3, description: 'alert kinds wanted (default all)' })),
    regions: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{7}$' }), { maxItems: 141, description: 'municipalities wanted (default all)' })),
  },
  { additionalProperties: false },
);

export const SubscriptionSchema = Type.Object({ id: Type.Integer(), url: Type.String(), kinds: Type.Array(Type.String()), regions: Type.Array(Type.String()), createdAt: Type.String(), delivered: Type.Optional(Type.Integer()), failed: Type.Optional(Type.Integer()) });
export const SubscribeResponse = Type.Intersect([SubscriptionSchema, Type.Object({ secret: Type.String({ description: 'HMAC-SHA256 key of the X-Granary-Signature-256 header; shown only now' }), signature: Type.String() })]);
export const SubscriptionParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,9}$' }) });
export const DispatchResponse = Type.Object({ subscriptions: Type.Integer(), delivered: Type.Integer(), failed: Type.Array(Type.Object({ subscriptionId: Type.Integer(), alertId: Type.String(), attempts: Type.Integer(), error: NullableString })) });

export type AlertsResponse = Static<typeof AlertsResponse>;

/** the schema's codes are the catalog's (a code added to one and not the other fails the type check) */
type SchemaCode = Static<typeof AlertSchema>['code'];
const codesAgree: [SchemaCode] extends [AlertCode] ? ([AlertCode] extends [SchemaCode] ? true : never) : never = true;
void codesAgree;
