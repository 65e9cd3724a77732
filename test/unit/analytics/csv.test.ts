import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../server/analytics/csv.js';
import { parseCsv, parseCsvRecords } from '../../../server/regions/csv-parse.js';

describe('CSV writer (RFC 4180)', () => {
  it('quotes only what needs quoting, keeps UTF-8, writes numbers unformatted and null as empty', () => {
    const rows = [
      { regionId: '5103056', name: 'Cláudia', value: 0.1 + 0.2, n: null },
      { regionId: '9', name: 'Foo, "Bar"', value: -1e-7, n: 3 },
      { regionId: '10', name: 'two\nlines', value: NaN, n: undefined },
    ];
    expect(toCsv(rows)).toBe(
      'regionId,name,value,n\r\n' + '5103056,Cláudia,0.30000000000000004,\r\n' + '9,"Foo, ""Bar""",-1e-7,3\r\n' + '10,"two\nlines",,\r\n',
    );
  });

  it('round-trips through the reader', () => {
    const rows = [{ a: 'Água Boa', b: 'x,"y"', c: 'CR\r\nLF', d: '' }];
    const { header, rows: back } = parseCsv(toCsv(rows));
    expect(header).toEqual(['a', 'b', 'c', 'd']);
    expect(back).toEqual(rows);
  });

  it('honours an explicit column list and refuses nested values', () => {
    expect(toCsv([{ a: 1, b: 2 }], ['b', 'x'])).toBe('b,x\r\n2,\r\n');
    expect(() => toCsv([{ a: { nested: 1 } }])).toThrowError(/column "a" holds a object; flatten/);
    expect(() => toCsv([{ flags: ['x'] }])).toThrowError(/column "flags" holds a array/);
  });
});

describe('CSV reader', () => {
  it('handles BOM, quotes, embedded separators, LF/CRLF and a missing final newline', () => {
    expect(parseCsvRecords('\ufeffa,b\r\n"x, ""y""",Cláudia\n"multi\nline",2')).toEqual([
      ['a', 'b'],
      ['x, "y"', 'Cláudia'],
      ['multi\nline', '2'],
    ]);
    expect(() => parseCsvRecords('a\n"open')).toThrowError(/inside a quoted field/);
    expect(parseCsv('a,b\n1\n').rows).toEqual([{ a: '1', b: '' }]);
  });
});
