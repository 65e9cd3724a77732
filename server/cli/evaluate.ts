/**
 * granary evaluate --samples <samples.csv> --timeseries <timeseries.csv> [--model <id>] [--predictions]
 * Scores an installed model on labelled samples (the CSV formats of the public mt_9classes files) and
 * prints JSON: overall accuracy, macro-F1, per-class precision/recall/F1, confusion matrix, class order.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { ModelRegistry } from '../inference/registry.js';
import { checkModel } from '../inference/ort-classifier.js';
import { evaluate } from '../inference/evaluate.js';
import { GranaryError } from '../errors.js';

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { samples: { type: 'string' }, timeseries: { type: 'string' }, model: { type: 'string' }, predictions: { type: 'boolean' } } });
  if (!values.samples || !values.timeseries) throw new GranaryError('bad-request', 'usage: granary evaluate --samples <samples.csv> --timeseries <timeseries.csv> [--model <id>]');
  for (const f of [values.samples, values.timeseries]) if (!existsSync(f)) throw new GranaryError('bad-request', `file not found: ${f}`);
  const config = loadConfig();
  const registry = new ModelRegistry(config.modelsDir, (e) => checkModel(e.session));
  const model = await registry.get(values.model);
  const r = await evaluate({ modelPath: model.onnxPath, card: model.card, samplesCsv: resolve(values.samples), timeseriesCsv: resolve(values.timeseries) });
  const { predictions, ...summary } = r;
  console.log(JSON.stringify({ model: model.id, sha256: model.sha256, ...summary, ...(values.predictions ? { predictions } : {}) }, null, 2));
  return 0;
}
