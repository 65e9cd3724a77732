/** Minimal classic-TIFF structure reader for layout tests (independent of the writer's code). */

interface IfdInfo {
  offset: number;
  /** end of the IFD entry table (out-of-line values may follow) */
  tableEnd: number;
  tags: Map<number, number[] | string>;
  /** TileOffsets or StripOffsets */
  blockOffsets: number[];
  blockByteCounts: number[];
}

interface TiffStructure {
  ifds: IfdInfo[];
  ghost: string | null;
}

const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 12: 8 };

export function readTiffStructure(buf: Buffer): TiffStructure {
  if (buf.toString('latin1', 0, 2) !== 'II' || buf.readUInt16LE(2) !== 42) throw new Error('not a little-endian classic TIFF');
  const first = buf.readUInt32LE(4);
  const ghostText = buf.toString('latin1', 8, Math.min(first, 8 + 43));
  const ghost = ghostText.startsWith('GDAL_STRUCTURAL_METADATA_SIZE=')
    ? buf.toString('latin1', 8, 8 + 43 + Number(ghostText.slice(30, 36)))
    : null;
  const ifds: IfdInfo[] = [];
  for (let offset = first; offset !== 0; ) {
    const n = buf.readUInt16LE(offset);
    const tags = new Map<number, number[] | string>();
    for (let i = 0; i < n; i++) {
      const p = offset + 2 + i * 12;
      const tag = buf.readUInt16LE(p);
      const type = buf.readUInt16LE(p + 2);
      const count = buf.readUInt32LE(p + 4);
      const size = (SIZES[type] ?? 1) * count;
      const at = size > 4 ? buf.readUInt32LE(p + 8) : p + 8;
      if (type === 2) {
        tags.set(tag, buf.toString('utf8', at, at + count - 1));
        continue;
      }
      const values: number[] = [];
      for (let k = 0; k < count; k++) {
        if (type === 3) values.push(buf.readUInt16LE(at + 2 * k));
        else if (type === 4) values.push(buf.readUInt32LE(at + 4 * k));
        else if (type === 12) values.push(buf.readDoubleLE(at + 8 * k));
        else values.push(buf[at + k] as number);
      }
      tags.set(tag, values);
    }
    const tableEnd = offset + 2 + n * 12 + 4;
    const num = (t: number): number[] => (tags.get(t) as number[] | undefined) ?? [];
    ifds.push({
      offset,
      tableEnd,
      tags,
      blockOffsets: tags.has(324) ? num(324) : num(273),
      blockByteCounts: tags.has(325) ? num(325) : num(279),
    });
    offset = buf.readUInt32LE(tableEnd - 4);
  }
  return { ifds, ghost };
}
