/**
 * From a crop map's class areas inside a region to the area of one crop with a 95 % interval (pure).
 *
 * The crop map's classes are pairs of a season's crops (Soy_Corn, Soy_Millet, ...), so a crop is the
 * union of the classes the regions configuration lists for it (`yieldGap.crops.<crop>.mapClasses`; for
 * the bundled one, "soy" = every Soy_* class, "maize" = Soy_Corn, the second-season "safrinha"). The model card's cross-validation confusion matrix is collapsed to crop / not crop and the
 * Olofsson et al. (2014) stratified estimator applied to it: a model-based approximation (training
 * samples are not a probability sample of the map), labelled as such.
 */
import { olofssonEstimate } from '../analytics/olofsson.js';
import { rowMessage, type RowMessage } from '../contract/row-messages.js';

export interface CropMapSidecar {
  classes: Array<{ id: number; name: string }>;
  /** rows = reference class, cols = predicted class, in the order of `classes` */
  confusionMatrix: number[][];
  modelId: string;
  sceneId: string;
}

export interface CropAreaEstimate {
  crop: string;
  /** classes of the map counted as this crop */
  classes: string[];
  /** coverage-weighted pixel-count area of those classes (ha) */
  pixelCountAreaHa: number;
  /** Olofsson-adjusted area (ha) */
  adjustedAreaHa: number;
  seHa: number | null;
  /** 95 % interval of the adjusted area, lower bound clamped at 0 */
  ci95Ha: [number, number] | null;
  userAccuracy: number | null;
  producerAccuracy: number | null;
  notes: string[];
  /** the notes as codes (server/contract/row-messages.ts) */
  noteCodes: RowMessage[];
  method: string;
}

const CROP_AREA_METHOD =
  'crop area = sum over the crop map classes containing the crop of (pixel coverage fraction x pixel area) inside the region; ' +
  "adjusted with the Olofsson et al. (2014) stratified estimator on the model card's location-grouped cross-validation confusion matrix collapsed to crop / not crop; " +
  'a model-based approximation (cross-validation samples are not a probability sample of the map), so the interval is indicative; 95 % interval = +-1.96 SE, lower bound clamped at 0';

export const NO_CLASSIFIED_PIXEL = 'the crop map has no classified pixel inside the region';

type CropAreaOutcome = { kind: 'estimate'; estimate: CropAreaEstimate } | { kind: 'none'; reason: string };

export function cropAreaEstimate(
  crop: string,
  mapClasses: ReadonlyArray<string> | undefined,
  areaHaByClass: Readonly<Record<string, number>>,
  otherAreaHa: number,
  sidecar: CropMapSidecar,
): CropAreaOutcome {
  if (!mapClasses || mapClasses.length === 0) return { kind: 'none', reason: `the regions configuration lists no crop-map classes for crop ${crop} (yieldGap.crops.${crop}.mapClasses)` };
  const wanted = new Set(mapClasses);
  const names = sidecar.classes.map((c) => c.name);
  const isCrop = names.map((n) => wanted.has(n));
  if (!isCrop.some(Boolean)) return { kind: 'none', reason: `model ${sidecar.modelId} has no class containing ${crop} (classes: ${names.join(', ')})` };
  const k = names.length;
  const m = sidecar.confusionMatrix;
  if (m.length !== k || m.some((r) => r.length !== k)) return { kind: 'none', reason: `crop map sidecar of ${sidecar.sceneId}/${sidecar.modelId}: confusionMatrix is not ${k} x ${k}` };
  // counts[map][reference], 0 = crop, 1 = not crop; the sidecar's rows are reference, cols predicted
  const counts = [
    [0, 0],
    [0, 0],
  ];
  for (let ref = 0; ref < k; ref++) for (let pred = 0; pred < k; pred++) counts[isCrop[pred] ? 0 : 1]![isCrop[ref] ? 0 : 1]! += m[ref]![pred]!;
  let cropHa = 0;
  let otherHa = otherAreaHa;
  names.forEach((n, i) => {
    const a = areaHaByClass[n] ?? 0;
    if (isCrop[i]) cropHa += a;
    else otherHa += a;
  });
  if (!(cropHa + otherHa > 0)) return { kind: 'none', reason: NO_CLASSIFIED_PIXEL };
  const notes: string[] = [];
  const noteCodes: RowMessage[] = [];
  const note = (...a: Parameters<typeof rowMessage>) => {
    const { text, ...m } = rowMessage(...a);
    notes.push(text);
    noteCodes.push(m);
  };
  if (otherAreaHa > 0) note('unnamed-classes', { ha: Number(otherAreaHa.toFixed(1)), crop });
  let est;
  try {
    est = olofssonEstimate({ classes: [crop, `not ${crop}`], counts, mappedArea: [cropHa, otherHa] }, { emptyStratum: 'assume-correct' });
  } catch (e) {
    return { kind: 'none', reason: `area estimate impossible: ${(e as Error).message}` };
  }
  // the estimator's classes are [crop, not crop]
  for (const k of est.noteKinds) note(k.kind === 'single-sample' ? 'single-sample-class' : k.classIndex === 0 ? 'crop-class-without-samples' : 'other-class-without-samples', { crop });
  const c = est.perClass[0]!;
  return {
    kind: 'estimate',
    estimate: {
      crop,
      classes: names.filter((_, i) => isCrop[i]),
      pixelCountAreaHa: cropHa,
      adjustedAreaHa: c.adjustedArea,
      seHa: c.adjustedAreaSe,
      ci95Ha: c.ci95 ? [Math.max(0, c.ci95[0]), c.ci95[1]] : null,
      userAccuracy: c.userAccuracy,
      producerAccuracy: c.producerAccuracy,
      notes,
      noteCodes,
      method: CROP_AREA_METHOD,
    },
  };
}

/** Validates a parsed sidecar; returns a reason string when unusable. */
export function checkSidecar(json: unknown): CropMapSidecar | string {
  const o = json as Partial<CropMapSidecar> | null;
  if (!o || typeof o !== 'object') return 'not a JSON object';
  if (!Array.isArray(o.classes) || o.classes.some((c) => typeof c?.id !== 'number' || typeof c?.name !== 'string')) return 'classes must be [{id, name}]';
  if (!Array.isArray(o.confusionMatrix) || o.confusionMatrix.some((r) => !Array.isArray(r) || r.some((v) => typeof v !== 'number' || !(v >= 0)))) return 'confusionMatrix must be a matrix of counts';
  if (typeof o.modelId !== 'string' || typeof o.sceneId !== 'string') return 'modelId and sceneId are required';
  return o as CropMapSidecar;
}
