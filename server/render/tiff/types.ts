/** Sample types the GeoTIFF writer supports. */

export type RasterArray = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

interface SampleType {
  /** BitsPerSample */
  bits: number;
  /** SampleFormat: 1 unsigned integer, 2 signed integer, 3 IEEE float */
  format: 1 | 2 | 3;
  min: number;
  max: number;
}

export function sampleTypeOf(band: RasterArray): SampleType {
  if (band instanceof Uint8Array) return { bits: 8, format: 1, min: 0, max: 255 };
  if (band instanceof Uint16Array) return { bits: 16, format: 1, min: 0, max: 65535 };
  if (band instanceof Int16Array) return { bits: 16, format: 2, min: -32768, max: 32767 };
  if (band instanceof Uint32Array) return { bits: 32, format: 1, min: 0, max: 4294967295 };
  if (band instanceof Int32Array) return { bits: 32, format: 2, min: -2147483648, max: 2147483647 };
  if (band instanceof Float32Array) return { bits: 32, format: 3, min: -Infinity, max: Infinity };
  if (band instanceof Float64Array) return { bits: 64, format: 3, min: -Infinity, max: Infinity };
  throw new TypeError('bands must be Uint8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array or Float64Array');
}
