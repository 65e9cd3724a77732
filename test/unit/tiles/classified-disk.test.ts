/**
 * Classified blocks on disk (server/pipeline/classified-disk.ts): a block written under a key is
 * read back identical (classes, confidence, every probability bit for bit); another key, another
 * code identity, a file cut short or with a broken header all read as missing (the contents carry
 * no checksum: entries are only ever renamed into place whole); the directory
 * stays under its byte bound, the least recently used entries going first.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifiedDiskCache } from '../../../server/pipeline/classified-disk.js';
import type { ClassifiedWindow } from '../../../server/pipeline/classify-window.js';
import { BlockClassCache } from '../../../server/pipeline/crop-tile.js';

function block(seed: number, w = 64, h = 32, C = 5): ClassifiedWindow {
  const n = w * h;
  const probabilities = new Float32Array(n * C).map((_, i) => ((i * 7919 + seed) % 1000) / 997);
  const classes = new Uint8Array(n).map((_, i) => (i + seed) % C);
  const confidence = new Float32Array(n).map((_, i) => (i % 3 === 0 ? NaN : ((i + seed) % 100) / 100));
  return { window: [seed, 0, seed + w, h], width: w, height: h, classes, confidence, probabilities };
}

const dir = () => mkdtempSync(join(tmpdir(), 'granary-classified-'));

describe('classified blocks on disk', () => {
  it('reads back exactly what was written, under the same key and code only', async () => {
    const d = dir();
    const cache = new ClassifiedDiskCache(d, 64 * 1024 * 1024, () => 'code-a');
    const b = block(3);
    await cache.put('model|scene|etag|2013|0,0', b);
    const back = await cache.get('model|scene|etag|2013|0,0');
    expect(back).not.toBeNull();
    expect(back!.window).toEqual(b.window);
    expect([back!.width, back!.height]).toEqual([b.width, b.height]);
    expect(Buffer.from(back!.classes)).toEqual(Buffer.from(b.classes));
    expect(Buffer.from(back!.confidence.buffer)).toEqual(Buffer.from(b.confidence.buffer));
    expect(Buffer.from(back!.probabilities.buffer)).toEqual(Buffer.from(b.probabilities.buffer));
    expect(await cache.get('model|scene|etag|2014|0,0')).toBeNull();
    expect(await new ClassifiedDiskCache(d, 64 * 1024 * 1024, () => 'code-b').get('model|scene|etag|2013|0,0')).toBeNull();
    expect(cache.hits).toBe(1);
  });

  it('an entry cut short or with a broken header reads as missing', async () => {
    const d = dir();
    const cache = new ClassifiedDiskCache(d, 64 * 1024 * 1024, () => 'code');
    await cache.put('k1', block(1));
    await cache.put('k2', block(2));
    const [f1, f2] = readdirSync(d).filter((f) => f.endsWith('.cls')).map((f) => join(d, f));
    truncateSync(f1!, statSync(f1!).size - 3);
    writeFileSync(f2!, readFileSync(f2!).fill(7, 40));
    expect(await cache.get('k1')).toBeNull();
    expect(await cache.get('k2')).toBeNull();
  });

  it('stays under its byte bound, dropping the least recently used entries', async () => {
    const d = dir();
    const one = 64 * 32 * (1 + 4 + 20) + 300; // a block's bytes, about
    const cache = new ClassifiedDiskCache(d, 3 * one, () => 'code');
    await cache.put('a', block(1));
    await cache.put('b', block(2));
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.get('a')).not.toBeNull(); // 'a' is now more recently used than 'b'
    await new Promise((r) => setTimeout(r, 20));
    await cache.put('c', block(3));
    await cache.put('d', block(4));
    await cache.trim();
    const total = readdirSync(d).reduce((s, f) => s + statSync(join(d, f)).size, 0);
    expect(total).toBeLessThanOrEqual(3 * one);
    expect(await cache.get('b')).toBeNull();
    expect(await cache.get('a')).not.toBeNull();
    expect(await cache.get('d')).not.toBeNull();
  });

  it('off (no directory or no bytes): nothing is written or found', async () => {
    const d = dir();
    const off = new ClassifiedDiskCache(d, 0, () => 'code');
    await off.put('k', block(1));
    expect(readdirSync(d)).toEqual([]);
    expect(await new ClassifiedDiskCache(null, 1e9, () => 'code').get('k')).toBeNull();
  });
});

describe('the crop tiles\' block cache over the disk', () => {
  it('a fresh cache on the same directory (another process) gets the block from disk without classifying it again', async () => {
    const d = dir();
    let loads = 0;
    const load = async () => (loads++, block(9));
    const first = new BlockClassCache(undefined, new ClassifiedDiskCache(d, 64 * 1024 * 1024, () => 'code'));
    await first.get('mem-key', load, () => 'disk-key');
    expect(loads).toBe(1);
    // the write runs in the background: wait until the entry is there
    for (let i = 0; i < 100 && readdirSync(d).filter((f) => f.endsWith('.cls')).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const second = new BlockClassCache(undefined, new ClassifiedDiskCache(d, 64 * 1024 * 1024, () => 'code'));
    const w = await second.get('mem-key', load, () => 'disk-key');
    expect(loads).toBe(1);
    expect(Buffer.from(w.probabilities.buffer)).toEqual(Buffer.from(block(9).probabilities.buffer));
    // another input layout (disk key) is classified
    await new BlockClassCache(undefined, new ClassifiedDiskCache(d, 64 * 1024 * 1024, () => 'code')).get('mem-key', load, () => 'other-disk-key');
    expect(loads).toBe(2);
  });
});
