/**
 * The words of yield-gap flags and methods (server/contract/row-messages.ts): every code has both
 * languages with the same parameters, the Portuguese words have no English sentence, and the rows the
 * API serves carry `flagCodes` whose English texts are exactly their `flags` (so the dashboard's
 * Portuguese says what the English says), for every crop and a spread of years.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import { loadConfig } from '../../../server/config.js';
import { rowMessageText, ROW_CODES } from '../../../server/contract/row-messages.js';

// every parameter written as [name], to compare which parameters the two languages use
const named = new Proxy({}, { get: (_, k) => `[${String(k)}]` }) as Record<string, string>;
const placeholders = (s: string) => [...new Set([...s.matchAll(/\[(\w+)\]/g)].map((m) => m[1]))].sort();
// English function words a Portuguese sentence does not have
const ENGLISH = /\b(the|and|with|of|from|than|is|are|for|not|unknown|covers|only)\b/i;

describe('row messages', () => {
  it('every code has English and Portuguese with the same parameters, and no English in the Portuguese', () => {
    expect(ROW_CODES.length).toBeGreaterThan(20);
    for (const code of ROW_CODES) {
      const en = rowMessageText({ code, params: named }, 'en');
      const pt = rowMessageText({ code, params: named }, 'pt');
      expect(en, code).not.toBe(code);
      expect(pt, code).not.toBe(en);
      expect(placeholders(pt), code).toEqual(placeholders(en));
      expect(pt.replace(/\[\w+\]/g, ''), code).not.toMatch(ENGLISH);
    }
  });

  it('fills numbers with the language decimal mark, strings as given, the system word translated', () => {
    expect(rowMessageText({ code: 'crop-map-partial', params: { map: 'sinop/m', pct: 0.8 } }, 'en')).toBe('crop map sinop/m covers 0.8 % of the region: mappedAreaHa is for the covered part only');
    expect(rowMessageText({ code: 'crop-map-partial', params: { map: 'sinop/m', pct: 0.8 } }, 'pt')).toBe('o mapa de culturas sinop/m cobre 0,8 % do município: a área mapeada é só da parte coberta');
    expect(rowMessageText({ code: 'population-other-year', params: { yearUsed: '2021', from: '2012', to: '2021' } }, 'pt')).toBe('população de 2021 (a tabela cobre 2012-2021)');
    expect(rowMessageText({ code: 'yield-gap-method', params: { system: 'rainfed' } }, 'pt')).toContain('sistemas de sequeiro');
    expect(rowMessageText({ code: 'nonsense', params: {} }, 'pt')).toBe('nonsense');
  });
});

describe('yield-gap rows: flagCodes are the flags', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(loadConfig({ ...process.env, GRANARY_LOG_LEVEL: 'silent', GRANARY_WORKERS: '1' }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('English texts of flagCodes equal flags, methodCode equals method, for every crop', async () => {
    const seen = new Set<string>();
    for (const crop of app.regions.crops) {
      const [y0, y1] = app.regions.yearRange(crop);
      for (const year of [y0, y0 + 1, Math.round((y0 + y1) / 2), y1]) {
        const res = await app.inject({ method: 'GET', url: `/api/yield-gap?crop=${crop}&year=${year}` });
        expect(res.statusCode).toBe(200);
        for (const r of res.json().rows as Array<{ flags: string[]; flagCodes: Array<{ code: string; params: Record<string, string | number> }>; method: string; methodCode: { code: string; params: Record<string, string | number> } }>) {
          expect(r.flagCodes.map((m) => rowMessageText(m, 'en'))).toEqual(r.flags);
          expect(rowMessageText(r.methodCode, 'en')).toBe(r.method);
          for (const m of r.flagCodes) seen.add(m.code);
        }
      }
    }
    // the fixtures exercise the common caveats (crop-map coverage, population year, zero yields, short windows)
    expect(seen.size).toBeGreaterThanOrEqual(6);
  }, 120_000);
});
