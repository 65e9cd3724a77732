/**
 * `granary serve` runs the HTTP service in a child process and restarts it if it dies: the embedded
 * default (one machine, no orchestrator) survives a crash of its own HTTP process. The worker
 * processes (workers/pool.ts) already contain crashes in decoding and inference; this covers the
 * rest (a bug in the main process, an out-of-memory abort).
 *
 * Small on purpose: it loads no service module (nothing here can crash with the service), forwards
 * SIGTERM/SIGINT to the child and exits with the child's code once the child has drained and
 * stopped. A child that dies on its own is restarted at once, then with a growing delay (up to 30 s)
 * while it keeps dying within RAPID_MS of its start. `granary serve --no-supervisor` runs the service
 * in the foreground without it (an orchestrator that restarts processes itself).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { childEnv } from './util/child-env.js';

const RAPID_MS = 10_000;
const MAX_DELAY_MS = 30_000;

interface SupervisorOptions {
  /** the script that runs `serve` in the child (bin/granary.js) */
  script: string;
  /** arguments for the child (serve --supervised) */
  args: string[];
  log?: (line: string) => void;
}

export function supervise(opts: SupervisorOptions): Promise<number> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`granary supervisor: ${l}\n`));
  let child: ChildProcess | null = null;
  let stopping: NodeJS.Signals | null = null;
  let failures = 0;
  let restarts = 0;
  return new Promise((resolve) => {
    const start = () => {
      const started = Date.now();
      // spawned, not forked: the server never talks to this process, and a child with an IPC channel
      // sets it up at start (~5 ms); without NODE_EXTRA_CA_CERTS (util/child-env.ts)
      child = spawn(process.execPath, [...process.execArgv, opts.script, ...opts.args], { stdio: 'inherit', env: childEnv(process.env) });
      log(`server process ${child.pid} started${restarts > 0 ? ` (restart ${restarts})` : ''}`);
      child.once('exit', (code, signal) => {
        child = null;
        if (stopping) {
          resolve(code ?? (signal ? 1 : 0));
          return;
        }
        failures = Date.now() - started < RAPID_MS ? failures + 1 : 1;
        const delay = failures <= 1 ? 0 : Math.min(MAX_DELAY_MS, 500 * 2 ** (failures - 2));
        log(`server process exited (${signal ?? `code ${code}`}); restarting${delay ? ` in ${delay} ms` : ''}`);
        restarts++;
        setTimeout(start, delay);
      });
    };
    const stop = (signal: NodeJS.Signals) => {
      stopping = signal;
      if (child) child.kill(signal);
      else resolve(0);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    start();
  });
}
