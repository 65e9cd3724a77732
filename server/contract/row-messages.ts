/**
 * The words of a yield-gap row's caveats (flags) and of its methods, in English and Portuguese
 * (pt-BR): one catalog read by the server (a row's `flags` are the English texts of its `flagCodes`,
 * so both come from here) and by the dashboard (it writes `flagCodes` and `methodCode` in the page's
 * language). Nothing here does I/O or imports anything, so the client bundles it as it is.
 *
 * Templates name parameters in braces. Strings (years, ids, spans such as 2014-2023) are written as
 * given; numbers with the language's decimal mark, no grouping, at most one decimal. `{crop}` is a
 * crop id of GET /api/crops: the dashboard replaces it with the crop's label before filling.
 */
type RowLang = 'pt' | 'en';
export type RowParams = Record<string, string | number>;

const MESSAGES = {
  // ---- flags: server/analytics/yield-gap.ts
  'zero-yield-unknown': { en: 'zero yield treated as unknown ({years})', pt: 'produtividade zero tratada como desconhecida ({years})' },
  'window-truncated': { en: 'window truncated at the start of the data: {used} of {of} years', pt: 'janela cortada no início dos dados: {used} de {of} anos' },
  'no-yield-data': { en: 'no yield data {from}-{to}: actual yield unknown', pt: 'sem dados de produtividade em {from}-{to}: produtividade atual desconhecida' },
  'yield-years': { en: 'actual yield from {used} of {of} years', pt: 'produtividade atual de {used} de {of} anos' },
  'no-statistics-row': { en: 'no {table} row for {year}', pt: 'sem linha da tabela {table} para {year}' },
  'area-production-unknown': { en: 'planted area / production {year} unknown', pt: 'área plantada / produção de {year} desconhecida' },
  'population-unknown': { en: 'population unknown', pt: 'população desconhecida' },
  'population-other-year': { en: 'population from {yearUsed} (table covers {from}-{to})', pt: 'população de {yearUsed} (a tabela cobre {from}-{to})' },
  'no-price': { en: 'no {series} price for {year}', pt: 'sem preço {series} para {year}' },
  'price-months': { en: 'price from {months} of 12 months', pt: 'preço de {months} de 12 meses' },
  // ---- flags: server/plugins/regions.ts (the priority ranking)
  'not-ranked-no-value': { en: 'not ranked for intervention priority: production gap value unknown', pt: 'fora da prioridade de intervenção: valor da lacuna de produção desconhecido' },
  'not-ranked-no-population': { en: 'not ranked for intervention priority: population unknown', pt: 'fora da prioridade de intervenção: população desconhecida' },
  // ---- flags: server/regions/rows.ts, server/regions/crop-area.ts (the crop map's area)
  'no-crop-map': { en: 'no crop map covers the region: mappedAreaHa is null', pt: 'nenhum mapa de culturas cobre o município: sem área mapeada' },
  'crop-map-failed': { en: 'crop map {map}: {reason}', pt: 'mapa de culturas {map}: falhou ({reason})' },
  'crop-map-partial': { en: 'crop map {map} covers {pct} % of the region: mappedAreaHa is for the covered part only', pt: 'o mapa de culturas {map} cobre {pct} % do município: a área mapeada é só da parte coberta' },
  'crop-map-season': { en: 'crop map season {from}..{to} is not the season harvested in {year}', pt: 'a safra do mapa de culturas, {from}..{to}, não é a safra colhida em {year}' },
  'crop-map-scene-unknown': { en: 'scene {scene} of the crop map is not in the catalog: its season is unknown', pt: 'a cena {scene} do mapa de culturas não está no catálogo: a safra dele é desconhecida' },
  'crop-map-empty': { en: 'crop map {map}: the crop map has no classified pixel inside the region', pt: 'mapa de culturas {map}: nenhum pixel classificado dentro do município' },
  'unnamed-classes': { en: '{ha} ha of class ids not named in the model card were counted as not {crop}', pt: '{ha} ha de classes sem nome no cartão do modelo contados como não {crop}' },
  'crop-class-without-samples': { en: 'map class {crop} has no samples: its mapped area is assumed correct (no variance contribution)', pt: 'a classe {crop} do mapa não tem amostras: a área mapeada é tomada como correta (sem contribuição à variância)' },
  'other-class-without-samples': { en: 'map class not {crop} has no samples: its mapped area is assumed correct (no variance contribution)', pt: 'a classe "não {crop}" do mapa não tem amostras: a área mapeada é tomada como correta (sem contribuição à variância)' },
  'single-sample-class': { en: 'a map class with mapped area has a single sample: standard errors are not estimable (null)', pt: 'uma classe do mapa com área mapeada tem uma só amostra: os erros padrão não podem ser estimados' },
  // ---- methods
  'yield-gap-method': {
    en:
      "Ya = mean of the municipality's known (non-zero) yields {from}-{to} ({n}-year window, GYGA practice for {system} systems); " +
      'attainable yield = P{percentile} across {municipalities} municipalities of their {from}-{to} mean yields (linear interpolation between order statistics (Hyndman-Fan type 7, as R quantile() / NumPy percentile() defaults)), a statistical stand-in for Yw; ' +
      'gap = max(0, attainable - Ya); production gap = gap x planted area {year} (PAM yields are per harvested area; planted area is used, so crop failures count in the gap); ' +
      'price = mean of the monthly {series} price of {year} (harvest year = the year itself), World Bank world price in {unit}, not a local farm-gate price; ' +
      'production per capita = production / resident population (availability, not consumption). Zeros in the crop table are read as unknown.',
    pt:
      'Ya = média das produtividades conhecidas (não nulas) do município em {from}-{to} (janela de {n} anos, prática do GYGA para sistemas {system}); ' +
      'produtividade atingível = P{percentile} entre {municipalities} municípios das suas médias de {from}-{to} (interpolação linear entre estatísticas de ordem, Hyndman-Fan tipo 7, o padrão de quantile() do R e percentile() do NumPy), um substituto estatístico de Yw; ' +
      'lacuna = máx(0, atingível - Ya); lacuna de produção = lacuna x área plantada em {year} (as produtividades da PAM são por área colhida; usa-se a área plantada, então as quebras de safra contam na lacuna); ' +
      'preço = média dos preços mensais {series} de {year} (ano da colheita = o próprio ano), preço mundial do Banco Mundial em {unit}, não um preço local na porteira; ' +
      'produção per capita = produção / população residente (disponibilidade, não consumo). Zeros na tabela de produção são lidos como desconhecidos.',
  },
  'priority-method': {
    en: 'rank by production gap value per inhabitant (USD/person) = yield gap x planted area x annual mean world price / resident population, highest first; one transparent quantity (no weights), comparable across regions of different size',
    pt: 'ordem pelo valor da lacuna de produção por habitante (USD/pessoa) = lacuna de produtividade x área plantada x preço mundial médio do ano / população residente, do maior ao menor; uma única grandeza transparente (sem pesos), comparável entre municípios de tamanhos diferentes',
  },
} as const satisfies Record<string, Record<RowLang, string>>;

export type RowCode = keyof typeof MESSAGES;

/** A caveat or method as a language-neutral code and its parameters. */
export interface RowMessage {
  code: RowCode;
  params: RowParams;
}

const LOCALE: Record<RowLang, string> = { pt: 'pt-BR', en: 'en-GB' };

/** parameter values that are words of a closed set (the regions configuration's `system`) */
const WORDS: Readonly<Record<string, Readonly<Record<RowLang, string>>>> = {
  rainfed: { en: 'rainfed', pt: 'de sequeiro' },
  irrigated: { en: 'irrigated', pt: 'irrigados' },
};

/** The message in a language (an unknown code falls back to the code itself). */
export function rowMessageText(m: { code: string; params: RowParams }, lang: RowLang): string {
  const template = (MESSAGES as Record<string, Record<RowLang, string> | undefined>)[m.code]?.[lang];
  if (!template) return m.code;
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = m.params[k];
    if (v === undefined) return '–';
    if (typeof v === 'number') return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1, useGrouping: false }).format(v);
    return k === 'system' ? (WORDS[v]?.[lang] ?? v) : v;
  });
}

/** A message and its English text, for producers that keep both (`flags` beside `flagCodes`). */
export function rowMessage(code: RowCode, params: RowParams = {}): RowMessage & { text: string } {
  return { code, params, text: rowMessageText({ code, params }, 'en') };
}

/** Every code of the catalog (for tests and documentation). */
export const ROW_CODES = Object.keys(MESSAGES) as RowCode[];
