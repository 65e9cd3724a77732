/** The `weather-stations` collection: INMET stations with data (points), declared like the other layers. */
import type { FastifyInstance } from 'fastify';
import type { LayerDef, LayerSnapshot, PropType, ServedFeature } from './layer-types.js';
import { finishSnapshot } from './snapshot.js';

const PROPS: Record<string, { type: PropType; description: string }> = {
  stationId: { type: 'string', description: 'INMET station code' },
  name: { type: 'string', description: 'station name' },
  firstDay: { type: 'string', description: 'first day with data' },
  lastDay: { type: 'string', description: 'last day with data' },
  days: { type: 'integer', description: 'days with data' },
  source: { type: 'string', description: 'bundled daily file and/or imports' },
};

export function weatherStationsLayer(app: FastifyInstance): LayerDef {
  return {
    id: 'weather-stations',
    title: 'Weather stations (INMET)',
    description: 'INMET automatic weather stations with daily data (bundled 2025 file plus granary weather add imports). Daily values: GET /api/weather/stations/{id}/daily. Fonte: INMET.',
    params: {},
    tabular: true,
    available: async () => (await app.weather.stations()).length > 0,
    snapshot: async (): Promise<LayerSnapshot> => {
      const stations = await app.weather.stations();
      const features: ServedFeature[] = stations.map((s) => ({
        id: s.id,
        geometry: { type: 'Point', coordinates: [Math.round(s.lon * 1e6) / 1e6, Math.round(s.lat * 1e6) / 1e6] },
        bbox: [s.lon, s.lat, s.lon, s.lat],
        properties: { stationId: s.id, name: s.name, firstDay: s.firstDay, lastDay: s.lastDay, days: s.days, source: s.source },
        ...(s.firstDay && s.lastDay ? { interval: [s.firstDay, s.lastDay] as [string, string] } : {}),
      }));
      const days = stations.flatMap((s) => [s.firstDay, s.lastDay]).filter((d): d is string => !!d).sort();
      return finishSnapshot({
        title: 'Weather stations (INMET)',
        description: 'INMET automatic stations with daily data',
        features,
        properties: PROPS,
        params: {},
        filename: 'weather-stations',
        csvColumns: ['stationId', 'name', 'firstDay', 'lastDay', 'days', 'source'],
        geometryType: 'Point',
      }, days.length ? [days[0]!, days[days.length - 1]!] : null);
    },
  };
}
