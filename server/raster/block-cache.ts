/** An LRU of decoded COG blocks, bounded in bytes, with in-flight de-duplication. */
import { LRUCache } from 'lru-cache';

export class BlockCache {
  private readonly lru: LRUCache<string, ArrayBuffer>;
  private readonly inflight = new Map<string, Promise<ArrayBuffer>>();
  hits = 0;
  misses = 0;

  /**
   * @param readBudgetBytes the memory one read (readWindow) may use for decoded blocks and its
   *   output, computed from declared sizes before anything is read (Infinity = no budget)
   */
  constructor(
    maxBytes: number,
    readonly readBudgetBytes = Number.POSITIVE_INFINITY,
  ) {
    this.lru = new LRUCache<string, ArrayBuffer>({
      maxSize: Math.max(1, Math.floor(maxBytes)),
      sizeCalculation: (v) => Math.max(1, v.byteLength),
    });
  }

  async get(key: string, load: () => Promise<ArrayBuffer>): Promise<ArrayBuffer> {
    const hit = this.lru.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    const pending = this.inflight.get(key);
    if (pending) return pending;
    this.misses++;
    const p = load().then(
      (buf) => {
        this.inflight.delete(key);
        if (buf.byteLength <= this.lru.maxSize) this.lru.set(key, buf);
        return buf;
      },
      (e: unknown) => {
        this.inflight.delete(key);
        throw e;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
