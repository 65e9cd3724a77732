/**
 * Attribution of the main thread's CPU time to the requests (and jobs) in flight. Pure: the clock
 * is injected.
 *
 * The main thread interleaves every request, so "thread CPU at the end minus at the start" would
 * charge each request with its neighbours' work. Instead the thread's CPU is read at every
 * checkpoint (a request or job starting or ending), and the CPU used since the previous
 * checkpoint is split equally among the entries open during that interval; with none open it is
 * `unattributed` (start-up, timers, GC, sockets between requests).
 *
 * Error: within an interval a request waiting for a worker gets the same share as one busy on the
 * main thread; the total is exact (sum of shares + unattributed = thread CPU since start).
 */

export interface LedgerEntry {
  /** main-thread CPU ms attributed so far */
  mainMs: number;
  open: boolean;
}

export class MainThreadLedger {
  private readonly entries = new Set<LedgerEntry>();
  private last: number;
  private readonly start: number;
  /** main-thread CPU ms used while nothing was open */
  unattributedMs = 0;
  /** main-thread CPU ms attributed to entries (closed or open) */
  attributedMs = 0;

  constructor(private readonly clock: () => number) {
    this.start = this.last = clock();
  }

  /** Distributes the CPU used since the last checkpoint among the open entries. */
  checkpoint(): void {
    const now = this.clock();
    const delta = Math.max(0, now - this.last);
    this.last = now;
    if (delta === 0) return;
    const n = this.entries.size;
    if (n === 0) {
      this.unattributedMs += delta;
      return;
    }
    const share = delta / n;
    for (const e of this.entries) e.mainMs += share;
    this.attributedMs += delta;
  }

  open(): LedgerEntry {
    this.checkpoint();
    const e: LedgerEntry = { mainMs: 0, open: true };
    this.entries.add(e);
    return e;
  }

  /** Closes an entry and returns its main-thread CPU ms (idempotent). */
  close(e: LedgerEntry): number {
    if (e.open) {
      this.checkpoint();
      this.entries.delete(e);
      e.open = false;
    }
    return e.mainMs;
  }

  get openCount(): number {
    return this.entries.size;
  }

  /** Thread CPU ms since the ledger was created (up to the last checkpoint). */
  get totalMs(): number {
    return this.last - this.start;
  }
}
