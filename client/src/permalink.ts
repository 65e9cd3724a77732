/**
 * Permalinks: every view state lives in the page's URL, so a reload, a bookmark or a link sent to a
 * colleague opens the same view. Parameters (all optional):
 *   view=policy|farmer|analyst  lang=pt|en  scene=<id>  model=<id>
 *   crop=soy|maize  year=<yyyy>  ind=<indicator>  region=<IBGE code>
 *   map=<zoom>/<lat>/<lon>  layers=<visible layers, comma-separated>  at=<lat>,<lon> (farmer's place)
 *   fyear=<yyyy> (the farmer view's year)  swipe=<crop>-<yyyy> (the right side of the side-by-side)  swipex=<divider, % from the left>
 * Parts of the page read their parameter once at start and write it when the user changes it;
 * writes are batched into one history.replaceState (no history entry per map movement).
 */
type Param = 'view' | 'lang' | 'scene' | 'model' | 'crop' | 'year' | 'ind' | 'region' | 'map' | 'layers' | 'at' | 'cmp' | 'weights' | 'swipe' | 'swipex' | 'fyear';

const pending = new Map<Param, string | null>();
let timer: number | undefined;

export function param(key: Param): string | null {
  return new URLSearchParams(location.search).get(key);
}

export function setParams(values: Partial<Record<Param, string | number | null | undefined>>): void {
  for (const [k, v] of Object.entries(values)) pending.set(k as Param, v === null || v === undefined || v === '' ? null : String(v));
  window.clearTimeout(timer);
  timer = window.setTimeout(flush, 120);
}

/** Writes the pending parameters now (before an export or a test reads the URL). */
export function flush(): void {
  window.clearTimeout(timer);
  if (!pending.size) return;
  const u = new URL(location.href);
  for (const [k, v] of pending) {
    if (v === null) u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  pending.clear();
  history.replaceState(history.state, '', u.toString());
}

/** `map=<zoom>/<lat>/<lon>` as MapLibre's centre and zoom, if valid. */
export function mapPosition(): { zoom: number; center: [number, number] } | null {
  const m = /^(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(param('map') ?? '');
  if (!m) return null;
  const [zoom, lat, lon] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (zoom > 22 || Math.abs(lat) > 85 || Math.abs(lon) > 180) return null;
  return { zoom, center: [lon, lat] };
}

export const formatMapPosition = (zoom: number, lat: number, lon: number): string => `${zoom.toFixed(2)}/${lat.toFixed(5)}/${lon.toFixed(5)}`;
