/**
 * An identity of the code that computes a stored result: the bytes of its modules (siblingModule
 * URLs: the .ts from source, the compiled .js from dist/) and of the dependency lock file (a library
 * upgrade changes it). Part of the keys of what is kept on disk across processes
 * (pipeline/classified-disk.ts, inference/check-memo.ts), so a changed computation never finds an
 * old result. Lazy: the files are read and hashed when a key is first needed, not at start-up.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function codeIdentity(modules: URL[], lockFile: string | null): () => string {
  let id: string | null = null;
  return () => (id ??= hashCode(modules, lockFile));
}

function hashCode(modules: URL[], lockFile: string | null): string {
  const h = createHash('sha256');
  for (const m of modules) h.update(readFileSync(fileURLToPath(m))).update('\0');
  if (lockFile) {
    try {
      h.update(readFileSync(lockFile));
    } catch {
      h.update('no-lock');
    }
  }
  return h.digest('hex').slice(0, 16);
}
