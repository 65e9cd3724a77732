/**
 * Weather stations on the map: the OGC collection `weather-stations` (INMET stations with data) as
 * small circles above the other layers; the station code and name show as the canvas tooltip on hover.
 */
import type { GMap } from './map';
import { getJson } from '../api';

interface StationFeature { type: 'Feature'; id: string; geometry: { type: 'Point'; coordinates: [number, number] }; properties: { stationId: string; name: string; lastDay: string | null } }

export async function addWeatherStations(map: GMap): Promise<number> {
  const fc = await getJson<{ type: 'FeatureCollection'; features: StationFeature[] }>('/collections/weather-stations/items?limit=1000').catch(() => null);
  if (!fc || fc.features.length === 0 || map.getSource('weather-stations')) return 0;
  map.addSource('weather-stations', { type: 'geojson', data: fc as never });
  map.addLayer({ id: 'weather-stations', type: 'circle', source: 'weather-stations', paint: { 'circle-radius': 4.5, 'circle-color': '#56b4e9', 'circle-stroke-color': '#0b3d5c', 'circle-stroke-width': 1.2 } });
  const canvas = map.getCanvas();
  map.on('mousemove', 'weather-stations', (e) => {
    const f = e.features?.[0] as unknown as StationFeature | undefined;
    canvas.title = f ? `INMET ${f.properties.stationId} ${f.properties.name}` : '';
  });
  map.on('mouseleave', 'weather-stations', () => {
    canvas.title = '';
  });
  return fc.features.length;
}
