/**
 * The crops the server is configured for (GET /api/crops): names, labels per language, the crop-map
 * classes that contain each crop. The dashboard never lists crops of its own, so a server configured
 * for other crops shows those.
 */
import type { CropsResponse } from '../../server/contract/index';
import { getLang } from './i18n';

export type CropInfo = CropsResponse['crops'][number];

let known: CropInfo[] = [];
let regions: Pick<CropsResponse, 'regionsTitle' | 'areaName' | 'sources'> = { regionsTitle: '', areaName: '', sources: [] };

/** Remembers the server's configuration (once, at start): the crop list for the labels, the regions' title and sources. */
export function setCrops(body: Pick<CropsResponse, 'crops' | 'regionsTitle' | 'areaName' | 'sources'>): void {
  known = body.crops;
  regions = { regionsTitle: body.regionsTitle, areaName: body.areaName, sources: body.sources };
}

/** The place the regions make up (a proper name, the same in every language), heading its totals. */
export function areaName(): string {
  return regions.areaName;
}

/** The configuration's data sources as one line, as their providers name them. */
export function sourcesLine(): string {
  return regions.sources.join(', ');
}

/** The crop's name for people in the page's language, from the server's configuration; else the crop name. */
export function cropLabel(crop: string): string {
  const labels = known.find((c) => c.crop === crop)?.labels ?? {};
  const tag = getLang() === 'pt' ? 'pt-BR' : 'en';
  return labels[tag] ?? labels[tag.slice(0, 2)] ?? labels.en ?? crop;
}

/** The configured crops a crop-map class contains, in the configuration's order (e.g. Soy_Corn -> soy, maize). */
export function cropsOfClass(className: string, list: readonly CropInfo[] = known): string[] {
  return list.filter((c) => c.mapClasses.includes(className)).map((c) => c.crop);
}
