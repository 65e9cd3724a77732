/**
 * The child-process side of the pool (workers/pool.ts): receives `init` once, then `run` and
 * `cancel` messages over the IPC channel ('advanced' serialisation: typed arrays and Buffers cross
 * as bytes, not JSON), runs one task at a time, and answers `done` with the task's CPU time.
 * The child exits when the parent goes away (IPC channel closed).
 */
import { toWire } from '../errors.js';
import type { TaskContext } from './tasks.js';
import { importModule } from '../util/import-module.js';

type AnyHandler = (input: never, ctx: TaskContext) => Promise<unknown>;
type ParentMessage = { t: 'init'; init: unknown; extra: string[] } | { t: 'run'; id: number; kind: string; input: unknown } | { t: 'cancel'; id: number };

/** CPU ms of this process (user + system, every thread: inference threads and GC included). */
function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function serveTasks(setup: (init: never) => Promise<Record<string, AnyHandler>> | Record<string, AnyHandler>): void {
  if (!process.send) throw new Error('workers/child.ts must run in a forked child process');
  // The parent gone (killed, or exited while this child was busy: the channel is closed, a write
  // gives EPIPE or ERR_IPC_CHANNEL_CLOSED): nothing is left to answer, so exit quietly. Without the
  // callback the error is emitted on `process` and kills the child with a stack trace.
  const send = (m: unknown) => {
    if (!process.connected) process.exit(0);
    process.send!(m, undefined, {}, (e) => e && process.exit(0));
  };
  let handlers: Record<string, AnyHandler> | null = null;
  const running = new Map<number, AbortController>();

  process.on('message', (m: ParentMessage) => {
    if (m.t === 'init') {
      void (async () => {
        const table: Record<string, AnyHandler> = { ...(await setup(m.init as never)) };
        for (const href of m.extra) Object.assign(table, (await importModule<{ tasks: Record<string, AnyHandler> }>(href)).tasks);
        handlers = table;
        send({ t: 'ready' });
      })();
      return;
    }
    if (m.t === 'cancel') {
      running.get(m.id)?.abort(new Error('cancelled'));
      return;
    }
    void run(m.id, m.kind, m.input);
  });
  process.on('disconnect', () => process.exit(0));

  async function run(id: number, kind: string, input: unknown): Promise<void> {
    const before = processCpuMs();
    const ac = new AbortController();
    running.set(id, ac);
    try {
      const handler = handlers?.[kind];
      if (!handler) throw new Error(`unknown task kind ${kind}`);
      const result = await handler(input as never, { signal: ac.signal });
      send({ t: 'done', id, ok: true, result, cpuMs: processCpuMs() - before });
    } catch (e) {
      send({ t: 'done', id, ok: false, error: toWire(e), cpuMs: processCpuMs() - before });
    } finally {
      running.delete(id);
    }
  }
}
