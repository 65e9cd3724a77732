// Run by scripts/build-server.mjs after bundling, before the code cache: builds the app once from
// the new bundle with Fastify's standalone compilers and stores every route schema's compiled code in
// dist/bundle/schemas/ (server/plugins/schema-code.ts), which the server then loads instead of
// compiling at start. The build gives it a clean environment (the embedded defaults, the bundled data).
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './load-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { exports } = loadBundle(join(root, 'dist', 'bundle', 'granary.cjs'));
const n = await exports.writeSchemaCode();
console.log(`stored the compiled code of ${n} route schemas`);
process.exit(0);
