#!/usr/bin/env node
// The `granary` command: registers the TypeScript loader, then runs the CLI. The trainer's commands
// (train, labels audit, labels review) go straight to models/train, so the service (server/) never
// imports the trainer; everything else is the service's CLI.
import { register } from 'tsx/esm/api';

register();
const argv = process.argv.slice(2);
const [cmd, sub] = argv;
if (cmd === 'train') {
  const { main } = await import('../models/train/cli.ts');
  process.exitCode = await main(argv.slice(1));
} else if (cmd === 'labels' && (sub === 'audit' || sub === 'review')) {
  const { main } = await import('../models/train/labels-cli.ts');
  process.exitCode = await main(argv.slice(1));
} else {
  const { main } = await import('../server/cli/granary.ts');
  process.exitCode = await main(argv);
}
