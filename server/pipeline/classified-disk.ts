/**
 * Classified native blocks kept on disk (<dataDir>/cache/classified), under the in-memory block
 * cache of the crop tiles (crop-tile.ts BlockClassCache): what a worker classified with the model is
 * read back by any later worker (a restart, another replica on the same data directory, the early
 * worker's priming) instead of loading ONNX Runtime and classifying the block again (~150 ms a
 * 256 px block on this project's 2-core machine; issue #17).
 *
 * The key names everything the result depends on: the model file (sha256), the scene's files (its
 * etag: their sizes and modification times), the season, the block, the input layout, and the code
 * that computes it (the classifying modules' bytes and the dependency lock file, so a new
 * onnxruntime-node too). A stale entry is therefore never found, only a missing one.
 *
 * An entry is written to a temporary file and renamed into place (a process that dies leaves no
 * half-written entry under the name; no fsync: a cache need not survive a power cut, and a file cut
 * short reads as missing because its header states every length). The directory is bounded:
 * entries least recently used (modification time, refreshed on a hit) go first. A read-only or
 * full disk only costs the computation. Written by hand: no maintained library keeps typed-array
 * records on disk with these guarantees without a database.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from '../util/atomic-write.js';
import type { ClassifiedWindow } from './classify-window.js';

const MAGIC = Buffer.from('GRANARY-CLASSIFIED-BLOCK-1\n');
const EXT = '.cls';

interface Header {
  key: string;
  window: ClassifiedWindow['window'];
  width: number;
  height: number;
  classes: number;
  confidence: number;
  probabilities: number;
}

export class ClassifiedDiskCache {
  /** bytes written since the directory was last measured */
  private writtenSinceTrim = 0;
  hits = 0;
  misses = 0;

  /** `dir` null: off. */
  constructor(
    readonly dir: string | null,
    readonly maxBytes: number,
    /** the identity of the code that computes the stored results (util/code-identity.ts) */
    private readonly code: () => string,
  ) {}

  private file(key: string): string {
    return join(this.dir!, createHash('sha256').update(`${this.code()}\0${key}`).digest('hex').slice(0, 40) + EXT);
  }

  /** The block stored under `key`, or null (none, another key, cut short or unreadable). */
  async get(key: string): Promise<ClassifiedWindow | null> {
    if (!this.dir || this.maxBytes <= 0) return null;
    const file = this.file(key);
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch {
      this.misses++;
      return null;
    }
    const w = decode(buf, `${this.code()}\0${key}`);
    if (!w) {
      this.misses++;
      return null;
    }
    this.hits++;
    const now = new Date();
    void utimes(file, now, now).catch(() => undefined); // least recently used goes first
    return w;
  }

  /** Stores `w` under `key`; resolves when written or given up (never rejects). */
  async put(key: string, w: ClassifiedWindow): Promise<void> {
    if (!this.dir || this.maxBytes <= 0) return;
    const bytes = encode(w, `${this.code()}\0${key}`);
    if (bytes.length > this.maxBytes) return;
    const file = this.file(key);
    const tmp = tempPathFor(file);
    try {
      await mkdir(this.dir, { recursive: true });
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(bytes);
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch {
      await unlink(tmp).catch(() => undefined);
      return;
    }
    this.writtenSinceTrim += bytes.length;
    if (this.writtenSinceTrim > this.maxBytes / 8) await this.trim();
  }

  /** Removes the least recently used entries (and stray temporary files) until the directory holds at most maxBytes. */
  async trim(): Promise<void> {
    if (!this.dir) return;
    this.writtenSinceTrim = 0;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const entries: Array<{ path: string; size: number; used: number }> = [];
    for (const n of names) {
      const path = join(this.dir, n);
      const st = await stat(path).catch(() => null);
      if (!st?.isFile()) continue;
      // a temporary file of a writer that died (older than a minute)
      if (n.endsWith('.tmp') && Date.now() - st.mtimeMs > 60_000) await unlink(path).catch(() => undefined);
      else if (n.endsWith(EXT)) entries.push({ path, size: st.size, used: st.mtimeMs });
    }
    let total = entries.reduce((a, e) => a + e.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      await unlink(e.path).catch(() => undefined);
      total -= e.size;
    }
  }
}

function encode(w: ClassifiedWindow, key: string): Buffer {
  const header: Header = { key, window: w.window, width: w.width, height: w.height, classes: w.classes.byteLength, confidence: w.confidence.byteLength, probabilities: w.probabilities.byteLength };
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const view = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([MAGIC, len, json, view(w.classes), view(w.confidence), view(w.probabilities)]);
}

function decode(buf: Buffer, key: string): ClassifiedWindow | null {
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const jsonLen = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + jsonLen;
  if (start > buf.length) return null;
  let h: Header;
  try {
    h = JSON.parse(buf.subarray(MAGIC.length + 4, start).toString('utf8')) as Header;
  } catch {
    return null;
  }
  const n = h.width * h.height;
  if (h.key !== key || h.classes !== n || h.confidence !== 4 * n || h.probabilities % (4 * Math.max(1, n)) !== 0) return null;
  if (start + h.classes + h.confidence + h.probabilities !== buf.length) return null;
  // copies: the typed arrays need their own aligned buffers
  const slice = (from: number, bytes: number) => buf.buffer.slice(buf.byteOffset + from, buf.byteOffset + from + bytes);
  return {
    window: h.window,
    width: h.width,
    height: h.height,
    classes: new Uint8Array(slice(start, h.classes)),
    confidence: new Float32Array(slice(start + h.classes, h.confidence)),
    probabilities: new Float32Array(slice(start + h.classes + h.confidence, h.probabilities)),
  };
}
