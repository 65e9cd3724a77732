/** Rendered tiles kept in memory, bounded in bytes; keys double as ETags. */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

interface CachedTile {
  body: Buffer;
  contentType: string;
  etag: string;
  empty: boolean;
}

export class TileCache {
  private readonly lru: LRUCache<string, CachedTile>;
  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, CachedTile>({ maxSize: Math.max(1, Math.floor(maxBytes)), sizeCalculation: (v) => Math.max(1, v.body.length + 200) });
  }
  static etagFor(key: string): string {
    return `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
  }
  get(key: string): CachedTile | undefined {
    return this.lru.get(key);
  }
  set(key: string, v: CachedTile): void {
    if (v.body.length < this.lru.maxSize) this.lru.set(key, v);
  }
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
