/**
 * Test helper process for pool.test.ts: a parent that starts a pool (light child entry), gives its
 * child a task and dies in the middle of it, the way a service killed with SIGKILL (or a benchmark
 * ending with process.exit) leaves its workers. Prints the child's pid, then dies.
 *   node --import tsx pool-parent.ts <sync|async> <SIGKILL|exit>
 * sync: the child is inside a synchronous loop when its parent dies (it can only notice afterwards,
 * when it answers); async: the child yields to its event loop (it notices the channel closing).
 */
import { WorkerPool } from '../../server/workers/pool.js';
import type { FaultTasks } from './fault-tasks.js';

const [mode, death] = process.argv.slice(2);
const pool = new WorkerPool<FaultTasks>({
  size: 1,
  bulkSize: 1,
  queueLimit: 4,
  bulkQueueLimit: 4,
  bulkCpuMsPerClientMinute: 0,
  taskTimeoutMs: 60_000,
  heapMb: 128,
  entry: new URL('./pool-entry.ts', import.meta.url),
  init: null,
  lanes: {},
});
await pool.ready();
process.stdout.write(`${JSON.stringify({ child: pool.pids()[0] })}\n`);
const task = mode === 'sync' ? pool.run('work-for-test', { n: 1.5e8 }) : pool.run('spin-for-test', { ms: 20_000 });
task.catch(() => undefined);
await new Promise((r) => setTimeout(r, 300));
if (death === 'exit') process.exit(0);
process.kill(process.pid, 'SIGKILL');
