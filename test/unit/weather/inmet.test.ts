import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInmetFile, inmetNumber, InmetFormatError } from '../../../server/weather/inmet.js';
import { dailyFromHourly, roundHalfEven } from '../../../server/weather/daily.js';
import { parseCsv } from '../../../server/regions/csv-parse.js';
import { FIXTURES } from '../../helpers/test-app.js';

const W = join(FIXTURES, 'weather');
const RAW = {
  A904: 'INMET_CO_MT_A904_SORRISO_01-01-2025_A_31-12-2025.CSV',
  A917: 'INMET_CO_MT_A917_SINOP_01-01-2025_A_31-12-2025.CSV',
};
const COLS = ['precip_mm', 'tmin_c', 'tmax_c', 'tmean_c', 'rh_mean_pct', 'rad_mj_m2', 'wind_mean_ms', 'n_hours_precip', 'n_hours_temp'] as const;
const KEYS = ['precipMm', 'tminC', 'tmaxC', 'tmeanC', 'rhMeanPct', 'radMjM2', 'windMeanMs', 'nHoursPrecip', 'nHoursTemp'] as const;

describe('INMET importer against the shared daily file', () => {
  const daily = parseCsv(readFileSync(join(W, 'inmet_mt_2025_daily.csv'), 'utf8')).rows;
  for (const [id, file] of Object.entries(RAW)) {
    it(`reproduces every daily value of ${id} from its raw hourly file`, () => {
      const p = parseInmetFile(readFileSync(join(W, 'inmet_raw', file)), file);
      expect(p.station).toMatchObject({ id, uf: 'MT' });
      expect(p.problems).toEqual([]);
      expect(p.rows).toHaveLength(8760);
      const mine = dailyFromHourly(p.rows);
      const ref = daily.filter((r) => r.station_id === id);
      expect(ref.length).toBeGreaterThan(200);
      expect(mine.map((d) => d.date)).toEqual(ref.map((r) => r.date));
      mine.forEach((d, i) => {
        const r = ref[i]!;
        COLS.forEach((c, k) => expect(d[KEYS[k]!], `${id} ${d.date} ${c}`).toBe(r[c] === '' ? null : Number(r[c])));
      });
      expect(Number(p.station.lat.toFixed(6))).toBe(Number(Number(ref[0]!.lat).toFixed(6)));
    });
  }

  it('matches the README\'s own check: Sorriso A904 on 2025-01-05 = 17.8 mm', () => {
    const p = parseInmetFile(readFileSync(join(W, 'inmet_raw', RAW.A904)));
    expect(dailyFromHourly(p.rows).find((d) => d.date === '2025-01-05')!.precipMm).toBe(17.8);
  });
});

const HEADER = [
  'REGIAO:;CO', 'UF:;MT', 'ESTACAO:;SÃO TESTE', 'CODIGO (WMO):;A999', 'LATITUDE:;-12,5', 'LONGITUDE:;-55,7', 'ALTITUDE:;379,31', 'DATA DE FUNDACAO:;16/12/02',
  'Data;Hora UTC;PRECIPITAÇÃO TOTAL, HORÁRIO (mm);RADIACAO GLOBAL (Kj/m²);TEMPERATURA DO AR - BULBO SECO, HORARIA (°C);TEMPERATURA MÁXIMA NA HORA ANT. (AUT) (°C);TEMPERATURA MÍNIMA NA HORA ANT. (AUT) (°C);UMIDADE RELATIVA DO AR, HORARIA (%);VENTO, VELOCIDADE HORARIA (m/s);',
];
const latin1 = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');

describe('INMET parser on bad input', () => {
  it('reports bad rows with their line and reason and keeps the good ones', () => {
    const p = parseInmetFile(latin1([
      ...HEADER,
      '2025/01/01;0000 UTC;1,2;;25;26;24;80;,6;',
      '2025/01/01;0100 UTC;0;;25;26;24;80;;', // good, wind missing
      '2025/01/01;0100 UTC;0;;25;26;24;80;1;', // duplicate hour
      '2025/01/01;0200 UTC;abc;;25;26;24;80;1;', // not a number
      '2025/01/01;0300 UTC;0;;25;26;24;180;1;', // humidity out of range
      '2025/02/30;0400 UTC;0;;25;26;24;80;1;', // no such date
      '2025/01/01;0500 UTC;0;;25;26;24;80;', // too few fields
      '2025/01/01;0600 UTC;-9999;-9999;-9999;;;;;', // all missing: a valid row
    ]), 't.csv');
    expect(p.station).toEqual({ id: 'A999', name: 'SÃO TESTE', uf: 'MT', lat: -12.5, lon: -55.7, altitudeM: 379.31, founded: '16/12/02' });
    expect(p.rows.map((r) => r.hour)).toEqual([0, 1, 6]);
    expect(p.rows[0]).toMatchObject({ precipMm: 1.2, windMs: 0.6, radiationKjM2: null });
    expect(p.problems.map((x) => x.line)).toEqual([12, 13, 14, 15, 16]);
    expect(p.problems[0]!.reason).toMatch(/duplicate hour/);
    expect(p.problems[1]!.reason).toMatch(/not a number/);
    expect(p.problems[2]!.reason).toMatch(/outside/);
    expect(p.problems[3]!.reason).toMatch(/date/);
    expect(p.problems[4]!.reason).toMatch(/fields/);
    // fewer than 20 hours: no daily value is made up
    expect(dailyFromHourly(p.rows)).toEqual([]);
  });

  it('refuses a file that is not an INMET archive file', () => {
    expect(() => parseInmetFile(Buffer.from('a,b,c\n1,2,3\n'), 'x.csv')).toThrow(InmetFormatError);
    expect(() => parseInmetFile(latin1([...HEADER.slice(0, 3), ...HEADER.slice(4)]), 'x.csv')).toThrow(/station code/);
    expect(() => parseInmetFile(latin1([...HEADER.slice(0, 8), 'Data;Hora UTC;FOO;']), 'x.csv')).toThrow(/lacks the column/);
  });

  it('reads decimal commas and missing markers, and rounds like Python', () => {
    expect(inmetNumber(',6')).toBe(0.6);
    expect(inmetNumber('-12,555')).toBe(-12.555);
    expect(inmetNumber('-9999')).toBeNull();
    expect(inmetNumber('')).toBeNull();
    expect(inmetNumber('1.234,5')).toBe('bad');
    // Python: round(90.5) == 90, round(91.5) == 92, round(27.849999999999998, 1) == 27.8, round(2.675, 2) == 2.67
    expect(roundHalfEven(90.5, 0)).toBe(90);
    expect(roundHalfEven(91.5, 0)).toBe(92);
    expect(roundHalfEven(27.849999999999998, 1)).toBe(27.8);
    expect(roundHalfEven(2.675, 2)).toBe(2.67);
    expect(roundHalfEven(-0.25, 1)).toBe(-0.2);
  });
});
