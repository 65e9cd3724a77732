/**
 * `GET /api/exchange-rates`: Brazilian reais per US dollar, annual averages (US Federal Reserve
 * H.10 / FRED DEXBZUS, public domain), read from socioeconomic/fred_brl_per_usd_annual_*.csv beside
 * the regions configuration. The dashboard converts the World Bank USD values to BRL at the rate of
 * the indicator's year, and keeps USD for a year without a rate. 404 when the table is not there.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { notFound } from '../../errors.js';
import { problemResponses } from '../../contract/common.js';
import { ExchangeRatesResponse } from '../../contract/regions.js';

const RATES_FILE = 'socioeconomic/fred_brl_per_usd_annual_1995_2025.csv';

/** `date,brl_per_usd` rows (the year in `date`); rows that are not a year and a positive number are skipped. */
function parseAnnualRates(csv: string): Array<{ year: number; brlPerUsd: number }> {
  const [head, ...lines] = csv.trim().split(/\r?\n/);
  const cols = (head ?? '').split(',');
  const iy = cols.indexOf('date');
  const iv = cols.indexOf('brl_per_usd');
  if (iy < 0 || iv < 0) throw new Error(`exchange-rate table needs columns date,brl_per_usd (has ${head})`);
  return lines.flatMap((l) => {
    const c = l.split(',');
    const year = Number(c[iy]);
    const v = Number(c[iv]);
    return Number.isInteger(year) && Number.isFinite(v) && v > 0 ? [{ year, brlPerUsd: v }] : [];
  });
}

export default (async function exchangeRateRoutes(app) {
  // beside the regions configuration file (read from the configuration: the regions may load after listen)
  const file = join(dirname(resolve(app.config.regionsConfig)), RATES_FILE);
  const rates = existsSync(file) ? parseAnnualRates(readFileSync(file, 'utf8')) : null;
  app.get('/api/exchange-rates', {
    schema: {
      tags: ['regions'],
      summary: 'Brazilian reais per US dollar, annual averages (FRED DEXBZUS), for showing the USD values in BRL at the year\'s rate',
      response: {
        200: ExchangeRatesResponse,
        ...problemResponses,
      },
    },
  }, async () => {
    if (!rates) throw notFound(`no exchange-rate table (${RATES_FILE} beside the regions configuration): money stays in USD`);
    return {
      unit: 'BRL per USD' as const,
      source: 'US Federal Reserve H.10 / FRED series DEXBZUS, annual averages, via the datahub.io exchange-rates dataset',
      licence: 'ODC PDDL 1.0 (public domain dedication)',
      rates,
    };
  });
}) satisfies FastifyPluginAsyncTypebox;
