/**
 * The models directory: every `<id>.onnx` with a card `<id>.json` of the shared schema is served.
 * Cards are checked against their ONNX file (sha256, input width, class count) before serving; a
 * disagreeing model is listed in `problems` with the reason and never served. Reloaded when the
 * directory changes, so users bring their own model without a restart.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GranaryError } from '../errors.js';
import type { SessionSpec } from './ort-classifier.js';
import { validateCard, type ModelCard } from '../../models/contract/model-card.js';


export interface ModelEntry {
  id: string;
  card: ModelCard;
  onnxPath: string;
  sha256: string;
  /** the card's inputs, as the season chooser takes them */
  variables: string[];
  steps: number;
  startMonth: number;
  session: SessionSpec;
}

interface ModelProblem {
  file: string;
  error: string;
}

/** Validates a card (the shared schema names the first bad field) and pairs it with its ONNX file. */
function entryFromCard(json: unknown, onnxPath: string, sha256: string): ModelEntry {
  const card = validateCard(json);
  if (card.file.sha256 !== sha256) throw new Error(`card.file.sha256 ${card.file.sha256.slice(0, 12)}... does not match the ONNX file (${sha256.slice(0, 12)}...)`);
  return {
    id: card.id,
    card,
    onnxPath,
    sha256,
    variables: card.inputs.variables,
    steps: card.inputs.steps,
    startMonth: card.inputs.season.startMonth,
    session: { path: onnxPath, sha256, card },
  };
}

export class ModelRegistry {
  private models = new Map<string, ModelEntry>();
  private loadedMtime = -1;
  private loading: Promise<void> | null = null;
  problems: ModelProblem[] = [];

  /** `check` verifies a model against its ONNX file (input width, class count) in a worker. */
  constructor(
    readonly dir: string,
    private readonly check: (entry: ModelEntry) => Promise<void>,
  ) {}

  async refresh(): Promise<void> {
    let mtime = -1;
    try {
      mtime = (await stat(this.dir)).mtimeMs;
    } catch {
      this.models.clear();
      return;
    }
    if (mtime === this.loadedMtime) return;
    if (!this.loading) this.loading = this.load(mtime).finally(() => (this.loading = null));
    await this.loading;
  }

  private async load(mtime: number): Promise<void> {
    const next = new Map<string, ModelEntry>();
    const problems: ModelProblem[] = [];
    for (const f of (await readdir(this.dir)).filter((f) => f.endsWith('.json')).sort()) {
      const onnx = join(this.dir, f.replace(/\.json$/, '.onnx'));
      if (!existsSync(onnx)) continue; // not a model card (or its model is missing)
      try {
        const card = JSON.parse(await readFile(join(this.dir, f), 'utf8')) as unknown;
        const sha = createHash('sha256').update(await readFile(onnx)).digest('hex');
        const entry = entryFromCard(card, onnx, sha);
        if (`${entry.id}.json` !== f) throw new Error(`card.id "${entry.id}" does not match its file name ${f}`);
        await this.check(entry);
        next.set(entry.id, entry);
      } catch (e) {
        problems.push({ file: f, error: (e as Error).message });
      }
    }
    this.models = next;
    this.problems = problems;
    this.loadedMtime = mtime;
  }

  async list(): Promise<ModelEntry[]> {
    await this.refresh();
    return [...this.models.values()];
  }

  /** The model by id; without an id, the default (first by name, preferring `granary-mlp-ndvi-evi`). */
  async get(id?: string): Promise<ModelEntry> {
    await this.refresh();
    if (id === undefined) {
      const d = this.models.get('granary-mlp-ndvi-evi') ?? [...this.models.values()][0];
      if (!d) throw new GranaryError('not-found', `no model is installed in ${this.dir}${this.problems.length ? ` (refused: ${this.problems.map((p) => `${p.file}: ${p.error}`).join('; ')})` : ''}`);
      return d;
    }
    const m = this.models.get(id);
    if (!m) {
      const refused = this.problems.find((p) => p.file === `${id}.json`);
      if (refused) throw new GranaryError('unprocessable', `model "${id}" is installed but refused: ${refused.error}`);
      throw new GranaryError('not-found', `unknown model "${id.slice(0, 64)}" (available: ${[...this.models.keys()].join(', ') || 'none'})`, { valid: [...this.models.keys()] });
    }
    return m;
  }
}
