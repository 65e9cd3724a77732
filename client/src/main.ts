/**
 * Granary dashboard: loads the catalog and colormaps, draws the map, and wires the policymaker and
 * farmer views. Optional parts (crop models, boundaries, indicators) load on their own, so a
 * missing one gives a message where it would be shown, never a blank page.
 */
import { addWeatherStations } from './map/stations';
import { api } from './api';
import { boundaries, modelList, normals } from './datasets';
import { exportMapPng, exportStrings } from './export-map';
import { saveBlob } from './download';
import { setupPlaceSearch } from './panels/place-search';
import { flush, formatMapPosition, mapPosition, param, setParams } from './permalink';
import { byId, h } from './dom';
import { catalogs, initLang, setLang, getLang, onLangChange, sceneTitle, t } from './i18n';
import { firstImageryTileJson, LayerPanel } from './controls';
import { createMap, geometryBBox, maplibregl, styleReady } from './map/map';
import { firstMapStyle, Layers, type FirstMap } from './map/layers';
import { Absent, describeError, notice } from './notice';
import { emit, on, VIEWS, type Ctx, type View } from './state';
import { AnalystView } from './views/analyst';
import { PolicymakerView } from './views/policymaker';
import { FarmerView } from './views/farmer';
import { resolveYears } from './years';
import { setCrops, type CropInfo } from './crops';
import type { Colormap, RegionCollection, RegionFeature, SceneSummary, StacItem } from './types';
import { modelVariables, selectModel } from './models';

interface Hook {
  /** performance.now() at the steps of start-up, for the bench */
  marks: Record<string, number>;
  ready: boolean;
  error: string | null;
  firstRenderMs: number | null;
  ctx?: Ctx;
  project?: (lon: number, lat: number) => [number, number];
  idle?: () => Promise<void>;
  /** the text catalogs (main and modules), for the browser check of the Portuguese view */
  catalogs?: () => Record<string, { en: Record<string, string>; pt: Record<string, string> }>;
}
const hook: Hook = { marks: {}, ready: false, error: null, firstRenderMs: null, catalogs: () => Object.fromEntries(catalogs()) };
const mark = (name: string) => void (hook.marks[name] = Math.round(performance.now()));
(window as unknown as { granary: Hook }).granary = hook;

const banner = byId('banner');

function fatal(message: string): void {
  hook.error = message;
  document.body.classList.add('failed');
  banner.hidden = false;
  banner.replaceChildren(notice(message, 'error', () => location.reload()));
}

function pickScene(scenes: SceneSummary[]): SceneSummary | undefined {
  const wanted = new URLSearchParams(location.search).get('scene');
  const users = scenes.filter((s) => s.purpose === 'data');
  return scenes.find((s) => s.id === wanted) ?? users.find((s) => s.id === 'sinop') ?? users.find((s) => s.dates.length > 1) ?? users[0] ?? scenes[0];
}

/** The crop of the permalink when the server has it, else the server's default crop. */
function chooseCrop(list: readonly CropInfo[], fallback: string): string {
  const wanted = param('crop');
  return list.find((c) => c.crop === wanted)?.crop ?? (fallback || list[0]?.crop || '');
}

/** The year of the permalink when the server has it, else the server's default year. */
function chooseYear(years: readonly number[], fallback: number): number {
  const wanted = Number(param('year'));
  return years.includes(wanted) ? wanted : fallback;
}

async function boot(): Promise<void> {
  mark('boot');
  initLang();
  applyStaticText();
  onLangChange(applyStaticText);
  byId('lang-btn').onclick = () => {
    setLang(getLang() === 'pt' ? 'en' : 'pt');
    setParams({ lang: getLang() });
  };
  // Everything the first screen needs is asked for at once (index.html preloads the fixed URLs, so
  // most answers are already in when this script runs): the catalog, the crops, the municipal
  // boundaries, then the yield-gap table of the default year and its comparison with normal.
  const cropsP = api.crops().catch(() => ({ defaultCrop: '', regionsTitle: '', areaName: '', sources: [] as string[], crops: [] as CropInfo[] }));
  const yearsP = cropsP.then((c) => resolveYears(chooseCrop(c.crops, c.defaultCrop)));
  // the choropleth waits for the comparison with normal of the year shown: asked as soon as the year is known
  void Promise.all([cropsP, yearsP]).then(([c, y]) => normals(chooseCrop(c.crops, c.defaultCrop), chooseYear(y.years, y.year)).catch(() => {}));
  const boundariesP = boundaries('low');
  boundariesP.catch(() => {});
  const colormapsP = api.colormaps();
  colormapsP.catch(() => {});
  let scenes: SceneSummary[];
  try {
    scenes = await api.scenes();
  } catch (e) {
    fatal(describeError(e, 'wScenes'));
    return;
  }
  const scene = pickScene(scenes);
  if (!scene) {
    fatal(t('noScenes'));
    return;
  }
  // the scene's record and its first imagery's TileJSON side by side, both before the map is made, so
  // that the imagery tiles are asked for in the map's first frame (a map made earlier draws empty
  // frames of 60-100 ms each in a software-rendered browser, and the answers it waits for queue behind them)
  const itemP = api.scene(scene.id);
  const imageryTj = firstImageryTileJson(scene, itemP);
  imageryTj.catch(() => {});
  let item: StacItem;
  let colormaps: Colormap[];
  try {
    [item, colormaps] = await Promise.all([itemP, colormapsP]);
  } catch (e) {
    fatal(describeError(e, 'wScenes'));
    return;
  }
  mark('catalog');
  const first: FirstMap = { imagery: await imageryTj.catch(() => null), footprint: item.geometry };
  const crops = await cropsP;
  setCrops(crops);
  const map = createMap(byId('map'), scene.bbox, item.properties['granary:attribution'], firstMapStyle(first), mapPosition());
  const styleP = styleReady(map);
  map.on('moveend', () => setParams({ map: formatMapPosition(map.getZoom(), map.getCenter().lat, map.getCenter().lng) }));
  const ctx: Ctx = {
    map,
    layers: new Layers(map, first),
    scenes,
    scene,
    item,
    colormaps: new Map(colormaps.map((c) => [c.name, c])),
    model: { value: null, error: null },
    models: [],
    regions: { value: null, error: null },
    regionById: new Map(),
    view: VIEWS.find((v) => v === new URLSearchParams(location.search).get('view')) ?? 'policy',
    crop: chooseCrop(crops.crops, crops.defaultCrop),
    crops: crops.crops,
    year: 0,
    years: [],
    bus: new EventTarget(),
  };
  hook.ctx = ctx;
  hook.project = (lon, lat) => {
    const p = map.project([lon, lat]);
    const r = map.getContainer().getBoundingClientRect();
    return [r.left + p.x, r.top + p.y];
  };
  hook.idle = () => new Promise((r) => (map.loaded() && !map.isMoving() ? r() : map.once('idle', () => r())));

  // the first map: imagery and the scene footprint (in the map's style), the rest once the style has loaded
  const layerPanel = new LayerPanel(ctx);
  byId('layer-panel').replaceChildren(layerPanel.el);
  reportTileErrors(map, layerPanel);
  await styleP;
  mark('style');
  // time to first rendered map: the first frame with every imagery tile of the view drawn
  let frameDone: () => void = () => {};
  const firstFrame = Promise.race([new Promise<void>((r) => (frameDone = r)), new Promise<void>((r) => setTimeout(r, 3000))]);
  const imagery = layerPanel.applyImagery(imageryTj).then(() => {
    mark('imagery');
    const onTile = (e: maplibregl.MapSourceDataEvent | maplibregl.MapStyleDataEvent) => {
      if (e.dataType !== 'source' || e.sourceId !== 'imagery' || !e.tile) return;
      mark('firstTile');
      map.off('data', onTile);
    };
    map.on('data', onTile);
    const onRender = () => {
      if (map.getSource('imagery') && map.isSourceLoaded('imagery')) {
        hook.firstRenderMs = performance.now();
        mark('firstRender');
        frameDone();
        map.off('render', onRender);
      }
    };
    map.on('render', onRender);
  });
  // optional parts, each on its own
  // the crop map (inference on the server's workers) and the weather stations once the imagery is on
  // screen, or after 3 s at most, so they do not delay the first map
  void firstFrame.then(() => {
    void addWeatherStations(ctx.layers.map);
    return loadModel(ctx, layerPanel);
  });
  // the views and the choropleth's layers after the first map (the frame with the imagery drawn, or
  // 3 s at most): built earlier, in the frame that asks for the tiles, they kept the page's main
  // thread busy while the tiles came in, and the tiles waited to be drawn
  await firstFrame;

  const { years, year } = await yearsP;
  ctx.years = years;
  ctx.year = chooseYear(years, year);
  mark('viewsStart');
  const policy = new PolicymakerView(ctx);
  const farmer = new FarmerView(ctx);
  const analyst = new AnalystView(ctx);
  setupSceneSelect(ctx);
  onLangChange(() => setupSceneSelect(ctx));
  setupExport(ctx);
  setupPlaceSearch(ctx, byId('map-wrap').querySelector('.map-buttons')!, (lon, lat) => void farmer.query(lon, lat, false));
  setupTabs(ctx, { policy: policy.el, farmer: farmer.el, analyst: analyst.el }, farmer);
  setupMapEvents(ctx, farmer, policy);
  // the boundaries (35 KB, asked for at start) go onto the map once the imagery is drawn (or after
  // 3 s at most): a frame with the municipalities' fill costs a software-rendered browser more, and
  // the first map's frames came later with it
  mark('views');
  void firstFrame.then(() => loadRegions(ctx, boundariesP));
  if (window.matchMedia('(max-width: 760px)').matches) (byId('layers') as HTMLDetailsElement).open = false;
  onLangChange(() => layerPanel.render());
  // a shared link to the farmer view opens at its place
  const at = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(param('at') ?? '');
  if (ctx.view === 'farmer' && at) {
    // once the boundaries and the crop model have loaded (or failed): a place asked before the model was
    // classified by the server's default model, not the page's, so the same link gave different classes
    let asked = false;
    const go = () => {
      if (asked || !(ctx.regions.value || ctx.regions.error) || !(ctx.model.value || ctx.model.error)) return;
      asked = true;
      void farmer.query(Number(at[2]), Number(at[1]), !mapPosition());
    };
    on(ctx, 'regions', go);
    on(ctx, 'model', go);
    go();
  }
  await imagery;
  hook.ready = true;
}

async function loadModel(ctx: Ctx, panel: LayerPanel): Promise<void> {
  try {
    const all = await modelList();
    if (!all.length) throw new Absent('noModels');
    const vars = new Set(ctx.scene.variables);
    // models whose inputs this scene has, the ones using more of its variables first
    ctx.models = all.filter((m) => modelVariables(m).every((v) => vars.has(v))).sort((a, b) => modelVariables(b).length - modelVariables(a).length);
    if (!ctx.models.length) throw new Absent('noModelFits');
    const wanted = new URLSearchParams(location.search).get('model');
    await selectModel(ctx, ctx.models.find((m) => m.id === wanted) ?? ctx.models[0]!);
  } catch (e) {
    ctx.model = { value: null, error: e };
    emit(ctx, 'model');
  }
  await panel.applyCrops();
}

async function loadRegions(ctx: Ctx, early: Promise<RegionCollection>): Promise<void> {
  try {
    const fc = await early;
    ctx.regions = { value: fc, error: null };
    ctx.regionById = new Map(fc.features.map((f) => [String(f.properties.id), f as RegionFeature]));
    ctx.layers.setRegions(fc);
    upgradeBoundariesOnZoom(ctx);
  } catch (e) {
    ctx.regions = { value: null, error: e };
  }
  emit(ctx, 'regions');
  mark('regions');
}

/** Zoomed in to fields, the simplified boundaries give way to the full-precision ones (fetched once). */
function upgradeBoundariesOnZoom(ctx: Ctx): void {
  const check = () => {
    if (ctx.map.getZoom() < FULL_DETAIL_ZOOM) return;
    ctx.map.off('zoomend', check);
    void boundaries('full').then((fc) => ctx.layers.setRegions(fc), () => ctx.map.on('zoomend', check));
  };
  ctx.map.on('zoomend', check);
  check();
}
const FULL_DETAIL_ZOOM = 10;

/** "Save map as PNG" and "Print" beside the map's buttons. */
function setupExport(ctx: Ctx): void {
  const png = h('button', { type: 'button', class: 'btn btn-small', id: 'export-png' });
  const print = h('button', { type: 'button', class: 'btn btn-small', id: 'print-page' });
  const label = () => {
    png.textContent = exportStrings.exportPng();
    print.textContent = exportStrings.print();
  };
  label();
  onLangChange(label);
  png.onclick = async () => {
    flush();
    const title = document.querySelector('#view .choropleth-legend figcaption')?.textContent ?? sceneTitle(ctx.scene.id, ctx.scene.title);
    const blob = await exportMapPng(ctx.map, ctx.view === 'policy' ? title : sceneTitle(ctx.scene.id, ctx.scene.title), ctx.item.properties['granary:attribution'] ?? '');
    saveBlob(`granary_${ctx.view}_${ctx.crop}_${ctx.year}.png`, blob);
  };
  print.onclick = () => {
    flush();
    window.print();
  };
  byId('map-wrap').querySelector('.map-buttons')!.append(png, print);
}

function setupSceneSelect(ctx: Ctx): void {
  const sel = byId<HTMLSelectElement>('scene-select');
  // scenes flagged as tests or derived products in the catalog stay out of the users' list (unless one is open)
  sel.replaceChildren(...ctx.scenes.filter((s) => s.purpose === 'data' || s.id === ctx.scene.id).map((s) => h('option', { value: s.id, selected: s.id === ctx.scene.id }, sceneTitle(s.id, s.title))));
  sel.onchange = () => {
    const u = new URL(location.href);
    u.searchParams.set('scene', sel.value);
    location.assign(u.toString());
  };
  byId('zoom-scene').onclick = () => ctx.map.fitBounds(ctx.scene.bbox, { padding: 24 });
  byId('zoom-all').onclick = () => {
    const fc = ctx.regions.value;
    ctx.map.fitBounds(fc ? geometryBBox({ type: 'GeometryCollection', geometries: fc.features.map((f) => f.geometry) }) : ctx.scene.bbox, { padding: 16 });
  };
}

function setupTabs(ctx: Ctx, els: Record<View, HTMLElement>, farmer: FarmerView): void {
  const tabs = VIEWS.map((v) => byId(`tab-${v}`));
  const show = (view: View, focus: boolean) => {
    ctx.view = view;
    for (const tab of tabs) {
      const on2 = tab.dataset.view === view;
      tab.setAttribute('aria-selected', String(on2));
      tab.tabIndex = on2 ? 0 : -1;
      if (on2 && focus) tab.focus();
    }
    byId('panel').setAttribute('aria-labelledby', `tab-${view}`);
    byId('view').replaceChildren(els[view]);
    document.body.dataset.view = view;
    if (view !== 'farmer') farmer.clear();
    setParams({ view });
    emit(ctx, 'view', view);
  };
  for (const tab of tabs) {
    tab.onclick = () => show(tab.dataset.view as View, false);
    tab.onkeydown = (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft' || e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        const i = VIEWS.indexOf(ctx.view);
        const n = VIEWS.length;
        show(VIEWS[e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : (i + (e.key === 'ArrowRight' ? 1 : n - 1)) % n]!, true);
      }
    };
  }
  show(ctx.view, false);
}

function setupMapEvents(ctx: Ctx, farmer: FarmerView, policy: PolicymakerView): void {
  const { map } = ctx;
  const tip = byId('map-tip');
  const regionAt = (pt: { x: number; y: number }): string | null => {
    if (!map.getLayer('regions-fill')) return null;
    const f = map.queryRenderedFeatures([pt.x, pt.y], { layers: ['regions-fill'] })[0];
    return f ? String(f.properties?.id ?? f.id) : null;
  };
  map.on('click', (e) => {
    if (ctx.view === 'farmer') {
      // while a field is drawn, a click adds a corner (the drawing tool listens itself)
      if (!farmer.drawing) void farmer.query(e.lngLat.lng, e.lngLat.lat, false);
    }
    else {
      const id = regionAt(e.point);
      if (id) emit(ctx, 'region-select', id);
    }
  });
  map.on('mousemove', (e) => {
    const id = ctx.view === 'policy' ? regionAt(e.point) : null;
    ctx.layers.hoverRegion(id);
    map.getCanvas().style.cursor = ctx.view === 'farmer' || id ? 'pointer' : '';
    const f = id ? ctx.regionById.get(id) : undefined;
    if (!f) {
      tip.hidden = true;
      return;
    }
    tip.hidden = false;
    tip.textContent = policy.describe(id!, f.properties.name);
    tip.style.transform = `translate(${e.point.x + 14}px, ${e.point.y + 14}px)`;
  });
  map.on('mouseout', () => {
    tip.hidden = true;
    ctx.layers.hoverRegion(null);
  });
  on<string>(ctx, 'fit-region', (id) => {
    const f = ctx.regionById.get(id);
    if (f) map.fitBounds(geometryBBox(f.geometry), { padding: 40, maxZoom: 11 });
  });
}

/** Failing tiles of the raster layers, in plain words under the layer's toggle (from the map's first frame on). */
function reportTileErrors(map: Ctx['map'], panel: LayerPanel): void {
  const reported = new Set<string>();
  const report = (id: 'imagery' | 'crops' | 'confidence', status: number) => {
    const key = `${id}|${status}`;
    if (reported.has(key)) return;
    reported.add(key);
    const layer = t(id === 'imagery' ? 'imagery' : id === 'crops' ? 'cropMap' : 'confidence');
    // plain words, never the raw "AJAXError: Failed to fetch (0): http://..."
    const detail = t(status === 0 ? 'tilesNoAnswer' : status === 503 || status === 429 ? 'tilesBusy' : status >= 500 ? 'tilesServerFailed' : 'tilesRefused');
    panel.setStatus(id, t('tilesFailed', { layer, detail }), 'warn');
  };
  const probing = new Set<string>();
  map.on('error', (e) => {
    const ev = e as unknown as { sourceId?: string; error?: { message?: string; status?: number }; tile?: { tileID?: { canonical?: TileAddress } } };
    const id = ev.sourceId;
    if (id !== 'imagery' && id !== 'crops' && id !== 'confidence') return;
    if (typeof ev.error?.status === 'number') return report(id, ev.error.status);
    // raster tiles load as <img> elements (map/map.ts), whose failures carry no HTTP status: the
    // failed tile is asked for once more to learn it; a missing tile (404) stays silent, as MapLibre
    // keeps it when it has the status
    if (probing.has(id)) return;
    probing.add(id);
    void tileStatus(map, id, ev.tile?.tileID?.canonical).then((status) => {
      probing.delete(id);
      if (status !== 404) report(id, status);
    });
  });
}

interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** The HTTP status of a raster source's tile (0: no answer, or a good one now). */
async function tileStatus(map: Ctx['map'], id: string, at: TileAddress | undefined): Promise<number> {
  const template = (map.getSource(id) as { tiles?: string[] } | undefined)?.tiles?.[0];
  if (!template || !at) return 0;
  try {
    const res = await fetch(template.replace('{z}', String(at.z)).replace('{x}', String(at.x)).replace('{y}', String(at.y)));
    await res.body?.cancel();
    return res.ok ? 0 : res.status;
  } catch {
    return 0;
  }
}

function applyStaticText(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as Parameters<typeof t>[0]);
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel as Parameters<typeof t>[0]));
  const canvas = document.querySelector('#map canvas');
  canvas?.setAttribute('aria-label', t('mapLabel'));
}

boot().catch((e: unknown) => fatal(`${t('serverError', { what: t('wScenes'), status: (e as Error)?.message ?? String(e) })}`));
