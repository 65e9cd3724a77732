/**
 * A structural check of a TIFF before geotiff.js parses it: geotiff.js trusts the file, so an IFD
 * chain that loops (next IFD = itself) makes it walk forever, and a tag that declares billions of
 * values makes it allocate gigabytes. Here every IFD offset, entry count and out-of-line value
 * array must lie inside the file, the chain must end within MAX_IFDS and never revisit an IFD.
 * Only small reads (header, IFDs) through the given reader; works for local and remote sources.
 */
import { GranaryError } from '../errors.js';

/** More IFDs than any COG has (full resolution + 32 overviews + their masks). */
const MAX_IFDS = 128;
/** More tags than any TIFF writer puts in one IFD. */
const MAX_ENTRIES = 4096;

/** Bytes of one value of each TIFF field type (TIFF 6.0 + BigTIFF). */
const TYPE_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

type RangeReader = (offset: number, length: number) => Promise<ArrayBuffer>;

const corrupt = (detail: string) => new GranaryError('scene-unreadable', `corrupt TIFF: ${detail}`);

export async function checkTiffStructure(read: RangeReader, size: number): Promise<void> {
  if (size < 8) throw new GranaryError('scene-unreadable', `not a readable TIFF: the file has ${size} bytes`);
  const head = new DataView(await read(0, Math.min(16, size)));
  const order = String.fromCharCode(head.getUint8(0), head.getUint8(1));
  if (order !== 'II' && order !== 'MM') throw new GranaryError('scene-unreadable', 'not a readable TIFF: no II/MM byte-order mark');
  const le = order === 'II';
  const magic = head.getUint16(2, le);
  const big = magic === 43;
  if (magic !== 42 && !big) throw new GranaryError('scene-unreadable', `not a readable TIFF: version ${magic} (expected 42, or 43 for BigTIFF)`);
  if (big && (head.byteLength < 16 || head.getUint16(4, le) !== 8)) throw corrupt('bad BigTIFF header');

  const u64 = (v: DataView, at: number): number => {
    const n = v.getBigUint64(at, le);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('an offset beyond 2^53');
    return Number(n);
  };
  const countBytes = big ? 8 : 2;
  const entryBytes = big ? 20 : 12;
  const offBytes = big ? 8 : 4;
  const inlineBytes = big ? 8 : 4;

  let ifd = big ? u64(head, 8) : head.getUint32(4, le);
  const seen = new Set<number>();
  while (ifd !== 0) {
    if (seen.has(ifd)) throw corrupt(`the IFD chain loops (IFD at byte ${ifd} is visited twice)`);
    seen.add(ifd);
    if (seen.size > MAX_IFDS) throw corrupt(`more than ${MAX_IFDS} images (IFDs)`);
    if (ifd < 8 || ifd + countBytes > size) throw corrupt(`an IFD at byte ${ifd} lies outside the file (${size} bytes)`);
    const cv = new DataView(await read(ifd, countBytes));
    const n = big ? u64(cv, 0) : cv.getUint16(0, le);
    if (n === 0 || n > MAX_ENTRIES) throw corrupt(`an IFD declares ${n} entries`);
    const len = countBytes + n * entryBytes + offBytes;
    if (ifd + len > size) throw corrupt(`the IFD at byte ${ifd} (${n} entries) runs past the end of the file (${size} bytes)`);
    const v = new DataView(await read(ifd, len));
    for (let i = 0; i < n; i++) {
      const e = countBytes + i * entryBytes;
      const tag = v.getUint16(e, le);
      const type = v.getUint16(e + 2, le);
      const count = big ? u64(v, e + 4) : v.getUint32(e + 4, le);
      const unit = TYPE_BYTES[type];
      if (unit === undefined) continue; // unknown types are skipped (TIFF 6.0), geotiff.js ignores them too
      const bytes = unit * count;
      if (bytes <= inlineBytes) continue;
      const at = big ? u64(v, e + 4 + 8) : v.getUint32(e + 8, le);
      if (!Number.isSafeInteger(bytes) || at + bytes > size) throw corrupt(`tag ${tag} declares ${count} values (${bytes} bytes at byte ${at}), past the end of the file (${size} bytes)`);
    }
    ifd = big ? u64(v, countBytes + n * entryBytes) : v.getUint32(countBytes + n * entryBytes, le);
  }
}
