// Builds the dashboard (vite) when client/dist is missing or older than any file in client/src,
// client/index.html or client/vite.config.ts. Used by `npm start`, so a fresh clone just works.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const newest = (p) => {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((f) => newest(join(p, f))));
};
const dist = join(here, 'dist', 'index.html');
const sources = ['src', 'index.html', 'vite.config.ts'].map((f) => join(here, f)).filter(existsSync);
const stale = !existsSync(dist) || statSync(dist).mtimeMs < Math.max(...sources.map(newest));
if (stale || process.argv.includes('--force')) {
  console.log('building the dashboard (vite)...');
  const r = spawnSync('npx', ['vite', 'build', '--config', join(here, 'vite.config.ts')], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
