/** Physical values -> RGBA pixels: rescale, then a colormap (one band) or a composite (three bands). */
type Range = readonly [number, number];

/** One band through a 256-entry RGBA lookup table (or grey when none); NaN -> transparent. */
export function colorizeSingle(values: Float32Array, range: Range, lut: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const [min, max] = range;
  const span = max - min || 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue; // alpha stays 0
    const t = Math.max(0, Math.min(1, (v - min) / span));
    const idx = Math.round(t * 255);
    const o = i * 4;
    if (lut) {
      out[o] = lut[idx * 4]!;
      out[o + 1] = lut[idx * 4 + 1]!;
      out[o + 2] = lut[idx * 4 + 2]!;
    } else {
      out[o] = out[o + 1] = out[o + 2] = idx;
    }
    out[o + 3] = 255;
  }
  return out;
}

/** Three bands as R, G, B, each with its own range; a pixel with any band missing is transparent. */
export function colorizeRgb(bands: readonly [Float32Array, Float32Array, Float32Array], ranges: readonly [Range, Range, Range]): Uint8Array {
  const n = bands[0].length;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let b = 0; b < 3; b++) {
      const v = bands[b]![i]!;
      if (Number.isNaN(v)) {
        ok = false;
        break;
      }
      const [min, max] = ranges[b]!;
      out[i * 4 + b] = Math.round(Math.max(0, Math.min(1, (v - min) / (max - min || 1))) * 255);
    }
    out[i * 4 + 3] = ok ? 255 : 0;
    if (!ok) out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = 0;
  }
  return out;
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
