/**
 * What a worker needs to run a model on a scene: the season chosen for the model's inputs, the
 * model reference (id, sha256, ONNX path, classes) and the input layout. Used by the crop,
 * uncertainty and point routes, zonal statistics and the `granary cropmap` CLI.
 */
import { chooseSeason } from '../inference/season.js';
import type { ModelEntry } from '../inference/registry.js';
import type { Scene } from '../catalog/scene.js';

/** The card without local paths, plus the file's sha256. */
export function publicCard(m: ModelEntry) {
  return { ...m.card, sha256: m.sha256 };
}

export function modelTask(m: ModelEntry, scene: Scene, season?: number) {
  const choice = chooseSeason(scene, { variables: m.variables, steps: m.steps, startMonth: m.startMonth }, season);
  return {
    choice,
    ref: { id: m.id, sha256: m.sha256, path: m.onnxPath, classes: m.card.classes },
    inputs: { variables: m.variables, dates: choice.dates, classCount: m.card.classes.length },
  };
}
