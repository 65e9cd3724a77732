/**
 * The models directory: every `<id>.onnx` with a card `<id>.json` of the shared schema is served.
 * Cards are checked against their ONNX file (sha256 here; input width and class count by an ONNX
 * session in a worker) before a model is first served: `get` checks the model it returns, `list`
 * every model. A disagreeing model is listed in `problems` with the reason and never served.
 * Checking only what is asked keeps a fresh process's first crop tile from waiting for a session of
 * every installed model (issue #17). Reloaded when the directory changes, so users bring their own
 * model without a restart.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GranaryError } from '../errors.js';
import type { SessionSpec } from './ort-classifier.js';
import { validateCard, type ModelCard } from '../../models/contract/model-card.js';
import type { ModelCheckMemo } from './check-memo.js';


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

/** The model `get()` gives without an id, when it is installed. */
const DEFAULT_MODEL_ID = 'granary-mlp-ndvi-evi';

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
  /** the worker check of each model (by id and sha256), started at most once while it succeeds */
  private readonly checks = new Map<string, Promise<void>>();
  private loadedMtime = -1;
  private loading: Promise<void> | null = null;
  problems: ModelProblem[] = [];

  /**
   * `check` verifies a model against its ONNX file (input width, class count) in a worker; `memo`
   * keeps passes across processes (check-memo.ts): a model in it is not checked again.
   */
  constructor(
    readonly dir: string,
    private readonly check: (entry: ModelEntry) => Promise<void>,
    private readonly memo: Pick<ModelCheckMemo, 'has' | 'add'> | null = null,
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
        next.set(entry.id, entry);
      } catch (e) {
        problems.push({ file: f, error: (e as Error).message });
      }
    }
    this.models = next;
    this.problems = problems;
    this.loadedMtime = mtime;
  }

  /** Checks `e` in a worker once; a model that fails is moved to `problems` and never served. */
  private async checked(e: ModelEntry): Promise<ModelEntry> {
    const key = `${e.id}|${e.sha256}`;
    let p = this.checks.get(key);
    if (!p) {
      const memo = this.memo;
      p = memo?.has(e) ? Promise.resolve() : this.check(e).then(() => void memo?.add(e));
      this.checks.set(key, p);
    }
    try {
      await p;
      return e;
    } catch (err) {
      this.checks.delete(key);
      // a full or stopping worker pool says nothing about the model: the next request checks again
      if (err instanceof GranaryError && err.kind === 'overloaded') throw err;
      if (this.models.get(e.id) === e) {
        this.models.delete(e.id);
        this.problems = [...this.problems.filter((q) => q.file !== `${e.id}.json`), { file: `${e.id}.json`, error: (err as Error).message }];
      }
      throw new GranaryError('unprocessable', `model "${e.id}" is installed but refused: ${(err as Error).message}`);
    }
  }

  /** Every servable model, each checked against its ONNX file (the refused ones go to `problems`). */
  async list(): Promise<ModelEntry[]> {
    await this.refresh();
    const all = [...this.models.values()];
    const ok = await Promise.all(all.map((e) => this.checked(e).then((m) => m, (err: unknown) => {
      if (err instanceof GranaryError && err.kind === 'overloaded') throw err;
      return null;
    })));
    return ok.filter((m): m is ModelEntry => m !== null);
  }

  /** The default model's entry without its worker check (what a worker primes; it checks the session itself), or null. */
  async peekDefault(): Promise<ModelEntry | null> {
    await this.refresh();
    return this.pick(undefined) ?? null;
  }

  private pick(id: string | undefined): ModelEntry | undefined {
    return id === undefined ? (this.models.get(DEFAULT_MODEL_ID) ?? [...this.models.values()][0]) : this.models.get(id);
  }

  /** The model by id; without an id, the default (first by name, preferring `granary-mlp-ndvi-evi`). */
  async get(id?: string): Promise<ModelEntry> {
    await this.refresh();
    if (id === undefined) {
      const d = this.pick(undefined);
      if (!d) throw new GranaryError('not-found', `no model is installed in ${this.dir}${this.problems.length ? ` (refused: ${this.problems.map((p) => `${p.file}: ${p.error}`).join('; ')})` : ''}`);
      return this.checked(d);
    }
    const m = this.models.get(id);
    if (!m) {
      const refused = this.problems.find((p) => p.file === `${id}.json`);
      if (refused) throw new GranaryError('unprocessable', `model "${id}" is installed but refused: ${refused.error}`);
      throw new GranaryError('not-found', `unknown model "${id.slice(0, 64)}" (available: ${[...this.models.keys()].join(', ') || 'none'})`, { valid: [...this.models.keys()] });
    }
    return this.checked(m);
  }
}

/**
 * The entry `get()` would give without an id, reading only that model's card and file rather than
 * every installed model's (~30 ms of a fresh worker's start: services/prime-lists.ts), without the
 * worker check. Null when there is none, or the first candidate does not read.
 */
export async function readDefaultModel(dir: string): Promise<ModelEntry | null> {
  try {
    const cards = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    for (const f of [`${DEFAULT_MODEL_ID}.json`, ...cards.filter((c) => c !== `${DEFAULT_MODEL_ID}.json`)]) {
      const onnx = join(dir, f.replace(/\.json$/, '.onnx'));
      if (!cards.includes(f) || !existsSync(onnx)) continue;
      return entryFromCard(JSON.parse(await readFile(join(dir, f), 'utf8')), onnx, createHash('sha256').update(await readFile(onnx)).digest('hex'));
    }
  } catch {
    /* no models directory, or a card that does not read */
  }
  return null;
}
