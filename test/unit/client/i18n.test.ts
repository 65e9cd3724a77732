/**
 * The dashboard's text catalogs (client/src/i18n.ts and every module that defines its own strings):
 * Portuguese and English have the same keys, no empty text, the same {placeholders}, and Portuguese
 * text is not left in English. The browser check (test/browser/run.ts, "Portuguese view") looks for
 * English catalog text on the rendered Portuguese page.
 */
import { describe, expect, it } from 'vitest';
import { catalogs } from '../../../client/src/i18n';
// modules with their own strings register them when imported
import '../../../client/src/views/analyst';
import '../../../client/src/jobs';
import '../../../client/src/views/field-report';
import '../../../client/src/views/label-review';
import '../../../client/src/export-map';
import '../../../client/src/panels/priority';
import '../../../client/src/panels/year-player';

/** Words that are the same in both languages (proper names, units, codes). */
const SAME = new Set(['Latitude', 'Longitude', 'Classes', 'Macro-F1', 'Viridis', 'Cividis', 'Magma', '#', 'Granary']);
/** Keys whose text is units and placeholders in both languages. */
const SAME_KEYS = new Set(['main.kgAndSacas', 'export-map.made']);

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dashboard text catalogs', () => {
  const all = [...catalogs()];

  it('registers the main catalog and the modules', () => {
    expect(all.map(([name]) => name)).toEqual(expect.arrayContaining(['main', 'analyst', 'field-report', 'label-review', 'jobs']));
  });

  for (const [name, { en, pt }] of all) {
    it(`${name}: both languages have the same keys and placeholders, none empty`, () => {
      expect(Object.keys(pt).sort()).toEqual(Object.keys(en).sort());
      for (const k of Object.keys(en)) {
        expect(en[k]!.trim(), `${name}.${k} (en)`).not.toBe('');
        expect(pt[k]!.trim(), `${name}.${k} (pt)`).not.toBe('');
        expect(placeholders(pt[k]!), `${name}.${k} placeholders`).toEqual(placeholders(en[k]!));
      }
    });

    it(`${name}: Portuguese text is not the English text`, () => {
      const untranslated = Object.keys(en).filter((k) => en[k] === pt[k] && !SAME.has(en[k]!) && !SAME_KEYS.has(`${name}.${k}`));
      expect(untranslated).toEqual([]);
    });
  }
});
