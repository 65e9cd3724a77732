/**
 * Start-of-season products of the data directory (<dataDir>/phenology/<scene>.json, written by
 * `granary phenology`), read once at start-up (a few KB each), and the lookups the routes need.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhenologyProduct } from './build.js';
import { LABEL_EQUIVALENTS, type SosWindow } from './windows.js';

export class PhenologyService {
  private readonly byScene = new Map<string, PhenologyProduct>();
  readonly problems: Array<{ file: string; error: string }> = [];

  constructor(dir: string) {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
      try {
        const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as PhenologyProduct;
        if (typeof p.scene !== 'string' || !Array.isArray(p.windows) || !Array.isArray(p.regions)) throw new Error('not a start-of-season product');
        this.byScene.set(p.scene, p);
      } catch (e) {
        this.problems.push({ file: f, error: (e as Error).message });
      }
    }
  }

  list(): PhenologyProduct[] {
    return [...this.byScene.values()];
  }

  get(sceneId: string): PhenologyProduct | undefined {
    return this.byScene.get(sceneId);
  }

  /** Windows of a class in a region across products; the label may be in either vocabulary. */
  windowsFor(regionId: string, label: string): Array<SosWindow & { scene: string }> {
    const names = new Set([label, LABEL_EQUIVALENTS[label], ...Object.entries(LABEL_EQUIVALENTS).filter(([, v]) => v === label).map(([k]) => k)].filter((x): x is string => !!x));
    return this.list().flatMap((p) => p.windows.filter((w) => w.regionId === regionId && names.has(w.label)).map((w) => ({ ...w, scene: p.scene })));
  }
}
