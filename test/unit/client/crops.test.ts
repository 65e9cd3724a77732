/** The dashboard's copy of the server's configuration (client/src/crops.ts): labels, the regions' title and sources. */
import { describe, expect, it } from 'vitest';
import { areaName, cropLabel, setCrops, sourcesLine } from '../../../client/src/crops';

describe('configuration from GET /api/crops', () => {
  it('takes the area name and the sources from the server, not from the code', () => {
    setCrops({
      regionsTitle: 'Municipalities under the MODIS scenes',
      areaName: 'Mato Grosso',
      sources: ['IBGE municipal boundaries', 'IBGE PAM, milho'],
      crops: [{ crop: 'safrinha-corn', labels: { en: 'Second-crop corn' }, mapClasses: [], years: [2000, 2024] }],
    });
    expect(areaName()).toBe('Mato Grosso');
    expect(sourcesLine()).toBe('IBGE municipal boundaries, IBGE PAM, milho');
    expect(cropLabel('safrinha-corn')).toBe('Second-crop corn');
  });

  it('says nothing of a region when the configuration names no title', () => {
    setCrops({ regionsTitle: '', areaName: '', sources: [], crops: [] });
    expect(areaName()).toBe('');
    expect(sourcesLine()).toBe('');
  });
});
