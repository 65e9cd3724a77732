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
import { validateCard } from './model-card.js';

export interface ModelClass {
  id: number;
  name: string;
  color: string;
}

export interface ModelEntry {
  id: string;
  card: Record<string, unknown> & { id: string; title?: string; classes: ModelClass[] };
  onnxPath: string;
  sha256: string;
  variables: string[];
  steps: number;
  startMonth: number;
  session: SessionSpec;
}

export interface ModelProblem {
  file: string;
  error: string;
}

/** Extracts what inference needs from a card (throws with the field that is wrong). */
export function entryFromCard(card: Record<string, unknown>, onnxPath: string, sha256: string): ModelEntry {
  const id = card.id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id)) throw new Error('card.id must be a simple identifier');
  const inputs = card.inputs as Record<string, unknown> | undefined;
  if (!inputs) throw new Error('card.inputs is missing');
  const variables = inputs.variables;
  if (!Array.isArray(variables) || variables.length === 0 || !variables.every((v) => typeof v === 'string')) throw new Error('card.inputs.variables must be a non-empty list of variable names');
  const steps = inputs.steps;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) throw new Error('card.inputs.steps must be a positive integer');
  const season = inputs.season as { startMonth?: number } | undefined;
  const startMonth = season?.startMonth ?? 9;
  const layout = inputs.layout ?? 'variable-major';
  if (layout !== 'variable-major') throw new Error(`card.inputs.layout "${String(layout)}" is not supported (only variable-major)`);
  const classes = card.classes;
  if (!Array.isArray(classes) || classes.length < 2) throw new Error('card.classes must list at least two classes');
  for (const c of classes as ModelClass[]) {
    if (typeof c.name !== 'string' || typeof c.id !== 'number' || !/^#[0-9a-fA-F]{6}$/.test(String(c.color))) throw new Error(`card.classes entry ${JSON.stringify(c).slice(0, 80)} needs id (number), name and color (#rrggbb)`);
  }
  const norm = (inputs.normalisation ?? inputs.normalization ?? { type: 'none' }) as SessionSpec['normalisation'];
  const F = variables.length * steps;
  if (norm.type === 'standardize' && (norm.mean?.length !== F || norm.std?.length !== F)) throw new Error(`card.inputs.normalisation mean/std must have ${F} values (variables x steps)`);
  const file = card.file as { sha256?: string } | undefined;
  if (file?.sha256 && file.sha256 !== sha256) throw new Error(`card.file.sha256 ${file.sha256.slice(0, 12)}... does not match the ONNX file (${sha256.slice(0, 12)}...)`);
  return {
    id,
    card: card as ModelEntry['card'],
    onnxPath,
    sha256,
    variables: variables as string[],
    steps,
    startMonth,
    session: {
      path: onnxPath,
      sha256,
      features: F,
      classes: classes.length,
      normalisation: norm,
      ...(typeof inputs.inputName === 'string' ? { inputName: inputs.inputName } : {}),
      ...(typeof inputs.outputName === 'string' ? { outputName: inputs.outputName } : {}),
    },
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
        const card = JSON.parse(await readFile(join(this.dir, f), 'utf8')) as Record<string, unknown>;
        validateCard(card); // the shared card schema: names the first bad field
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
