/**
 * The colormap registry: one place that tiles, legends (`/api/colormaps`) and the dashboard read.
 * Continuous ramps are stop lists interpolated into a 256-entry lookup table.
 */
interface Stop {
  value: number; // 0..1 along the ramp
  color: string; // #rrggbb
}

type Colormap =
  | { name: string; kind: 'continuous'; title: string; description: string; colorblindSafe: boolean; stops: Stop[] }
  | { name: string; kind: 'categorical'; title: string; description: string; colorblindSafe: boolean; classes: Array<{ value: number; name: string; color: string }> };

const even = (colors: string[]): Stop[] => colors.map((color, i) => ({ value: i / (colors.length - 1), color }));

const BUILTIN: Colormap[] = [
  { name: 'viridis', kind: 'continuous', title: 'Viridis', description: 'Perceptually uniform, colour-blind safe (matplotlib).', colorblindSafe: true, stops: even(['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725']) },
  { name: 'cividis', kind: 'continuous', title: 'Cividis', description: 'Optimised for colour-vision deficiency (Nuñez et al. 2018).', colorblindSafe: true, stops: even(['#00224e', '#35456c', '#666970', '#a59c74', '#fee838']) },
  { name: 'magma', kind: 'continuous', title: 'Magma', description: 'Perceptually uniform, colour-blind safe (matplotlib).', colorblindSafe: true, stops: even(['#000004', '#51127c', '#b73779', '#fc8961', '#fcfdbf']) },
  { name: 'greys', kind: 'continuous', title: 'Greys', description: 'Black to white.', colorblindSafe: true, stops: even(['#000000', '#ffffff']) },
  { name: 'ndvi', kind: 'continuous', title: 'Vegetation (brown-teal)', description: 'ColorBrewer BrBG: bare soil brown to dense vegetation teal; colour-blind safe. Default for vegetation indices.', colorblindSafe: true, stops: even(['#8c510a', '#bf812d', '#dfc27d', '#f6e8c3', '#c7eae5', '#80cdc1', '#35978f', '#01665e']) },
  { name: 'rdylgn', kind: 'continuous', title: 'Red-Yellow-Green', description: 'ColorBrewer RdYlGn, familiar for NDVI but NOT colour-blind safe; prefer "ndvi".', colorblindSafe: false, stops: even(['#d73027', '#fc8d59', '#fee08b', '#ffffbf', '#d9ef8b', '#91cf60', '#1a9850']) },
  { name: 'confidence', kind: 'continuous', title: 'Model confidence', description: 'Top-class probability: low (light) to high (dark blue); colour-blind safe (ColorBrewer Blues).', colorblindSafe: true, stops: even(['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b']) },
];

export class ColormapRegistry {
  private readonly maps = new Map<string, Colormap>();
  private readonly luts = new Map<string, Uint8Array>();

  constructor(maps: Colormap[] = BUILTIN) {
    for (const m of maps) this.maps.set(m.name, m);
  }

  register(map: Colormap): void {
    this.maps.set(map.name, map);
    this.luts.delete(map.name);
  }

  names(): string[] {
    return [...this.maps.keys()];
  }

  get(name: string): Colormap | undefined {
    return this.maps.get(name);
  }

  /** 256 x RGBA lookup table of a continuous colormap. */
  lut(name: string): Uint8Array | undefined {
    const cached = this.luts.get(name);
    if (cached) return cached;
    const m = this.maps.get(name);
    if (!m || m.kind !== 'continuous') return undefined;
    const lut = buildLut(m.stops);
    this.luts.set(name, lut);
    return lut;
  }
}

export function hexToRgb(hex: string): [number, number, number] {
  const h = hex.replace('#', '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

export function buildLut(stops: Stop[]): Uint8Array {
  const lut = new Uint8Array(256 * 4);
  const rgb = stops.map((s) => ({ v: s.value, c: hexToRgb(s.color) }));
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let k = 0;
    while (k < rgb.length - 2 && t > rgb[k + 1]!.v) k++;
    const a = rgb[k]!;
    const b = rgb[Math.min(k + 1, rgb.length - 1)]!;
    const f = b.v === a.v ? 0 : Math.max(0, Math.min(1, (t - a.v) / (b.v - a.v)));
    for (let ch = 0; ch < 3; ch++) lut[i * 4 + ch] = Math.round(a.c[ch]! + (b.c[ch]! - a.c[ch]!) * f);
    lut[i * 4 + 3] = 255;
  }
  return lut;
}
