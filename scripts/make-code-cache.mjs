// Run by scripts/build-server.mjs after bundling: starts the server from the new bundle (an
// ephemeral port on loopback, the bundled data; the build gives it a clean environment with
// GRANARY_WRITE_CODE_CACHE_AFTER_MS, so this process and its worker children each write their
// bundle's V8 code cache once they have run that long: scripts/load-bundle.mjs), waits, and exits.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './load-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { exports } = loadBundle(join(root, 'dist', 'bundle', 'granary.cjs'));
const code = await exports.main(['serve', '--no-supervisor']);
if (code !== 0) process.exit(code);
// the caches are written 1.5 s after each process loaded its bundle (the workers load later): let them
await new Promise((r) => setTimeout(r, 2500));
process.exit(0);
