/** Physical values -> RGBA pixels: rescale, then a colormap (one band) or a composite (three bands). */
type Range = readonly [number, number];

/** One band through a 256-entry RGBA lookup table (or grey when none); NaN -> transparent. */
export function colorizeSingle(values: Float32Array, range: Range, lut: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const [min, span] = minSpan(range);
  const table = lut ?? GREY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue; // NaN: alpha stays 0
    const k = toByte(v, min, span) * 4;
    const o = i * 4;
    out[o] = table[k]!;
    out[o + 1] = table[k + 1]!;
    out[o + 2] = table[k + 2]!;
    out[o + 3] = 255;
  }
  return out;
}

/** The grey ramp (index i -> i, i, i) as a lookup table, so both cases take one loop. */
const GREY = Uint8Array.from({ length: 1024 }, (_, k) => (k % 4 === 3 ? 255 : k >> 2));

/** Three bands as R, G, B, each with its own range; a pixel with any band missing is transparent. */
export function colorizeRgb(bands: readonly [Float32Array, Float32Array, Float32Array], ranges: readonly [Range, Range, Range]): Uint8Array {
  const [r, g, b] = bands;
  const n = r.length;
  const out = new Uint8Array(n * 4); // zero: a pixel left out is transparent black
  const [minR, spanR] = minSpan(ranges[0]);
  const [minG, spanG] = minSpan(ranges[1]);
  const [minB, spanB] = minSpan(ranges[2]);
  for (let i = 0; i < n; i++) {
    const vr = r[i]!;
    const vg = g[i]!;
    const vb = b[i]!;
    if (vr !== vr || vg !== vg || vb !== vb) continue; // NaN in any band
    const o = i * 4;
    out[o] = toByte(vr, minR, spanR);
    out[o + 1] = toByte(vg, minG, spanG);
    out[o + 2] = toByte(vb, minB, spanB);
    out[o + 3] = 255;
  }
  return out;
}

/** A range as its start and its width (1 for an empty range). */
function minSpan([min, max]: Range): [number, number] {
  return [min, max - min || 1];
}

/** A value's place in its range as 0-255, clamped. */
function toByte(v: number, min: number, span: number): number {
  return Math.round(Math.max(0, Math.min(1, (v - min) / span)) * 255);
}

/** Categorical values (class ids) through a palette; ids not in the palette are transparent. */
export function colorizeClasses(classes: Uint8Array, palette: Map<number, [number, number, number]>, nodata: number): Uint8Array {
  const out = new Uint8Array(classes.length * 4);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (c === nodata) continue;
    const rgb = palette.get(c);
    if (!rgb) continue;
    out[i * 4] = rgb[0];
    out[i * 4 + 1] = rgb[1];
    out[i * 4 + 2] = rgb[2];
    out[i * 4 + 3] = 255;
  }
  return out;
}
