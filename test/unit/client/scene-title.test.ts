/**
 * Scene titles (client/src/i18n.ts sceneTitle): the place comes from the title the scene was registered
 * with (the scene catalog), the description of the bundled scenes from the dashboard's catalog, so a
 * scene registered elsewhere is named after its own place in both languages.
 */
import { afterAll, describe, expect, it } from 'vitest';

// setLang writes <html lang>: a stand-in document for Node
(globalThis as { document?: unknown }).document = { documentElement: {} };
const { sceneTitle, setLang } = await import('../../../client/src/i18n');

describe('sceneTitle', () => {
  afterAll(() => setLang('en'));
  it('takes the place from the registered title and the description from the catalog', () => {
    setLang('pt');
    expect(sceneTitle('sinop', 'Sinop, Mato Grosso: MODIS NDVI and EVI, season 2013-14')).toBe('Sinop, Mato Grosso: MODIS NDVI e EVI, safra 2013-14');
    expect(sceneTitle('sinop', 'Rio Verde, Goiás: MODIS NDVI and EVI, season 2013-14')).toBe('Rio Verde, Goiás: MODIS NDVI e EVI, safra 2013-14');
    expect(sceneTitle('sinop-sos', 'Rio Verde, Goiás: MODIS NDVI and EVI, season 2013-14: start of season')).toBe('Rio Verde, Goiás: MODIS NDVI e EVI, safra 2013-14: início da safra (dias desde 1º de setembro)');
    expect(sceneTitle('elsewhere', 'Chaco: Sentinel-2')).toBe('Chaco: Sentinel-2');
    setLang('en');
    expect(sceneTitle('ipiranga', 'Ipiranga do Norte, Mato Grosso: MODIS 6 variables, seasons 2007-2013')).toBe('Ipiranga do Norte, Mato Grosso: MODIS, 6 variables, seasons 2007-2013');
    expect(sceneTitle('sinop')).toBe('MODIS NDVI and EVI, season 2013-14');
  });
});
