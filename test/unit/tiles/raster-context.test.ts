/**
 * A raster context used for one job in a long-lived process (a reports export, a CLI command)
 * closes the files it opened when asked (workers/raster-context.ts `close`), rather than leaving
 * them to the garbage collector (Node's DEP0137 warning, an error in a future Node).
 */
import { describe, expect, it } from 'vitest';
import { createRasterContext } from '../../../server/workers/raster-context.js';
import { FIXTURES, SINOP_EVI, SINOP_NDVI } from '../../helpers/test-app.js';

describe('raster context', () => {
  it('closes every file it opened, at once, and its handles read no more', async () => {
    const ctx = createRasterContext({ policy: { readRoots: [FIXTURES], remoteHosts: [], remoteTimeoutMs: 1000 }, blockCacheBytes: 1 << 20 });
    const [a, b] = await Promise.all([ctx.open(SINOP_NDVI), ctx.open(SINOP_EVI)]);
    expect(await ctx.open(SINOP_NDVI)).toBe(a); // kept while open
    expect((await a.source.read(0, 8)).length).toBe(8);
    await ctx.close();
    await expect(a.source.read(0, 8)).rejects.toThrow();
    await expect(b.source.read(0, 8)).rejects.toThrow();
  });
});
