/**
 * Farmer view, beside a field: when it greened up against the usual window of its crop in its
 * municipality (every season the imagery has), the season's rain and heat at the nearest weather
 * station (with its distance, and no anomaly where there is no reference), and the alerts of the
 * municipality. Each part says what it rests on.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { h } from '../dom';
import { className, defineStrings, fmtNum, getLang } from '../i18n';
import { notice } from '../notice';
import { alertText } from '../../../server/contract/alert-messages';
import { answersApi, type AlertList, type PhenologyField, type PhenologyPoint, type WeatherPoint } from './answers-api';

const s = defineStrings(
  'field-answers',
  {
    plantingTitle: 'When did this field green up?',
    sosSeason: 'Season {season}: green-up around {date}',
    sosNone: 'Season {season}: no growing season seen here',
    windowEarlier: '{days} days earlier than the usual {label} fields of {region} (usual: {from} to {to})',
    windowLater: '{days} days later than the usual {label} fields of {region} (usual: {from} to {to})',
    windowWithin: 'within the usual window of {label} fields in {region} ({from} to {to})',
    sosMethod: 'Green-up = when the smoothed NDVI curve rises through 20 % of its seasonal amplitude (16-day images: about two weeks precision). Green-up is not the sowing date.',
    noImagery: 'No start-of-season data here: the imagery covers Sinop, Sorriso, Cláudia and Ipiranga do Norte only.',
    fieldBasis: 'For the whole field ({ha} ha, {px} pixels): the average of its pixels; earliest {first}, latest {last}.',
    weatherSource: 'Source: INMET (Instituto Nacional de Meteorologia), automatic stations; daily values from hourly UTC records.',
    weatherTitle: 'Rain and heat this season',
    weatherStation: 'Station {name}, {km} km away',
    weatherRain: '{mm} mm of rain since {from} ({days} rain days; {have} of {total} days recorded)',
    weatherHot: '{n} hot days (35 °C or more); mean maximum {t} °C',
    weatherDry: 'Longest dry spell: {days} days ({start} to {end})',
    weatherNoDry: 'No dry spell of 10 days or more',
    weatherNoRef: 'No comparison with a normal year: only one year of weather data is available.',
    weatherAnomaly: 'Rain is {pct} % against the other seasons at this station.',
    weatherNone: 'No weather station with rain data near here for this season.',
    alertsTitle: 'Alerts in {region}',
    alertsNone: 'No alerts for {region}.',
    alertsMore: '{n} alerts in all; the latest:',
    loadingAnswers: 'Loading…',
    wPhenology: 'green-up dates',
    wWeather: 'weather',
    wAlerts: 'alerts',
  },
  {
    plantingTitle: 'Quando esta lavoura começou a verdejar?',
    sosSeason: 'Safra {season}: início do verde por volta de {date}',
    sosNone: 'Safra {season}: nenhum ciclo de cultivo visto aqui',
    windowEarlier: '{days} dias antes das lavouras típicas de {label} em {region} (usual: {from} a {to})',
    windowLater: '{days} dias depois das lavouras típicas de {label} em {region} (usual: {from} a {to})',
    windowWithin: 'dentro da janela usual de {label} em {region} ({from} a {to})',
    sosMethod: 'Início do verde = quando a curva suavizada do NDVI sobe 20 % da sua amplitude na safra (imagens de 16 dias: precisão de cerca de duas semanas). Não é a data de plantio.',
    noImagery: 'Sem dados de início de safra aqui: as imagens cobrem apenas Sinop, Sorriso, Cláudia e Ipiranga do Norte.',
    fieldBasis: 'Para a lavoura inteira ({ha} ha, {px} pixels): a média dos seus pixels; o mais cedo {first}, o mais tarde {last}.',
    weatherSource: 'Fonte: INMET (Instituto Nacional de Meteorologia), estações automáticas; valores diários a partir de registros horários em UTC.',
    weatherTitle: 'Chuva e calor nesta safra',
    weatherStation: 'Estação {name}, a {km} km',
    weatherRain: '{mm} mm de chuva desde {from} ({days} dias de chuva; {have} de {total} dias registrados)',
    weatherHot: '{n} dias quentes (35 °C ou mais); máxima média {t} °C',
    weatherDry: 'Maior veranico: {days} dias ({start} a {end})',
    weatherNoDry: 'Nenhum veranico de 10 dias ou mais',
    weatherNoRef: 'Sem comparação com um ano normal: há apenas um ano de dados meteorológicos.',
    weatherAnomaly: 'A chuva está em {pct} % em relação às outras safras nesta estação.',
    weatherNone: 'Nenhuma estação com dados de chuva perto daqui nesta safra.',
    alertsTitle: 'Alertas em {region}',
    alertsNone: 'Nenhum alerta para {region}.',
    alertsMore: '{n} alertas no total; os mais recentes:',
    loadingAnswers: 'Carregando…',
    wPhenology: 'datas de início do verde',
    wWeather: 'tempo',
    wAlerts: 'alertas',
  },
);

/**
 * The class windows carry the label set's own names (dtwSat's for Ipiranga do Norte); the page words the
 * crop model's (sits) names, so the same equivalences as server/phenology/windows.ts LABEL_EQUIVALENTS.
 */
const SITS_NAME: Record<string, string> = { 'Soybean-maize': 'Soy_Corn', 'Soybean-millet': 'Soy_Millet', 'Soybean-cotton': 'Soy_Cotton', 'Cotton-fallow': 'Fallow_Cotton' };
const windowClass = (label: string) => className(SITS_NAME[label] ?? label);

/** day and month ("3 Oct", "3 de out."): a green-up date is about a day of the season, not a year */
const dayMonth = (iso: string) => new Date(`${iso}T12:00:00Z`).toLocaleDateString(getLang() === 'pt' ? 'pt-BR' : 'en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayToDate = (season: number, day: number) => new Date(Date.UTC(season, 8, 1) + Math.round(day) * 86_400_000).toISOString().slice(0, 10);

export class FieldAnswers {
  readonly el: HTMLElement;
  private key = '';
  private ctrl: AbortController | null = null;
  private data: { sos: PhenologyPoint | PhenologyField | Error | null; wx: WeatherPoint | Error | null; alerts: AlertList | Error | null } = { sos: null, wx: null, alerts: null };

  /** `testId`: 'field-answers' beside a point, 'drawn-field-answers' below a drawn field */
  constructor(testId = 'field-answers') {
    this.el = h('section', { class: 'field-answers', 'data-testid': testId });
  }

  setPoint(lon: number, lat: number, cropName: string | null): void {
    this.load(`${lon},${lat},${cropName}`, lon, lat, (signal) => answersApi.phenology(lon, lat, cropName, signal));
  }

  /**
   * A drawn field: its start of season is the average over its pixels (POST /api/phenology/field); the
   * weather and alerts are those of a point inside it. For the helper that lets a farmer draw a field.
   */
  setField(geometry: Polygon | MultiPolygon, inside: { lon: number; lat: number }, cropName: string | null): void {
    this.load(`field:${JSON.stringify(geometry).length}:${JSON.stringify(geometry).slice(0, 200)},${cropName}`, inside.lon, inside.lat, (signal) => answersApi.phenologyField(geometry, cropName, signal));
  }

  private load(key: string, lon: number, lat: number, sosOf: (signal: AbortSignal) => Promise<PhenologyPoint | PhenologyField>): void {
    if (key === this.key) return this.render();
    this.key = key;
    this.ctrl?.abort();
    const ctrl = (this.ctrl = new AbortController());
    this.data = { sos: null, wx: null, alerts: null };
    this.render();
    const done = () => ctrl.signal.aborted || this.render();
    const settle = <T>(p: Promise<T>, k: 'sos' | 'wx' | 'alerts') => p.then((v) => ((this.data[k] as unknown) = v), (e: unknown) => ((this.data[k] as unknown) = e instanceof Error ? e : new Error(String(e)))).then(done);
    void settle(sosOf(ctrl.signal), 'sos');
    void settle(answersApi.weather(lon, lat, ctrl.signal), 'wx').then(() => {
      const wx = this.data.wx;
      const sos = this.data.sos;
      const region = sos && !(sos instanceof Error) ? sos.region : null;
      const rid = region?.id ?? (wx && !(wx instanceof Error) ? (wx as WeatherPoint & { place?: { regionId: string | null } }).place?.regionId ?? null : null);
      if (rid) void settle(answersApi.alerts(rid, ctrl.signal), 'alerts');
    });
  }

  render(): void {
    this.el.replaceChildren(this.planting(), this.weather(), this.alertsBlock());
  }

  rerender(): void {
    this.render();
  }

  private planting(): HTMLElement {
    const box = h('div', { class: 'answer-block', 'data-testid': 'planting' }, h('h3', {}, s('plantingTitle')));
    const d = this.data.sos;
    if (d === null) box.append(h('p', { class: 'muted' }, s('loadingAnswers')));
    else if (d instanceof Error) box.append((d as { status?: number }).status === 404 ? notice(s('noImagery'), 'info') : notice(`${s('wPhenology')}: ${d.message}`, 'warn'));
    else {
      const list = h('ul', { class: 'sos-list' });
      for (const x of d.seasons) {
        const label = `${x.season}-${String(x.season + 1).slice(2)}`;
        if (!x.date) {
          list.append(h('li', {}, s('sosNone', { season: label })));
          continue;
        }
        const li = h('li', { 'data-season': String(x.season), 'data-sos': x.date }, s('sosSeason', { season: label, date: dayMonth(x.date) }));
        const w = x.classWindow;
        if (w && d.region) {
          const vars = { days: fmtNum(Math.abs(w.daysFromMedian)), label: windowClass(w.label), region: d.region.name, from: dayMonth(dayToDate(x.season, w.p10)), to: dayMonth(dayToDate(x.season, w.p90)) };
          li.append(h('br', {}), h('span', { class: `sos-${w.position}` }, w.position === 'within' ? s('windowWithin', vars) : w.position === 'earlier' ? s('windowEarlier', vars) : s('windowLater', vars)));
        }
        list.append(li);
      }
      if ('field' in d) {
        const withDays = d.seasons.filter((x) => x.earliest !== null && x.latest !== null);
        const first = Math.min(...withDays.map((x) => x.earliest!));
        const last = Math.max(...withDays.map((x) => x.latest!));
        const when = (day: number) => (withDays.length && Number.isFinite(day) ? dayMonth(dayToDate(2000, day)) : '–');
        box.append(h('p', { class: 'muted small', 'data-testid': 'field-basis' }, s('fieldBasis', { ha: fmtNum(d.field.areaHa, 1), px: d.field.pixelCount, first: when(first), last: when(last) })));
      }
      box.append(list, h('p', { class: 'muted small' }, s('sosMethod')));
    }
    return box;
  }

  private weather(): HTMLElement {
    const box = h('div', { class: 'answer-block', 'data-testid': 'weather' }, h('h3', {}, s('weatherTitle')));
    const d = this.data.wx;
    if (d === null) box.append(h('p', { class: 'muted' }, s('loadingAnswers')));
    else if (d instanceof Error) box.append(notice(s('weatherNone'), 'info'));
    else if (!d.station || !d.summary) box.append(notice(s('weatherNone'), 'info'));
    else {
      const m = d.summary;
      const longest = [...m.drySpells].sort((a, b) => b.days - a.days)[0];
      box.append(
        h('p', { 'data-station': d.station.id }, s('weatherStation', { name: d.station.name, km: fmtNum(d.station.distanceKm) })),
        h('ul', {},
          h('li', {}, s('weatherRain', { mm: fmtNum(m.rainMm), from: dayMonth(d.window.from), days: m.rainDays, have: m.daysWithRainData, total: m.daysInWindow })),
          h('li', {}, s('weatherHot', { n: m.hotDays, t: fmtNum(m.tmaxMeanC, 1) })),
          h('li', {}, longest ? s('weatherDry', { days: longest.days, start: dayMonth(longest.start), end: dayMonth(longest.end) }) : s('weatherNoDry'))),
        h('p', { class: 'muted small' }, d.reference?.available && d.reference.rainAnomalyPct !== undefined ? s('weatherAnomaly', { pct: fmtNum(100 + d.reference.rainAnomalyPct) }) : s('weatherNoRef')),
        h('p', { class: 'muted small' }, s('weatherSource')),
      );
    }
    return box;
  }

  private alertsBlock(): HTMLElement {
    const d = this.data.alerts;
    const sos = this.data.sos;
    const region = sos && !(sos instanceof Error) ? sos.region?.name : null;
    const box = h('div', { class: 'answer-block', 'data-testid': 'alerts' }, h('h3', {}, s('alertsTitle', { region: region ?? '…' })));
    if (d === null) return box;
    if (d instanceof Error) box.append(notice(`${s('wAlerts')}: ${d.message}`, 'warn'));
    else if (d.numberMatched === 0) box.append(h('p', {}, s('alertsNone', { region: region ?? '' })));
    else box.append(h('p', {}, s('alertsMore', { n: d.numberMatched })), h('ul', { class: 'alert-list' }, ...d.alerts.map((a) => h('li', { class: `alert alert-${a.severity}`, 'data-code': a.code }, alertText(a.code, a.params, getLang()).title))));
    return box;
  }
}
