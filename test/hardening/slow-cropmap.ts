/**
 * `granary cropmap` made slow enough to interrupt (test/hardening/process.test.ts): the real command,
 * started through its entry with a hook that sleeps SLOW_MS after each block. The sleep is injected
 * here rather than read from the service's configuration (no test knob in the production schema).
 * Usage: node --import tsx test/hardening/slow-cropmap.ts <cropmap args...>   (env SLOW_MS, default 60000)
 */
import { main } from '../../server/cli/cropmap.js';

const ms = Number(process.env.SLOW_MS ?? 60_000);
process.exitCode = await main(process.argv.slice(2), { afterBlock: () => new Promise((r) => setTimeout(r, ms)) });
