#!/usr/bin/env node
// The `granary` command: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/granary.ts');
process.exitCode = await main(process.argv.slice(2));
