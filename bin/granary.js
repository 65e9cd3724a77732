#!/usr/bin/env node
// The `granary` command. The service's commands (serve, scenes, cropmap, ...) run the compiled
// JavaScript in dist/ when it is current with the sources (scripts/build-server.mjs; `npm ci` and
// `npm start` build it), which starts in a fraction of the time TypeScript through tsx takes;
// otherwise (a development checkout with edited sources) they run the TypeScript through tsx.
// GRANARY_FROM_SOURCE=1 forces tsx. The trainer's commands (train, labels audit, labels review) go
// straight to models/train through tsx, so the service (server/) never imports the trainer.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { distIsCurrent } from '../scripts/dist-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const [cmd, sub] = argv;
const trainer = cmd === 'train' || (cmd === 'labels' && (sub === 'audit' || sub === 'review'));
// `granary serve` (supervised) is a tiny parent that starts `serve --supervised` and loads nothing of
// the service: it goes straight to the supervisor module, not through the command table. Its
// compiled copy is used whenever there is one (the server process it starts checks dist/ itself)
const supervisor = cmd === 'serve' && !argv.includes('--supervised') && !argv.includes('--no-supervisor');
const fromSource = process.env.GRANARY_FROM_SOURCE === '1';
const compiled = !trainer && !fromSource && (supervisor ? existsSync(join(root, 'dist/server/supervisor.js')) : distIsCurrent(root));

if (supervisor) {
  const { supervise } = compiled
    ? await import(pathToFileURL(join(root, 'dist/server/supervisor.js')).href)
    : await import('tsx/esm/api').then((m) => (m.register(), import('../server/supervisor.ts')));
  process.exitCode = await supervise({ script: fileURLToPath(import.meta.url), args: ['serve', '--supervised', ...argv.slice(1)] });
} else if (compiled) {
  if (cmd === 'serve') {
    // the server's first worker child starts loading now, beside this process's own bundle (a few
    // ms here: two small compiled modules; server/workers/fork-child.ts)
    const [{ forkEarlyWorker }, { DEFAULT_WORKER_HEAP_MB }] = await Promise.all([import('../dist/server/workers/fork-child.js'), import('../dist/server/workers/worker-heap.js')]);
    forkEarlyWorker(new URL('../dist/server/workers/worker-main.js', import.meta.url), DEFAULT_WORKER_HEAP_MB);
  }
  // the bundle with its V8 code cache (scripts/load-bundle.mjs)
  const { loadBundle } = await import('../scripts/load-bundle.mjs');
  const { main } = loadBundle(join(root, 'dist/bundle/granary.cjs')).exports;
  process.exitCode = await main(argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const entry = cmd === 'train' ? '../models/train/cli.ts' : trainer ? '../models/train/labels-cli.ts' : '../server/cli/granary.ts';
  const { main } = await import(entry);
  process.exitCode = await main(trainer ? argv.slice(1) : argv);
}
