/** GDAL_METADATA (TIFF tag 42112) XML, as GDAL's GTiff driver writes and reads it. */

export interface GdalBandMetadata {
  /** band description (GDAL `GetDescription()`, shown by gdalinfo as "Description") */
  description?: string;
  scale?: number;
  offset?: number;
  /** e.g. "m" or "%" */
  unitType?: string;
  /** other band-level items, e.g. `CLASS_NAMES` */
  items?: Readonly<Record<string, string | number>>;
}

export interface GdalMetadata {
  /** dataset-level items (default domain) */
  items?: Readonly<Record<string, string | number>>;
  /** per-band metadata, index 0 = band 1 */
  bands?: ReadonlyArray<GdalBandMetadata | undefined>;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function item(name: string, value: string | number, sample?: number, role?: string): string {
  if (name === '') throw new TypeError('GDAL metadata item names must not be empty');
  const attrs = `name="${escapeXml(name)}"${sample === undefined ? '' : ` sample="${sample}"`}${role ? ` role="${role}"` : ''}`;
  return `  <Item ${attrs}>${escapeXml(String(value))}</Item>\n`;
}

/** The XML for tag 42112, or null when there is nothing to write. */
export function gdalMetadataXml(md: GdalMetadata | undefined, bandCount: number): string | null {
  if (!md) return null;
  let body = '';
  for (const [k, v] of Object.entries(md.items ?? {})) body += item(k, v);
  const bands = md.bands ?? [];
  if (bands.length > bandCount) throw new RangeError(`gdalMetadata.bands has ${bands.length} entries for ${bandCount} bands`);
  bands.forEach((b, i) => {
    if (!b) return;
    for (const [k, v] of Object.entries(b.items ?? {})) body += item(k, v, i);
    if (b.offset !== undefined) body += item('OFFSET', b.offset, i, 'offset');
    if (b.scale !== undefined) body += item('SCALE', b.scale, i, 'scale');
    if (b.unitType !== undefined) body += item('UNITTYPE', b.unitType, i, 'unittype');
    if (b.description !== undefined) body += item('DESCRIPTION', b.description, i, 'description');
  });
  return body === '' ? null : `<GDALMetadata>\n${body}</GDALMetadata>\n`;
}
