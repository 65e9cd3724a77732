/**
 * The models that passed their check (the card against its ONNX file, in a worker: ONNX Runtime's
 * load and a session, some 55 ms), kept in a small JSON file (<dataDir>/cache/derived), so a fresh
 * process serves its first crop tile without loading ONNX Runtime only to check a model checked
 * before (issue #17). A pass is keyed by the card's content, the model file's sha256 and the
 * identity of the checking code (util/code-identity.ts): a changed card, model, check or
 * onnxruntime-node is checked again. Failures are not kept (a refused model is checked at every
 * start, with its reason). A missing, unreadable or unwritable file only costs the check.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { ModelEntry } from './registry.js';

export class ModelCheckMemo {
  private passed: Set<string> | null = null;

  constructor(
    private readonly file: string | null,
    /** the identity of the code that computes the stored results (util/code-identity.ts) */
    private readonly code: () => string,
  ) {}

  private key(e: ModelEntry): string {
    return createHash('sha256').update(`${this.code()}\0${e.sha256}\0${JSON.stringify(e.card)}`).digest('hex').slice(0, 32);
  }

  private load(): Set<string> {
    if (this.passed) return this.passed;
    try {
      const v = JSON.parse(readFileSync(this.file!, 'utf8')) as { passed?: unknown };
      this.passed = new Set(Array.isArray(v.passed) ? v.passed.filter((k): k is string => typeof k === 'string') : []);
    } catch {
      this.passed = new Set();
    }
    return this.passed;
  }

  has(e: ModelEntry): boolean {
    return this.file !== null && this.load().has(this.key(e));
  }

  /** Records a pass (written in the background; never rejects). */
  async add(e: ModelEntry): Promise<void> {
    if (!this.file) return;
    const passed = this.load();
    const k = this.key(e);
    if (passed.has(k)) return;
    passed.add(k);
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify({ passed: [...passed].slice(-256) }));
    } catch {
      /* a read-only data directory: checked again next time */
    }
  }
}
