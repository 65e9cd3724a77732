import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../models/contract/csv.js';
import { featureMatrix } from '../../../models/contract/features.js';
import { readSamples, readTimeseries } from '../../../models/contract/samples.js';

describe('CSV reading', () => {
  it('handles quotes, escaped quotes, commas in quotes, CRLF, a BOM and a missing final newline', () => {
    const t = parseCsv('\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n2,,"multi\nline"');
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      ['1', 'x, y', 'say "hi"'],
      ['2', '', 'multi\nline'],
    ]);
  });

  it('names ragged rows and unterminated quotes', () => {
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow('row 2 has 3 fields, header has 2');
    expect(() => parseCsv('a\n"open\n')).toThrow('unterminated');
  });

  it('reads series in date order whatever the row order, in variable-major layout', () => {
    const samples = readSamples('sample_id,location_id,label\n7,1,Forest\n');
    const series = readTimeseries('sample_id,date,ndvi,evi\n7,2014-01-02,0.2,0.6\n7,2013-09-14,0.1,0.5\n', ['ndvi', 'evi']);
    expect(Array.from(featureMatrix(samples, series, ['ndvi', 'evi'], 2))).toEqual([0.1, 0.2, 0.5, 0.6].map(Math.fround));
  });

  it('refuses MODIS integers and short series with a message that says why', () => {
    const samples = readSamples('sample_id,label\n1,Forest\n');
    const scaled = readTimeseries('sample_id,date,ndvi\n1,2013-09-14,5000\n', ['ndvi']);
    expect(() => featureMatrix(samples, scaled, ['ndvi'], 1)).toThrow('divided by 10000');
    expect(() => featureMatrix(samples, scaled, ['ndvi'], 2)).toThrow('sample 1 has 1 dates, the model needs 2');
    expect(() => readTimeseries('sample_id,date,ndvi\n1,2013-09-14,NA\n', ['ndvi'])).toThrow('non-numeric ndvi "NA"');
  });
});
