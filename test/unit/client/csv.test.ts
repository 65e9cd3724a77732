/** The dashboard's CSV (client/src/csv.ts): dialects, rounding, formula neutralisation, the API's columns. */
import { describe, expect, it } from 'vitest';
import { API_CSV_COLUMNS, csvCell, flatRow, toCsv } from '../../../client/src/csv';
import type { YieldGapRow } from '../../../client/src/types';

describe('dashboard CSV', () => {
  // the header equals the live API's CSV header: test/browser/run.ts (downloads check)
  it('has the interval and input columns of the API CSV', () => {
    expect(API_CSV_COLUMNS).toEqual(expect.arrayContaining(['mappedAreaCi95LowHa', 'mappedAreaCi95HighHa', 'windowStart', 'priorityScore']));
  });

  // the exact equality with the server's columns: test/unit/analytics/yield-gap-csv-columns.test.ts
  it('carries the reported yield of the year, as the API CSV does, right after year', () => {
    expect(API_CSV_COLUMNS.indexOf('reportedYieldKgHa')).toBe(API_CSV_COLUMNS.indexOf('year') + 1);
  });

  it('rounds float noise away per column', () => {
    expect(csvCell(231.4749999999999, 'actualYieldKgHa', 'intl')).toBe('231.5');
    expect(csvCell(12.345678, 'yieldGapPct', 'intl')).toBe('12.35');
    expect(csvCell(1234567.89, 'productionT', 'intl')).toBe('1234568');
  });

  it('writes pt-BR with semicolons, decimal commas and a BOM', () => {
    const text = toCsv(['name', 'yieldGapPct'], [{ name: 'Santa Rita; do Trivelato', yieldGapPct: 9.456 }], 'pt-BR');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.slice(1)).toBe('name;yieldGapPct\r\n"Santa Rita; do Trivelato";9,46\r\n');
  });

  it('writes RFC 4180 without a BOM by default', () => {
    expect(toCsv(['a', 'b'], [{ a: 'x,y', b: 'say "hi"' }])).toBe('a,b\r\n"x,y","say ""hi"""\r\n');
  });

  it('neutralises text a spreadsheet would run as a formula, not negative numbers', () => {
    expect(csvCell('=HYPERLINK("x")', 'name', 'intl')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)', 'name', 'pt-BR')).toBe("'@SUM(A1)");
    expect(csvCell(-3.5, 'yieldGapPct', 'pt-BR')).toBe('-3,5');
  });

  it('flattens the interval, crop map and inputs like the API', () => {
    const row = { regionId: '5107909', name: 'Sinop', crop: 'soy', year: 2014, reportedYieldKgHa: 3120, mappedAreaHa: 100, mappedAreaCi95Ha: [80, 120], cropMap: { sceneId: 'sinop', modelId: 'm', regionCoveredShare: 0.5 }, inputs: { window: [2005, 2014], attainableYield: { percentile: 95 }, population: { yearUsed: 2014 } }, flags: ['a', 'b'] } as unknown as YieldGapRow;
    const f = flatRow(row);
    expect(f.reportedYieldKgHa).toBe(3120);
    expect([f.mappedAreaCi95LowHa, f.mappedAreaCi95HighHa, f.cropMapSceneId, f.windowStart, f.windowEnd, f.attainablePercentile, f.populationYear, f.flags]).toEqual([80, 120, 'sinop', 2005, 2014, 95, 2014, 'a; b']);
  });
});
