/**
 * Exact-match property filters of OGC API - Features /items (`name=sinop`), parsed once against a
 * layer's property types and then applied either to features in memory (`matchesAll`) or translated
 * to SQL by a layer kept in a database (pg-crop-map.ts), with the same semantics:
 *   string   case-insensitive equality with a string value (values of other types never match)
 *   boolean  `true` / `false`, equal to a boolean value
 *   number   / integer: numeric equality (as JavaScript numbers)
 */
import { badRequest } from '../../errors.js';
import type { PropType, ServedFeature } from './layer-types.js';

export type PropertyFilter =
  | { key: string; type: 'string'; value: string /** lower case */ }
  | { key: string; type: 'boolean'; value: boolean }
  | { key: string; type: 'number'; value: number };

/**
 * The filters of a query: every key that is not `reserved` nor a layer parameter must be a property
 * of the layer (400 otherwise), with a value of its type (400 otherwise).
 */
export function parsePropertyFilters(
  layer: { id: string; params: Record<string, string> },
  properties: Record<string, { type: PropType }>,
  reserved: ReadonlySet<string>,
  q: Record<string, string | undefined>,
): PropertyFilter[] {
  const filters: PropertyFilter[] = [];
  for (const [key, raw] of Object.entries(q)) {
    // own properties only: a key named like an Object.prototype member (toString, constructor) is unknown
    if (reserved.has(key) || Object.hasOwn(layer.params, key)) continue;
    const value = raw ?? '';
    const prop = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (!prop) throw badRequest(`unknown property "${key.slice(0, 60)}" for collection ${layer.id}; filterable properties: ${Object.keys(properties).join(', ')}; other parameters: ${[...reserved, ...Object.keys(layer.params)].join(', ')}`);
    if (prop.type === 'string') filters.push({ key, type: 'string', value: value.toLowerCase() });
    else if (prop.type === 'boolean') {
      if (value !== 'true' && value !== 'false') throw badRequest(`property ${key} is boolean: use true or false`);
      filters.push({ key, type: 'boolean', value: value === 'true' });
    } else {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw badRequest(`property ${key} is numeric: "${value.slice(0, 40)}" is not a number`);
      filters.push({ key, type: 'number', value: n });
    }
  }
  return filters;
}

/** Whether a feature passes every filter (in memory). */
export function matchesAll(f: ServedFeature, filters: ReadonlyArray<PropertyFilter>): boolean {
  return filters.every((p) => {
    const v = f.properties[p.key];
    return p.type === 'string' ? typeof v === 'string' && v.toLowerCase() === p.value : v === p.value;
  });
}
