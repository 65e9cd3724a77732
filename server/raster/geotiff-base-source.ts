/**
 * Adapts our `Source` to geotiff.js's BaseSource. Small reads (IFDs, tile offset arrays) are
 * served from 64 KiB blocks so that parsing a remote COG costs a few range requests, not hundreds.
 */
import { LRUCache } from 'lru-cache';
import type { Source } from './source.js';

const BLOCK = 64 * 1024;
const SMALL = 16 * 1024;

interface Slice {
  offset: number;
  length: number;
}

export class BaseSource {
  private readonly blocks = new LRUCache<number, Promise<Uint8Array>>({ max: 32 });

  constructor(private readonly source: Source) {}

  get fileSize(): number {
    return this.source.size;
  }

  async fetch(slices: Slice[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
    return Promise.all(slices.map((s) => this.fetchOne(s, signal)));
  }

  private block(index: number, signal?: AbortSignal): Promise<Uint8Array> {
    let p = this.blocks.get(index);
    if (!p) {
      const start = index * BLOCK;
      const len = Math.min(BLOCK, this.source.size - start);
      p = this.source.read(start, len, signal);
      p.catch(() => this.blocks.delete(index));
      this.blocks.set(index, p);
    }
    return p;
  }

  private async fetchOne({ offset, length }: Slice, signal?: AbortSignal): Promise<ArrayBuffer> {
    // geotiff.js asks for fixed-size header slices that may run past the end of small files.
    const len = Math.max(0, Math.min(length, this.source.size - offset));
    if (offset < 0 || offset >= this.source.size || len === 0) {
      throw new RangeError(`read at ${offset} is past the end of the file (${this.source.size} bytes)`);
    }
    if (len <= SMALL) {
      const first = Math.floor(offset / BLOCK);
      const last = Math.floor((offset + len - 1) / BLOCK);
      const out = new Uint8Array(len);
      for (let b = first; b <= last; b++) {
        const data = await this.block(b, signal);
        const bStart = b * BLOCK;
        const from = Math.max(offset, bStart);
        const to = Math.min(offset + len, bStart + data.length);
        out.set(data.subarray(from - bStart, to - bStart), from - offset);
      }
      return out.buffer;
    }
    const data = await this.source.read(offset, len, signal);
    return data.buffer.byteLength === data.length ? (data.buffer as ArrayBuffer) : (data.slice().buffer as ArrayBuffer);
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
