/**
 * A disk cache for results derived from files at start-up (the region geometries' validity check,
 * the parsed CSV tables): the result is stored as JSON under a key that hashes every input that can
 * change it, namely the input files' bytes, the source of the modules that compute it and the
 * dependency lock file (a library upgrade changes it), so a stale entry is never found, only a
 * missing one. Sync on purpose: it serves loaders that run once, before the server listens.
 *
 * A missing, unreadable or corrupt entry means "compute": the cache can always be deleted, and a
 * read-only data directory only costs the computation. Each name keeps one entry (the last key).
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempPathFor } from './atomic-write.js';

interface DerivedInputs {
  /** files whose bytes the result is derived from */
  files: string[];
  /** the modules whose code computes the result (siblingModule URLs: .ts from source, .js from dist) */
  code: URL[];
  /** anything else the result depends on (options), JSON-serialisable */
  options?: unknown;
}

/** The cache key: sha256 over the inputs' bytes, the computing code and the options. */
function derivedKey(name: string, inputs: DerivedInputs, lockFile: string | null): string {
  const h = createHash('sha256').update(`granary-derived-v1\0${name}\0`);
  for (const f of inputs.files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  for (const c of inputs.code) h.update(readFileSync(fileURLToPath(c))).update('\0');
  if (lockFile) {
    try {
      h.update(readFileSync(lockFile));
    } catch {
      h.update('no-lock');
    }
  }
  return h.update(JSON.stringify(inputs.options ?? null)).digest('hex').slice(0, 32);
}

export class DerivedCache {
  hits = 0;
  misses = 0;

  /** `dir`: where entries live (created when first written); null disables the cache. */
  constructor(
    readonly dir: string | null,
    private readonly lockFile: string | null = null,
  ) {}

  get<T>(name: string, inputs: DerivedInputs, compute: () => T): T {
    if (!this.dir) return compute();
    const key = derivedKey(name, inputs, this.lockFile);
    const file = join(this.dir, `${name}-${key}.json`);
    try {
      const value = JSON.parse(readFileSync(file, 'utf8')) as { key: string; value: T };
      if (value.key === key) {
        this.hits++;
        return value.value;
      }
    } catch {
      /* absent or corrupt: compute */
    }
    this.misses++;
    const value = compute();
    this.write(name, file, JSON.stringify({ key, value }));
    return value;
  }

  private write(name: string, file: string, text: string): void {
    try {
      mkdirSync(this.dir!, { recursive: true });
      const tmp = tempPathFor(file);
      const fd = openSync(tmp, 'wx');
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      const older = new RegExp(`^${name.replace(/[^\w-]/g, '\\$&')}-[0-9a-f]{32}\\.json$`);
      for (const f of readdirSync(this.dir!)) if (older.test(f) && join(this.dir!, f) !== file) unlinkSync(join(this.dir!, f));
    } catch {
      /* a read-only or full disk only costs the computation next time */
    }
  }
}
