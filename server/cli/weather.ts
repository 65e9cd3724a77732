/**
 * granary weather add <files>...   import INMET archive CSVs (hourly) as daily values into <dataDir>/weather
 * granary weather list             stations with data (bundled file + imports)
 * Bad rows are listed (file:line: reason) and skipped; a file that is not an INMET archive file is
 * refused (exit 2) and the other files still import.
 */
import { stat } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import { GranaryError } from '../errors.js';
import { InmetFormatError } from '../weather/inmet.js';
import { importInmetFile, MAX_FILE_BYTES } from '../weather/import.js';
import { SqliteWeatherStore } from '../weather/store.js';
import { WeatherService, weatherDbPath } from '../weather/service.js';

export async function main(args: string[]): Promise<number> {
  const [sub, ...files] = args;
  const config = loadConfig();
  if (sub === 'list') {
    const svc = new WeatherService(config.dataDir);
    for (const s of await svc.stations()) console.log(`${s.id}\t${s.name}\t${s.lat},${s.lon}\t${s.firstDay}..${s.lastDay}\t${s.days} days\t${s.source}`);
    svc.close();
    return 0;
  }
  if (sub !== 'add' || files.length === 0) throw new GranaryError('bad-request', 'usage: granary weather add <INMET csv files>... | granary weather list');
  const store = new SqliteWeatherStore(weatherDbPath(config.dataDir));
  let failed = 0;
  try {
    for (const f of files) {
      try {
        const st = await stat(f);
        if (!st.isFile()) throw new InmetFormatError(`${f}: not a file`);
        if (st.size > MAX_FILE_BYTES) throw new InmetFormatError(`${f}: ${st.size} bytes, more than the ${MAX_FILE_BYTES} an INMET yearly file can be`);
        const r = await importInmetFile(store, f);
        console.log(`${r.file}: station ${r.station.id} ${r.station.name} (${r.station.lat}, ${r.station.lon}): ${r.hourlyRows} hourly rows -> ${r.days} days (${r.inserted} new, ${r.replaced} replaced), ${r.problems.length} bad rows skipped`);
        for (const p of r.problems.slice(0, 50)) console.log(`  ${r.file}:${p.line}: ${p.reason}`);
        if (r.problems.length > 50) console.log(`  ... and ${r.problems.length - 50} more bad rows`);
      } catch (e) {
        if (!(e instanceof InmetFormatError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        failed++;
        console.error(`refused: ${(e as Error).message}`);
      }
    }
  } finally {
    store.close();
  }
  return failed > 0 ? 2 : 0;
}
