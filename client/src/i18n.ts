/**
 * Portuguese and English text, number and date formats. The language comes from ?lang=, then the
 * saved choice, then the browser; Portuguese is the default for the bundled Brazilian data.
 */
type Lang = 'pt' | 'en';

const en = {
  tagline: 'Crops and food security from satellite images',
  viewPolicy: 'Policymakers',
  viewFarmer: 'Farmers',
  viewAnalyst: 'Analysts',
  views: 'Views',
  language: 'Português',
  languageLabel: 'Mudar para português',
  scene: 'Scene',
  skip: 'Skip to the panel',
  mapLabel: 'Map of crops, imagery and municipalities',
  layers: 'Map layers',
  opacity: 'Opacity',
  imagery: 'Satellite imagery',
  cropMap: 'Crop map',
  confidence: 'Model confidence',
  regionsLayer: 'Municipalities (indicator)',
  boundaries: 'Municipal boundaries',
  variable: 'Band or index',
  rgb: 'True colour (RGB)',
  colormap: 'Colour scale',
  date: 'Date',
  model: 'Model',
  zoomScene: 'Zoom to scene',
  zoomAll: 'Zoom to all municipalities',
  loading: 'Loading…',
  retry: 'Try again',
  unreachable: 'The Granary server cannot be reached. Check the network connection or ask whoever runs the server, then try again.',
  missingRoute: 'This server does not offer {what} yet ({status}).',
  unavailable: '{what} is not ready on the server yet ({status}); try again in a minute.',
  refused: 'The server refused the request for {what}: {detail}',
  serverError: 'The server failed while preparing {what} ({status}).',
  invalidData: 'The server sent {what} in a form this page cannot read.',
  noScenes: 'The server has no scenes in its catalog yet. Add one with “granary scenes add”.',
  noModels: 'No crop model is installed on this server yet, so there is no crop map.',
  noModelFits: 'None of the crop models on this server can read this scene (it lacks the bands they need). Choose another scene.',
  modelAccuracy: 'Accuracy on held-out samples: {oa} overall, macro-F1 {f1}.',
  mapFootprint: 'Computing this map used about {wh} ({g} CO2e).',
  labelAudit: 'Label audit: training samples to review',
  modelTitle: 'Crop type ({n} classes) from a season of {vars}',
  cropLegend: 'Crop classes',
  cm_viridis: 'Viridis (purple-yellow)',
  cm_cividis: 'Cividis (blue-yellow)',
  cm_magma: 'Magma (black-yellow)',
  cm_greys: 'Greys',
  cm_ndvi: 'Vegetation (brown-teal)',
  cm_rdylgn: 'Red-yellow-green',
  cm_confidence: 'Model confidence (light-dark blue)',
  cmUnsafe: '{name} (not colour-blind safe)',
  scene_sinop: 'MODIS NDVI and EVI, season 2013-14',
  scene_ipiranga: 'MODIS, 6 variables, seasons 2007-2013',
  'scene_landsat-bahamas': 'Landsat 7 RGB test scene',
  sceneSos: '{scene}: start of season (days since 1 September)',
  wCrops: 'the crop map',
  wModels: 'crop models',
  wRegions: 'municipal boundaries',
  wYieldGap: 'yield-gap indicators',
  wPoint: 'information at this point',
  wRegion: 'this municipality',
  wScenes: 'the scene catalog',
  wTiles: 'image tiles',
  wHistory: 'the history',
  tilesFailed: 'Some tiles of “{layer}” could not be loaded: {detail}',
  tilesNoAnswer: 'the server did not answer (check the network, then zoom or pan to try again).',
  tilesBusy: 'the server is busy; they will load when you zoom or pan again in a moment.',
  tilesServerFailed: 'the server failed to draw them; tell whoever runs the server.',
  tilesRefused: 'the server refused them (this layer may not exist for this scene).',
  noDataLegend: 'no data',
  fixedClasses: 'Fixed classes: the same for every year and crop, so maps compare by eye.',
  ind_yieldVsNormalPct: 'Yield vs its 10-year normal (%)',
  ind_productionVsNormalPct: 'Production vs its 10-year normal (%)',
  normalTitle: 'Compared with normal ({from}–{to})',
  normalLine: '{what}: {value} in {year}; normal {normal} ({diff}, {pct}).',
  normalNone: 'Not enough earlier years for a normal (at least {n}).',
  nYield: 'Yield',
  nProduction: 'Production',
  stateTitle: '{crop} in {year}',
  stateLine: 'Production {prod} t ({pct} against the normal of {normal} t); yield {yield} kg/ha.',
  stateTrend: 'Trend {from}–{to}: {prodTrend} t per year; yield {yieldTrend} kg/ha per year.',
  stateChart: 'State production, {crop} (t)',
  // policymaker
  crop: 'Crop',
  year: 'Year',
  indicator: 'Indicator',
  ranking: 'Ranking of municipalities',
  rankingHint: 'Select a municipality in the list or on the map. Sort by clicking a column heading.',
  rank: '#',
  municipality: 'Municipality',
  value: 'Value',
  filter: 'Find a municipality',
  sortAsc: 'ascending',
  sortDesc: 'descending',
  nRegions: '{n} municipalities',
  downloadGeojson: 'Download GeoJSON',
  downloadCsv: 'Download CSV',
  downloadCsvPtBr: 'CSV for Excel in Portuguese (;)',
  downloadHint: 'Downloads hold the municipalities listed above ({n}), with every indicator and the 95 % interval of the mapped area, in the columns of the API’s CSV.',
  regionPanel: 'Municipality',
  ibgeCode: 'IBGE code',
  method: 'Method',
  sources: 'Sources',
  inputs: 'Inputs',
  flags: 'Notes on the data',
  history: 'History of “{indicator}”',
  historyEmpty: 'No earlier years to show.',
  close: 'Close',
  clickRegion: 'Click a municipality on the map or in the ranking to see all its indicators.',
  noRegionData: 'No {crop} statistics for {name} in {year}.',
  ind_yieldGapPct: 'Yield gap (%)',
  ind_yieldGapKgHa: 'Yield gap (kg/ha)',
  ind_productionGapT: 'Production gap (t)',
  ind_productionGapValueUsd: 'Value of the production gap (USD)',
  ind_productionPerCapitaKg: 'Production per person (kg)',
  ind_actualYieldKgHa: 'Actual yield (kg/ha)',
  ind_attainableYieldKgHa: 'Attainable yield (kg/ha)',
  ind_productionT: 'Production (t)',
  ind_plantedAreaHa: 'Planted area (ha)',
  ind_population: 'Population',
  ind_priceUsdPerT: 'World price (USD/t)',
  ind_mappedAreaHa: 'Mapped area (ha)',
  ind_priorityScore: 'Priority: value of the gap per person (USD)',
  ind_priorityRank: 'Rank for intervention (1 = first)',
  ind_reportedYieldKgHa: 'Yield reported that year (kg/ha)',
  priorityMethod: 'Ranking for intervention',
  mappedInterval: 'Mapped area: 95 % interval {lo} – {hi} ha (model-based, indicative).',
  mappedCovers: 'The crop map covers {share} % of the municipality.',
  mappedSeason: 'The map is of the {season} season, not {year}.',
  // farmer
  farmerIntro: 'Tap your field on the map, type its coordinates, or use this device’s location.',
  latitude: 'Latitude',
  longitude: 'Longitude',
  show: 'Show this place',
  useLocation: 'Use my location',
  locating: 'Finding your location…',
  geoDenied: 'Location was not allowed. Type the coordinates instead.',
  geoUnavailable: 'This device could not find its location. Type the coordinates instead.',
  geoInsecure: 'The browser only shares location over https. Type the coordinates or tap the map.',
  badCoords: 'Type a latitude between -90 and 90 and a longitude between -180 and 180 (for example -11.65 and -55.5).',
  outsideScenes: 'There are no satellite images at this place. The images cover: {areas}.',
  fieldTitle: 'Your field at {lat}, {lon}',
  classSentence: 'This field most likely grows {crop}.',
  confidenceSentence: 'The model is {pct} sure ({level}): in tests, about {pct} of the fields it was this sure about were right.',
  confHigh: 'quite sure',
  confMid: 'fairly sure',
  confLow: 'not sure: check the field yourself',
  otherClasses: 'Other possibilities: {list}.',
  noClass: 'The crop map is not available on this server yet, so the crop type is unknown.',
  noClassHere: 'The model could not classify this place (no image values for the whole season here).',
  curveTitle: '{variable} through the season',
  curveField: 'This field',
  curveTypical: 'Typical curve: {crop}',
  curveRegion: 'Average of {region}',
  curveNormal: 'Normal season (mean {from}–{to})',
  curveHelp: 'Greener vegetation gives higher values. A double crop shows two peaks.',
  sampling: 'Comparing with other fields of the scene…',
  samplesNote: 'Typical curve and region average from {n} places sampled across the scene.',
  peakSentence: 'Its greenest moment was {value} on {date}.',
  peakCompare: 'That is higher than {share} of the {crop} fields sampled ({n}).',
  peakFew: 'Too few {crop} fields were sampled to compare its peak.',
  timingEarly: 'It turned green about {days} days earlier than usual for {crop}.',
  timingLate: 'It turned green about {days} days later than usual for {crop}.',
  timingSame: 'It turned green at the usual time for {crop}.',
  gapSentence: 'In {region}, {crop} farms harvested {actual} on average in {year}; the best municipalities of the state reach {attainable}. The gap is {gap} ({pct}).',
  gapTitle: 'Yields in {region}',
  kgAndSacas: '{kg} kg/ha ({sc} sacas/ha)',
  safrinha: 'second-crop (safrinha) {crop}',
  farmerYear: 'Year of the municipal figures',
  gapUnknownCrop: 'No {crop} yields of this municipality are available.',
  fewSamples: 'Only {n} fields were sampled for this comparison: take it as a rough indication.',
  gapNone: 'In {region}, {crop} yields are already among the best of the state (no gap).',
  gapUnknown: 'The yield gap of this municipality is not available.',
  cannot: 'Granary cannot tell you about soil moisture, and the rain and temperature shown come from the nearest INMET station, not from your field: ask your local weather service for a forecast.',
  noSeries: 'No image values at this point.',
  regionOf: 'Municipality: {name}',
  pointLoading: 'Reading the images at this point…',
  // class names handled by className()
};

type Key = keyof typeof en;
type Dict = Record<Key, string>;

const pt: Dict = {
  tagline: 'Lavouras e segurança alimentar a partir de imagens de satélite',
  viewPolicy: 'Gestores públicos',
  viewFarmer: 'Agricultores',
  viewAnalyst: 'Analistas',
  views: 'Visões',
  language: 'English',
  languageLabel: 'Switch to English',
  scene: 'Cena',
  skip: 'Ir para o painel',
  mapLabel: 'Mapa de lavouras, imagens e municípios',
  layers: 'Camadas do mapa',
  opacity: 'Opacidade',
  imagery: 'Imagem de satélite',
  cropMap: 'Mapa de culturas',
  confidence: 'Confiança do modelo',
  regionsLayer: 'Municípios (indicador)',
  boundaries: 'Limites municipais',
  variable: 'Banda ou índice',
  rgb: 'Cor verdadeira (RGB)',
  colormap: 'Escala de cores',
  date: 'Data',
  model: 'Modelo',
  zoomScene: 'Aproximar da cena',
  zoomAll: 'Ver todos os municípios',
  loading: 'Carregando…',
  retry: 'Tentar de novo',
  unreachable: 'Não foi possível falar com o servidor Granary. Verifique a conexão de rede ou fale com quem mantém o servidor e tente de novo.',
  missingRoute: 'Este servidor ainda não oferece {what} ({status}).',
  unavailable: '{what} ainda não está pronto no servidor ({status}); tente de novo em um minuto.',
  refused: 'O servidor recusou o pedido de {what}: {detail}',
  serverError: 'O servidor falhou ao preparar {what} ({status}).',
  invalidData: 'O servidor enviou {what} num formato que esta página não lê.',
  noScenes: 'O servidor ainda não tem cenas no catálogo. Adicione uma com “granary scenes add”.',
  noModels: 'Ainda não há modelo de culturas instalado neste servidor; por isso não há mapa de culturas.',
  noModelFits: 'Nenhum modelo de culturas deste servidor lê esta cena (faltam as bandas de que precisam). Escolha outra cena.',
  modelAccuracy: 'Acurácia em amostras de validação: {oa} global, F1 macro {f1}.',
  mapFootprint: 'Calcular este mapa consumiu cerca de {wh} ({g} CO2e).',
  labelAudit: 'Auditoria de rótulos: amostras de treino a revisar',
  modelTitle: 'Tipo de cultura ({n} classes) a partir de uma safra de {vars}',
  cropLegend: 'Classes de cultura',
  cm_viridis: 'Viridis (roxo-amarelo)',
  cm_cividis: 'Cividis (azul-amarelo)',
  cm_magma: 'Magma (preto-amarelo)',
  cm_greys: 'Tons de cinza',
  cm_ndvi: 'Vegetação (marrom-verde-azulado)',
  cm_rdylgn: 'Vermelho-amarelo-verde',
  cm_confidence: 'Confiança do modelo (azul claro-escuro)',
  cmUnsafe: '{name} (não seguro para daltônicos)',
  scene_sinop: 'MODIS NDVI e EVI, safra 2013-14',
  scene_ipiranga: 'MODIS, 6 variáveis, safras 2007-2013',
  'scene_landsat-bahamas': 'cena de teste Landsat 7 RGB',
  sceneSos: '{scene}: início da safra (dias desde 1º de setembro)',
  wCrops: 'o mapa de culturas',
  wModels: 'os modelos de culturas',
  wRegions: 'os limites municipais',
  wYieldGap: 'os indicadores de lacuna de produtividade',
  wPoint: 'as informações deste ponto',
  wRegion: 'este município',
  wScenes: 'o catálogo de cenas',
  wTiles: 'as imagens',
  wHistory: 'o histórico',
  tilesFailed: 'Parte de “{layer}” não pôde ser carregada: {detail}',
  tilesNoAnswer: 'o servidor não respondeu (verifique a rede e aproxime ou mova o mapa para tentar de novo).',
  tilesBusy: 'o servidor está ocupado; as imagens carregam ao aproximar ou mover o mapa daqui a pouco.',
  tilesServerFailed: 'o servidor falhou ao desenhá-las; avise quem mantém o servidor.',
  tilesRefused: 'o servidor recusou o pedido (esta camada pode não existir para esta cena).',
  noDataLegend: 'sem dados',
  fixedClasses: 'Classes fixas: as mesmas para todo ano e cultura, para comparar mapas a olho.',
  ind_yieldVsNormalPct: 'Produtividade vs. normal de 10 anos (%)',
  ind_productionVsNormalPct: 'Produção vs. normal de 10 anos (%)',
  normalTitle: 'Comparado com o normal ({from}–{to})',
  normalLine: '{what}: {value} em {year}; normal {normal} ({diff}, {pct}).',
  normalNone: 'Não há anos anteriores suficientes para um normal (pelo menos {n}).',
  nYield: 'Produtividade',
  nProduction: 'Produção',
  stateTitle: '{crop} em {year}',
  stateLine: 'Produção de {prod} t ({pct} em relação ao normal de {normal} t); produtividade de {yield} kg/ha.',
  stateTrend: 'Tendência {from}–{to}: {prodTrend} t por ano; produtividade {yieldTrend} kg/ha por ano.',
  stateChart: 'Produção do estado, {crop} (t)',
  crop: 'Cultura',
  year: 'Ano',
  indicator: 'Indicador',
  ranking: 'Ranking dos municípios',
  rankingHint: 'Escolha um município na lista ou no mapa. Ordene clicando no título de uma coluna.',
  rank: 'nº',
  municipality: 'Município',
  value: 'Valor',
  filter: 'Procurar município',
  sortAsc: 'crescente',
  sortDesc: 'decrescente',
  nRegions: '{n} municípios',
  downloadGeojson: 'Baixar GeoJSON',
  downloadCsv: 'Baixar CSV',
  downloadCsvPtBr: 'CSV para Excel em português (;)',
  downloadHint: 'Os arquivos trazem os municípios listados acima ({n}), com todos os indicadores e o intervalo de 95 % da área mapeada, nas colunas do CSV da API.',
  regionPanel: 'Município',
  ibgeCode: 'Código IBGE',
  method: 'Método',
  sources: 'Fontes',
  inputs: 'Dados de entrada',
  flags: 'Observações sobre os dados',
  history: 'Histórico de “{indicator}”',
  historyEmpty: 'Não há anos anteriores para mostrar.',
  close: 'Fechar',
  clickRegion: 'Clique num município no mapa ou no ranking para ver todos os indicadores.',
  noRegionData: 'Sem estatísticas de {crop} para {name} em {year}.',
  ind_yieldGapPct: 'Lacuna de produtividade (%)',
  ind_yieldGapKgHa: 'Lacuna de produtividade (kg/ha)',
  ind_productionGapT: 'Lacuna de produção (t)',
  ind_productionGapValueUsd: 'Valor da lacuna de produção (USD)',
  ind_productionPerCapitaKg: 'Produção por habitante (kg)',
  ind_actualYieldKgHa: 'Produtividade real (kg/ha)',
  ind_attainableYieldKgHa: 'Produtividade atingível (kg/ha)',
  ind_productionT: 'Produção (t)',
  ind_plantedAreaHa: 'Área plantada (ha)',
  ind_population: 'População',
  ind_priceUsdPerT: 'Preço mundial (USD/t)',
  ind_mappedAreaHa: 'Área mapeada (ha)',
  ind_priorityScore: 'Prioridade: valor da lacuna por habitante (USD)',
  ind_priorityRank: 'Posição para intervenção (1 = primeira)',
  ind_reportedYieldKgHa: 'Produtividade informada no ano (kg/ha)',
  priorityMethod: 'Ranking para intervenção',
  mappedInterval: 'Área mapeada: intervalo de 95 % de {lo} a {hi} ha (baseado no modelo, indicativo).',
  mappedCovers: 'O mapa de culturas cobre {share} % do município.',
  mappedSeason: 'O mapa é da safra {season}, não de {year}.',
  farmerIntro: 'Toque na sua lavoura no mapa, digite as coordenadas ou use a localização deste aparelho.',
  latitude: 'Latitude',
  longitude: 'Longitude',
  show: 'Mostrar este lugar',
  useLocation: 'Usar minha localização',
  locating: 'Procurando sua localização…',
  geoDenied: 'A localização não foi permitida. Digite as coordenadas.',
  geoUnavailable: 'O aparelho não encontrou a localização. Digite as coordenadas.',
  geoInsecure: 'O navegador só compartilha a localização em https. Digite as coordenadas ou toque no mapa.',
  badCoords: 'Digite uma latitude entre -90 e 90 e uma longitude entre -180 e 180 (por exemplo -11,65 e -55,5).',
  outsideScenes: 'Não há imagens de satélite neste lugar. As imagens cobrem: {areas}.',
  fieldTitle: 'Sua lavoura em {lat}, {lon}',
  classSentence: 'Esta área provavelmente tem {crop}.',
  confidenceSentence: 'O modelo tem {pct} de certeza ({level}): nos testes, cerca de {pct} dos campos com essa certeza estavam certos.',
  confHigh: 'bastante seguro',
  confMid: 'razoavelmente seguro',
  confLow: 'pouco seguro: confira no campo',
  otherClasses: 'Outras possibilidades: {list}.',
  noClass: 'O mapa de culturas ainda não está disponível neste servidor; o tipo de lavoura é desconhecido.',
  noClassHere: 'O modelo não conseguiu classificar este lugar (faltam valores de imagem da safra).',
  curveTitle: '{variable} ao longo da safra',
  curveField: 'Esta lavoura',
  curveTypical: 'Curva típica: {crop}',
  curveRegion: 'Média de {region}',
  curveNormal: 'Safra normal (média {from}–{to})',
  curveHelp: 'Vegetação mais verde dá valores mais altos. Duas safras mostram dois picos.',
  sampling: 'Comparando com outras lavouras da cena…',
  samplesNote: 'Curva típica e média do município a partir de {n} pontos amostrados na cena.',
  peakSentence: 'O momento mais verde foi {value} em {date}.',
  peakCompare: 'É mais alto que {share} das lavouras de {crop} amostradas ({n}).',
  peakFew: 'Poucas lavouras de {crop} foram amostradas para comparar o pico.',
  timingEarly: 'Ficou verde cerca de {days} dias antes do habitual para {crop}.',
  timingLate: 'Ficou verde cerca de {days} dias depois do habitual para {crop}.',
  timingSame: 'Ficou verde na época habitual para {crop}.',
  gapSentence: 'Em {region}, as lavouras de {crop} colheram em média {actual} em {year}; os melhores municípios do estado chegam a {attainable}. A lacuna é de {gap} ({pct}).',
  gapTitle: 'Produtividade em {region}',
  kgAndSacas: '{kg} kg/ha ({sc} sacas/ha)',
  safrinha: '{crop} safrinha (segunda safra)',
  farmerYear: 'Ano dos números do município',
  gapUnknownCrop: 'Não há dados de produtividade de {crop} deste município.',
  fewSamples: 'Só {n} lavouras foram amostradas para esta comparação: tome-a como indicação aproximada.',
  gapNone: 'Em {region}, a produtividade de {crop} já está entre as melhores do estado (sem lacuna).',
  gapUnknown: 'A lacuna de produtividade deste município não está disponível.',
  cannot: 'O Granary não informa a umidade do solo, e a chuva e a temperatura mostradas vêm da estação do INMET mais próxima, não da sua lavoura: consulte o serviço meteorológico local para previsões.',
  noSeries: 'Não há valores de imagem neste ponto.',
  regionOf: 'Município: {name}',
  pointLoading: 'Lendo as imagens neste ponto…',
};

const dicts: Record<Lang, Dict> = { en, pt };
let lang: Lang = 'pt';
const listeners = new Set<() => void>();

export function initLang(): Lang {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  let saved: string | null = null;
  try {
    saved = localStorage.getItem('granary.lang');
  } catch {
    saved = null;
  }
  const pick = fromUrl ?? saved ?? (navigator.language.toLowerCase().startsWith('pt') ? 'pt' : (navigator.language.toLowerCase().startsWith('en') ? 'en' : 'pt'));
  lang = pick === 'en' ? 'en' : 'pt';
  document.documentElement.lang = lang === 'pt' ? 'pt-BR' : 'en';
  return lang;
}

export const getLang = (): Lang => lang;

export function setLang(l: Lang): void {
  lang = l;
  document.documentElement.lang = l === 'pt' ? 'pt-BR' : 'en';
  try {
    localStorage.setItem('granary.lang', l);
  } catch {
    /* private mode: the choice lasts this page only */
  }
  for (const f of listeners) f();
}

export const onLangChange = (f: () => void): void => void listeners.add(f);

export type TKey = Key;

/**
 * A module's own strings (views and panels in their own files keep their text beside them), held
 * in the same catalog: `pt` must have every key of `en` (the compiler checks), both are listed by
 * `catalogs()` for the tests, and the returned function translates like `t`.
 */
export function defineStrings<K extends string>(name: string, enStrings: Record<K, string>, ptStrings: Record<K, string>): (key: K, vars?: Record<string, string | number>) => string {
  registry.set(name, { en: enStrings, pt: ptStrings });
  return (key, vars = {}) => fill((lang === 'pt' ? ptStrings : enStrings)[key] ?? key, vars);
}

const registry = new Map<string, { en: Record<string, string>; pt: Record<string, string> }>([['main', { en, pt }]]);

/** Every catalog of the page (the main one and the modules'), for the completeness tests. */
export const catalogs = (): ReadonlyMap<string, { en: Record<string, string>; pt: Record<string, string> }> => registry;

const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return fill(dicts[lang][key], vars);
}

/** A key known only at run time (e.g. `ind_${indicator}`); falls back to `fallback`, else the key itself. */
export function tDyn(key: string, fallback?: string): string {
  return (dicts[lang] as Record<string, string>)[key] ?? fallback ?? key;
}

/** A colour scale's name in the page's language (the server's title for scales the catalog lacks). */
export const colormapName = (name: string, serverTitle?: string): string => tDyn(`cm_${name}`, serverTitle ?? name);

/**
 * A scene's title: its place from the title it was registered with (the words before the first colon,
 * a proper name, the same in every language: the scene catalog says where a scene is, not this file),
 * then this catalog's words for what the bundled scenes hold; else the registered title.
 */
export function sceneTitle(id: string, serverTitle?: string): string {
  const colon = serverTitle?.indexOf(':') ?? -1;
  const place = serverTitle && colon > 0 ? serverTitle.slice(0, colon) : '';
  const what = (sceneId: string) => (dicts[lang] as Record<string, string>)[`scene_${sceneId}`];
  const own = what(id);
  if (own) return place ? `${place}: ${own}` : own;
  // derived scenes (granary phenology writes <scene>-sos) named after the scene they come from
  const sos = /^(.+)-sos$/.exec(id);
  const base = sos ? what(sos[1]!) : undefined;
  if (base) return t('sceneSos', { scene: place ? `${place}: ${base}` : base });
  return serverTitle ?? id;
}

const locale = () => (lang === 'pt' ? 'pt-BR' : 'en-GB');

export function fmtNum(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

export function fmtCompact(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

export function fmtPct(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: digits }).format(share);
}

export function fmtDate(iso: string, style: 'short' | 'long' = 'long'): string {
  const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), style === 'long' ? { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' } : { month: 'short', timeZone: 'UTC' }).format(d);
}

/** Crop class names of the bundled models in plain words. */
const CLASS_NAMES: Record<string, { en: string; pt: string }> = {
  Soy_Corn: { en: 'soybean, then a second crop of maize', pt: 'soja, seguida de milho safrinha' },
  Soy_Cotton: { en: 'soybean, then cotton', pt: 'soja, seguida de algodão' },
  Soy_Fallow: { en: 'soybean, then fallow', pt: 'soja, seguida de pousio' },
  Soy_Millet: { en: 'soybean, then millet', pt: 'soja, seguida de milheto' },
  Soy_Sunflower: { en: 'soybean, then sunflower', pt: 'soja, seguida de girassol' },
  Fallow_Cotton: { en: 'fallow, then cotton', pt: 'pousio, seguido de algodão' },
  Cerrado: { en: 'cerrado (savanna)', pt: 'cerrado' },
  Forest: { en: 'forest', pt: 'floresta' },
  Pasture: { en: 'pasture', pt: 'pastagem' },
  Soy: { en: 'soybean', pt: 'soja' },
  Maize: { en: 'maize', pt: 'milho' },
  Corn: { en: 'maize', pt: 'milho' },
  Cotton: { en: 'cotton', pt: 'algodão' },
  Water: { en: 'water', pt: 'água' },
  Urban: { en: 'built-up', pt: 'área urbana' },
};

export function className(name: string): string {
  const hit = CLASS_NAMES[name] ?? CLASS_NAMES[name.replace(/\s+/g, '_')];
  return hit ? hit[lang] : name.replace(/_/g, ' / ');
}

/** Capitalise the first letter (for class names at the start of a legend entry). */
export const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
