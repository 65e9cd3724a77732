/**
 * CPU time of the calling thread (ms).
 *
 * Node 20 has no per-thread CPU API (`process.threadCpuUsage` arrived in Node 23.9), and
 * `process.cpuUsage()` is the whole process's, also inside a worker thread: measured here with two
 * workers busy-looping 500 ms at once, each reported ~255 ms of "its" CPU where its own thread had
 * used ~124 ms, i.e. every concurrent thread's CPU is added to each task's figure.
 *
 * On Linux the kernel keeps per-thread run time in `/proc/thread-self/schedstat` (first field:
 * nanoseconds on a CPU). The file is opened once per thread (the link resolves to the opening
 * thread) and re-read with pread: about 10 us per reading on the development VM.
 *
 * Elsewhere the fallback is `performance.eventLoopUtilization()`'s active time, which is per
 * thread but is wall time while the event loop is not idle: it counts time the thread was
 * descheduled or blocked in synchronous I/O, so it overstates CPU on a loaded machine.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export type ThreadCpuSource = 'schedstat' | 'event-loop-utilization';

export interface ThreadCpuClock {
  readonly source: ThreadCpuSource;
  /** cumulative CPU ms of the thread that created the clock (monotonic); throws once closed */
  ms(): number;
  close(): void;
}

/** Parses the first field of a schedstat line (ns on CPU) into ms. */
export function parseSchedstatMs(text: string): number {
  const ns = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(ns)) throw new Error(`unexpected schedstat content "${text.slice(0, 40)}"`);
  return ns / 1e6;
}

/** Thrown by a closed clock's `ms()`. */
function closedError(): Error {
  return new Error('thread CPU clock read after close (the footprint recorder is closed: the server is shutting down)');
}

/**
 * A clock of the calling thread's CPU time; must be read from the thread that created it.
 * After `close()` a reading throws: the fd is gone (EBADF), or worse, its number already belongs
 * to a file opened since, whose bytes would be parsed as CPU time.
 */
export function threadCpuClock(path = '/proc/thread-self/schedstat'): ThreadCpuClock {
  let open = true;
  try {
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(128);
    const read = () => {
      if (!open) throw closedError();
      return parseSchedstatMs(buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0)));
    };
    read();
    return {
      source: 'schedstat',
      ms: read,
      close: () => {
        if (open) closeSync(fd);
        open = false;
      },
    };
  } catch {
    return {
      source: 'event-loop-utilization',
      ms: () => {
        if (!open) throw closedError();
        return performance.eventLoopUtilization().active;
      },
      close: () => {
        open = false;
      },
    };
  }
}
