// Whether dist/ (scripts/build-server.mjs) matches the sources: the same files, none newer.
// Used by bin/granary.js at every start (a few ms of stat calls) and by the build's --if-stale.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const SOURCE_DIRS = ['server', 'models/contract'];
/** single files whose change also makes dist/ stale: the dependencies are bundled into dist/bundle/ */
export const SOURCE_FILES = ['package-lock.json'];

export function distIsCurrent(root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'dist', 'manifest.json'), 'utf8')).files;
  } catch {
    return false;
  }
  let count = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!walk(p)) return false;
        continue;
      }
      const known = manifest[relative(root, p)];
      if (known === undefined || statSync(p).mtimeMs > known) return false;
      count++;
    }
    return true;
  };
  for (const d of SOURCE_DIRS) if (!walk(join(root, d))) return false;
  for (const f of SOURCE_FILES) {
    const known = manifest[f];
    if (known === undefined || statSync(join(root, f)).mtimeMs > known) return false;
    count++;
  }
  return count === Object.keys(manifest).length;
}
