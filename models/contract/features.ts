/**
 * Feature matrices in the model card's "variable-major" layout: for sample i,
 * row[v * steps + t] = value of variable v at composite t. Stored as one Float32Array of n * F
 * values (F = variables * steps), which is what onnxruntime takes as a [n, F] tensor.
 */
import type { Sample, SeriesBySample } from './samples.js';

/**
 * Loose sanity ranges. The public series slightly overshoot the physical limits (NDVI up to 1.08,
 * red down to -0.07, presumably from gap-filling upstream), so these only catch the real mistake: a
 * CSV holding MODIS integers (x 10000).
 */
const RANGES: Record<string, [number, number]> = {
  ndvi: [-1.5, 1.5],
  evi: [-1.5, 1.5],
  blue: [-0.5, 1.6],
  red: [-0.5, 1.6],
  nir: [-0.5, 1.6],
  mir: [-0.5, 1.6],
};

export function featureMatrix(
  samples: readonly Sample[],
  series: SeriesBySample,
  variables: readonly string[],
  steps: number,
): Float32Array {
  const F = variables.length * steps;
  const X = new Float32Array(samples.length * F);
  samples.forEach((s, i) => {
    const sv = series.get(s.sampleId);
    if (!sv) throw new Error(`timeseries CSV has no rows for sample ${s.sampleId}`);
    variables.forEach((name, v) => {
      const values = sv[v] ?? [];
      if (values.length !== steps) {
        throw new Error(`sample ${s.sampleId} has ${values.length} dates, the model needs ${steps}`);
      }
      const range = RANGES[name];
      for (let t = 0; t < steps; t++) {
        const x = values[t] as number;
        if (range && (x < range[0] || x > range[1])) {
          throw new Error(
            `sample ${s.sampleId}: ${name} = ${x} at step ${t + 1} is outside ${range[0]}..${range[1]}; ` +
              'inputs must be in physical units (MODIS integers must be divided by 10000)',
          );
        }
        X[i * F + v * steps + t] = x;
      }
    });
  });
  return X;
}

/** Class index of each sample in `classNames`, or -1 for a label the classes do not contain. */
export function labelIndices(samples: readonly Sample[], classNames: readonly string[]): Int32Array {
  const index = new Map(classNames.map((c, i) => [c, i]));
  return Int32Array.from(samples, (s) => index.get(s.label) ?? -1);
}

/** Distinct labels in sorted order (the class order of a trained model). */
export function sortedLabels(samples: readonly Sample[]): string[] {
  return [...new Set(samples.map((s) => s.label))].sort();
}
