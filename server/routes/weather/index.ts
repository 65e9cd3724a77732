/**
 * Weather beside the crop (server/weather):
 *   GET /api/weather/stations[?format=csv]                 stations with data (bundled + imported)
 *   GET /api/weather/stations/{id}/daily?from&to[&format]  daily values of one station
 *   GET /api/weather/point?lon&lat[&season][&asOf]         season to date at the nearest station with data
 *   GET /api/weather/regions/{regionId}[?season][&asOf]    the same for a municipality (from its centre)
 * Stations are also the OGC collection `weather-stations`.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { pointOnFeature } from '@turf/turf';
import { CsvText, CSV_MEDIA, media, problemResponses } from '../../contract/common.js';
import { GranaryError } from '../../errors.js';
import { WeatherService } from '../../weather/service.js';
import { sendCsv, wantsCsv } from '../layers/http.js';
import { DailyQuery, DailyResponse, PointQuery, RegionParams, SeasonQuery, SeasonResponse, StationList, StationParams, StationsQuery } from '../../contract/weather.js';

declare module 'fastify' {
  interface FastifyInstance {
    weather: WeatherService;
  }
}

const INMET_ATTRIBUTION = 'Fonte: INMET – Instituto Nacional de Meteorologia, BDMEP / Dados Históricos (automatic stations; daily values aggregated from hourly UTC records)';

const DAILY_COLUMNS = ['date', 'precipMm', 'tminC', 'tmaxC', 'tmeanC', 'rhMeanPct', 'radMjM2', 'windMeanMs', 'nHoursPrecip', 'nHoursTemp'];

const weatherRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new WeatherService(app.config.dataDir);
  app.decorate('weather', service);
  app.warmup.add('weather: bundled daily files', () => service.preload());
  app.addHook('onClose', async () => service.close());
  const tags = ['weather'];

  app.get('/api/weather/stations', {
    schema: { tags, summary: 'Weather stations with data: INMET automatic stations (bundled 2025 daily file plus imports)', querystring: StationsQuery, response: { 200: media('the stations (application/json), or with format=csv one row per station', { 'application/json': StationList, [CSV_MEDIA]: CsvText }), ...problemResponses } },
  }, async (req, reply) => {
    const stations = await service.stations();
    if (wantsCsv(req.query.format)) return sendCsv(reply, 'weather-stations.csv', stations.map((s) => ({ ...s, years: s.years.join(' ') })), ['id', 'name', 'lat', 'lon', 'firstDay', 'lastDay', 'days', 'years', 'source']);
    return { stations, attribution: INMET_ATTRIBUTION };
  });

  app.get('/api/weather/stations/:stationId/daily', {
    schema: { tags, summary: 'Daily rain, temperature, humidity, radiation and wind of one station (UTC days)', params: StationParams, querystring: DailyQuery, response: { 200: media('daily values (application/json), or with format=csv one row per day', { 'application/json': DailyResponse, [CSV_MEDIA]: CsvText }), ...problemResponses } },
  }, async (req, reply) => {
    const station = await service.station(req.params.stationId);
    const from = req.query.from ?? station.firstDay!;
    const to = req.query.to ?? station.lastDay!;
    if (from > to) throw new GranaryError('bad-request', `from ${from} is after to ${to}`);
    const daily = await service.store().daily(station.id, from, to);
    if (wantsCsv(req.query.format)) return sendCsv(reply, `weather_${station.id}_${from}_${to}.csv`, daily.map((d) => ({ ...d })), DAILY_COLUMNS);
    return { station, daily };
  });

  const answer = async (lon: number, lat: number, q: Static<typeof SeasonQuery>, place: { regionId: string | null; name: string | null }) => {
    if (q.asOf && !Number.isFinite(Date.parse(`${q.asOf}T00:00:00Z`))) throw new GranaryError('bad-request', `asOf ${q.asOf} is not a date`);
    const r = await service.atPoint(lon, lat, { ...(q.season !== undefined ? { season: q.season } : {}), ...(q.asOf ? { asOf: q.asOf } : {}) });
    return { place: { lon, lat, ...place }, ...r, rules: service.describeRules(), attribution: INMET_ATTRIBUTION };
  };

  app.get('/api/weather/point', {
    schema: { tags, summary: 'Season-to-date rain, temperature, dry spells and hot days at the station nearest a field (with its distance); a reference only where enough years exist', querystring: PointQuery, response: { 200: SeasonResponse, ...problemResponses } },
  }, async (req) => {
    const region = app.regionAt(req.query.lon, req.query.lat);
    return answer(req.query.lon, req.query.lat, req.query, { regionId: region?.id ?? null, name: region?.name ?? null });
  });

  app.get('/api/weather/regions/:regionId', {
    schema: { tags, summary: 'Season-to-date weather for a municipality: the station nearest a point inside it (its distance given)', params: RegionParams, querystring: SeasonQuery, response: { 200: SeasonResponse, ...problemResponses } },
  }, async (req) => {
    const region = app.regions.get(req.params.regionId);
    const [lon, lat] = pointOnFeature(region).geometry.coordinates as [number, number];
    return answer(Math.round(lon * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5, req.query, { regionId: region.id, name: region.properties.name });
  });
};

export default fp(weatherRoutes, { name: 'granary-weather', dependencies: ['granary-regions', 'granary-region-lookup'] });
