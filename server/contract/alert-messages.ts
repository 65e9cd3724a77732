/**
 * The words of alerts, in Portuguese (pt-BR) and English: one catalog read by the server (JSON, CSV,
 * Atom and webhooks render `title` and `detail` in the caller's language) and by the dashboard (it
 * renders an alert's `code` and `params` in the page's language). Alerts themselves carry only the
 * language-neutral code and parameters; nothing here does I/O or imports anything, so the client
 * bundles it as it is.
 *
 * Templates name parameters in braces. A parameter that is an ISO date (YYYY-MM-DD) is written as a
 * date of the language, a number with the language's decimal mark (at most one decimal).
 */
export type MessageLang = 'pt' | 'en';

export const ALERT_CODES = ['dry-spell', 'dry-spell-ongoing', 'crop-condition-drop', 'pest-disease-cluster', 'pest-disease-cluster-unplaced'] as const;
export type AlertCode = (typeof ALERT_CODES)[number];
export type MessageParams = Record<string, string | number | boolean | null>;

interface Text {
  title: string;
  detail: string;
}

const ALERT_MESSAGES: Readonly<Record<AlertCode, Readonly<Record<MessageLang, Text>>>> = {
  'dry-spell': {
    en: {
      title: 'Dry spell of {days} days at {station} ({km} km from {region})',
      detail: '{station} ({stationId}) recorded less than {dryDayMm} mm of rain a day from {start} to {end}, in the {season}-{seasonEnd} growing season; the station is {km} km from {region}.',
    },
    pt: {
      title: 'Veranico de {days} dias em {station} (a {km} km de {region})',
      detail: '{station} ({stationId}) registrou menos de {dryDayMm} mm de chuva por dia de {start} a {end}, na safra {season}-{seasonEnd}; a estação fica a {km} km de {region}.',
    },
  },
  'dry-spell-ongoing': {
    en: {
      title: 'Dry spell of {days} days (ongoing) at {station} ({km} km from {region})',
      detail: '{station} ({stationId}) has recorded less than {dryDayMm} mm of rain a day since {start} (last day with data: {end}), in the {season}-{seasonEnd} growing season; the station is {km} km from {region}.',
    },
    pt: {
      title: 'Veranico de {days} dias (em curso) em {station} (a {km} km de {region})',
      detail: '{station} ({stationId}) registra menos de {dryDayMm} mm de chuva por dia desde {start} (último dia com dados: {end}), na safra {season}-{seasonEnd}; a estação fica a {km} km de {region}.',
    },
  },
  'crop-condition-drop': {
    en: {
      title: 'Crop condition below other seasons in {region} ({composites} composites from {start})',
      detail: 'Mean NDVI over the imagery in {region} was below the mean of {otherSeasons} other seasons by more than {zDrop} standard deviations (and {minDrop}) for {composites} composites running, from {start} to {end}.',
    },
    pt: {
      title: 'Condição da lavoura abaixo das outras safras em {region} ({composites} composições desde {start})',
      detail: 'O NDVI médio das imagens em {region} ficou abaixo da média de {otherSeasons} outras safras por mais de {zDrop} desvios-padrão (e {minDrop}) em {composites} composições seguidas, de {start} a {end}.',
    },
  },
  'pest-disease-cluster': {
    en: {
      title: '{n} pest or disease reports close together in {region} ({start} to {end})',
      detail: '{n} approved field reports of a pest or disease, each within {distanceKm} km and {days} days of another, from {start} to {end}.',
    },
    pt: {
      title: '{n} relatos de praga ou doença próximos em {region} ({start} a {end})',
      detail: '{n} relatos de campo aprovados de praga ou doença, cada um a até {distanceKm} km e {days} dias de outro, de {start} a {end}.',
    },
  },
  'pest-disease-cluster-unplaced': {
    en: {
      title: '{n} pest or disease reports close together ({start} to {end})',
      detail: '{n} approved field reports of a pest or disease, each within {distanceKm} km and {days} days of another, from {start} to {end}.',
    },
    pt: {
      title: '{n} relatos de praga ou doença próximos ({start} a {end})',
      detail: '{n} relatos de campo aprovados de praga ou doença, cada um a até {distanceKm} km e {days} dias de outro, de {start} a {end}.',
    },
  },
};

const LOCALE: Record<MessageLang, string> = { pt: 'pt-BR', en: 'en-GB' };
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** One parameter as the language writes it. */
function formatParam(v: string | number | boolean | null | undefined, lang: MessageLang): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 }).format(v);
  if (typeof v === 'boolean') return lang === 'pt' ? (v ? 'sim' : 'não') : v ? 'yes' : 'no';
  if (ISO_DAY.test(v)) return new Date(`${v}T12:00:00Z`).toLocaleDateString(LOCALE[lang], { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return v;
}

function fillTemplate(template: string, params: MessageParams, lang: MessageLang): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => formatParam(params[k], lang));
}

/** An alert's title and detail in a language (an unknown code falls back to the code itself). */
export function alertText(code: string, params: MessageParams, lang: MessageLang): Text {
  const m = (ALERT_MESSAGES as Record<string, Record<MessageLang, Text> | undefined>)[code]?.[lang];
  if (!m) return { title: code, detail: code };
  return { title: fillTemplate(m.title, params, lang), detail: fillTemplate(m.detail, params, lang) };
}

/**
 * The language of an answer: `lang` (pt, pt-BR, en, ...) wins, then the Accept-Language header's
 * preferred pt or en (by q), else English.
 */
export function negotiateLang(lang: string | undefined, acceptLanguage: string | undefined): MessageLang {
  const norm = (t: string): MessageLang | null => (/^pt\b/i.test(t) ? 'pt' : /^en\b/i.test(t) ? 'en' : null);
  if (lang) return norm(lang) ?? 'en';
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .slice(0, 500)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...attrs] = part.trim().split(';');
      const q = attrs.map((a) => /^\s*q=([0-9.]+)\s*$/.exec(a)?.[1]).find((x) => x !== undefined);
      return { lang: norm(tag.trim()), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x): x is { lang: MessageLang; q: number; i: number } => x.lang !== null && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.lang ?? 'en';
}
