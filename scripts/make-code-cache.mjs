// Run by scripts/build-server.mjs after bundling: starts the server from the new bundle (an
// ephemeral port on loopback, the bundled data; the build gives it a clean environment), waits until
// it is ready, writes the bundle's V8 code cache (scripts/load-bundle.mjs) and exits.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle, writeCodeCache } from './load-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { exports } = loadBundle(join(root, 'dist', 'bundle', 'granary.cjs'));
const code = await exports.main(['serve', '--no-supervisor']);
if (code !== 0) process.exit(code);
// the warm-up after listen runs more of the serving code (schemas, first tiles), and the worker
// children write their cache 1.5 s after they loaded: let them
await new Promise((r) => setTimeout(r, 2500));
writeCodeCache();
process.exit(0);
