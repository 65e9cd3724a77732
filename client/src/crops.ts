/**
 * The crops the server is configured for (GET /api/crops): names, labels per language, the crop-map
 * classes that contain each crop. The dashboard never lists crops of its own, so a server configured
 * for other crops shows those.
 */
import type { CropsResponse } from '../../server/contract/index';
import { getLang } from './i18n';

export type CropInfo = CropsResponse['crops'][number];

let known: CropInfo[] = [];

/** Remembers the server's crop list (once, at start) for the labels. */
export function setCrops(list: CropInfo[]): void {
  known = list;
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
