/**
 * The child-process side of the pool (workers/pool.ts): receives `init` once, then `run` and
 * `cancel` messages over the IPC channel ('advanced' serialisation: typed arrays and Buffers cross
 * as bytes, not JSON), runs one task at a time, and answers `done` with the task's CPU time.
 * The child exits when the parent goes away (IPC channel closed).
 */
import { toWire } from '../errors.js';
import type { TaskContext } from './tasks.js';
import { importModule } from '../util/import-module.js';
import type { InitMessage } from './fork-child.js';

type AnyHandler = (input: never, ctx: TaskContext) => Promise<unknown>;
type ParentMessage = InitMessage | { t: 'run'; id: number; kind: string; input: unknown } | { t: 'cancel'; id: number };

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
  let firstId: number | null = null;
  let firstCancelled = false;

  process.on('message', (m: ParentMessage) => {
    if (m.t === 'init') {
      firstId = m.first?.id ?? null;
      void (async () => {
        const table: Record<string, AnyHandler> = { ...(await setup(m.init as never)) };
        for (const href of m.extra) Object.assign(table, (await importModule<{ tasks: Record<string, AnyHandler> }>(href)).tasks);
        handlers = table;
        send({ t: 'ready' });
        // a task given with the init runs at once, without a round trip through a parent that may
        // still be busy loading (the early child's priming: fork-child.ts)
        if (m.first) void run(m.first.id, m.first.kind, m.first.input, firstCancelled);
      })();
      return;
    }
    if (m.t === 'cancel') {
      const ac = running.get(m.id);
      if (ac) ac.abort(new Error('cancelled'));
      // the init's own task, stopped before it started (the child was still loading): it starts stopped
      else if (m.id === firstId) firstCancelled = true;
      return;
    }
    void run(m.id, m.kind, m.input);
  });
  process.on('disconnect', () => process.exit(0));

  async function run(id: number, kind: string, input: unknown, cancelled = false): Promise<void> {
    const before = processCpuMs();
    const ac = new AbortController();
    if (cancelled) ac.abort(new Error('cancelled'));
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
