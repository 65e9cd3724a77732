/** Classic little-endian TIFF IFD serialization. */

export type TagType = 'ASCII' | 'SHORT' | 'LONG' | 'DOUBLE';

export interface TagEntry {
  tag: number;
  type: TagType;
  /** numbers for SHORT/LONG/DOUBLE; a string (NUL appended on write; UTF-8, as GDAL writes) for ASCII */
  value: ArrayLike<number> | string;
}

const TYPE_CODE: Record<TagType, number> = { ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12 };
const TYPE_SIZE: Record<TagType, number> = { ASCII: 1, SHORT: 2, LONG: 4, DOUBLE: 8 };

const MAX_CLASSIC_TIFF_SIZE = 0xffffffff;

/** Throws a RangeError when a file of `bytes` bytes cannot be addressed by classic (32-bit offset) TIFF. */
export function assertClassicTiffSize(bytes: number): void {
  if (bytes > MAX_CLASSIC_TIFF_SIZE) {
    throw new RangeError(
      `GeoTIFF would be ${bytes} bytes: classic TIFF is limited to 4 GiB and this writer does not produce BigTIFF ` +
        '(write smaller files, use compression, or fewer overview levels)',
    );
  }
}

function countOf(e: TagEntry): number {
  if (typeof e.value !== 'string') return e.value.length;
  return Buffer.byteLength(e.value, 'utf8') + 1;
}

const align2 = (n: number): number => n + (n & 1);

/** Bytes taken by an IFD and its out-of-line values (each value word-aligned). */
export function ifdByteSize(entries: readonly TagEntry[]): number {
  let size = 2 + entries.length * 12 + 4;
  for (const e of entries) {
    const bytes = countOf(e) * TYPE_SIZE[e.type];
    if (bytes > 4) size = align2(size + bytes);
  }
  return size;
}

/** Writes an IFD at `offset` (its out-of-line values right after it). Entries must be sorted by tag. */
export function writeIfd(buf: Buffer, offset: number, entries: readonly TagEntry[], nextIfd: number): number {
  let pos = offset;
  buf.writeUInt16LE(entries.length, pos);
  pos += 2;
  let extra = offset + 2 + entries.length * 12 + 4;
  let lastTag = -1;
  for (const e of entries) {
    if (e.tag <= lastTag) throw new Error(`TIFF tags out of order: ${e.tag} after ${lastTag}`);
    lastTag = e.tag;
    const count = countOf(e);
    const bytes = count * TYPE_SIZE[e.type];
    buf.writeUInt16LE(e.tag, pos);
    buf.writeUInt16LE(TYPE_CODE[e.type], pos + 2);
    buf.writeUInt32LE(count, pos + 4);
    let at = pos + 8;
    if (bytes > 4) {
      buf.writeUInt32LE(extra, pos + 8);
      at = extra;
      extra = align2(extra + bytes);
    }
    writeValues(buf, at, e);
    pos += 12;
  }
  buf.writeUInt32LE(nextIfd, pos);
  return extra;
}

function writeValues(buf: Buffer, at: number, e: TagEntry): void {
  const v = e.value;
  if (typeof v === 'string') {
    buf.write(v, at, 'utf8');
    buf[at + Buffer.byteLength(v, 'utf8')] = 0;
    return;
  }
  const size = TYPE_SIZE[e.type];
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    const p = at + i * size;
    if (e.type === 'SHORT') buf.writeUInt16LE(x, p);
    else if (e.type === 'LONG') buf.writeUInt32LE(x, p);
    else buf.writeDoubleLE(x, p);
  }
}
