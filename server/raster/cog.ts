/**
 * Opening a (Cloud Optimized) GeoTIFF: structure, georeference, per-band metadata and the overview
 * levels, read through our `Source` so the same code serves local files and HTTP range requests.
 *
 * Hostile files are refused here, before any pixel is decoded: huge declared sizes, unsupported
 * sample formats, rotated georeferences, no CRS.
 */
import { GeoTIFF, BaseDecoder, getDecoder, type GeoTIFFImage } from 'geotiff';
import { BaseSource } from './geotiff-base-source.js';
import { registerNativeDecoders } from './decoders.js';
import { checkTiffStructure } from './tiff-guard.js';
import type { CrsInfo } from '../geo/crs.js';
import { crsFromGeoKeys, UnknownCrsError } from '../geo/geokeys.js';
import { GranaryError } from '../errors.js';
import { findTagsByName, getAttribute } from 'xml-utils';
import type { Source } from './source.js';

export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
/** GDAL-style geotransform: [originX, pixelWidth, 0, originY, 0, pixelHeight (negative for north-up)] */
export type GeoTransform = readonly [number, number, number, number, number, number];

interface BandInfo {
  description: string | null;
  scale: number | null;
  offset: number | null;
  /** Band-level GDAL metadata items other than DESCRIPTION/SCALE/OFFSET */
  metadata: Record<string, string>;
}

export interface Level {
  /** IFD index inside the file */
  ifd: number;
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  image: GeoTIFFImage;
}

export interface CogInfo {
  width: number;
  height: number;
  bandCount: number;
  dtype: DType;
  geotransform: GeoTransform;
  crs: CrsInfo;
  nodata: number | null;
  planar: 1 | 2;
  tiled: boolean;
  compression: number;
  /** TIFF PhotometricInterpretation (2 = RGB) */
  photometric: number;
  bands: BandInfo[];
  metadata: Record<string, string>;
  /** level 0 is full resolution, then overviews from finest to coarsest */
  levels: Array<Omit<Level, 'image'>>;
}

export interface CogHandle {
  info: CogInfo;
  source: Source;
  levels: Level[];
  decoder: BaseDecoder;
  littleEndian: boolean;
}

/** Limits that keep a hostile file from exhausting memory. */
const LIMITS = { maxDimension: 1_000_000, maxBands: 1024, maxBlockBytes: 256 * 1024 * 1024, maxLevels: 32 };

const SAMPLE_FORMAT: Record<string, DType> = {
  '1:8': 'uint8', '2:8': 'int8', '1:16': 'uint16', '2:16': 'int16', '1:32': 'uint32', '2:32': 'int32', '3:32': 'float32', '3:64': 'float64',
};

const unreadable = (detail: string) => new GranaryError('scene-unreadable', detail);

function dtypeOf(image: GeoTIFFImage): DType {
  const fd = image.getFileDirectory();
  const bits = (fd.getValue('BitsPerSample') as number[] | undefined) ?? [1];
  const formats = (fd.getValue('SampleFormat') as number[] | undefined) ?? [1];
  const b0 = bits[0] ?? 1;
  if (bits.some((b) => b !== b0)) throw unreadable(`bands with different bit depths (${bits.join(',')}) are not supported`);
  const f0 = formats[0] ?? 1;
  const d = SAMPLE_FORMAT[`${f0}:${b0}`];
  if (!d) throw unreadable(`unsupported sample type (SampleFormat ${f0}, ${b0} bits)`);
  return d;
}

function parseNumber(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

async function makeDecoder(image: GeoTIFFImage): Promise<BaseDecoder> {
  // geotiff.js does not export its decoder-parameter lookup; this mirrors its default
  // (plus the JPEG/LERC extras) so that we can decode blocks through our own LRU.
  const fd = image.getFileDirectory();
  const compression = (fd.getValue('Compression') as number | undefined) ?? 1;
  const tiled = !fd.hasTag('StripOffsets');
  const params: Record<string, unknown> = {
    tileWidth: tiled ? await fd.loadValue('TileWidth') : await fd.loadValue('ImageWidth'),
    tileHeight: tiled ? await fd.loadValue('TileLength') : ((await fd.loadValue('RowsPerStrip')) || (await fd.loadValue('ImageLength'))),
    planarConfiguration: await fd.loadValue('PlanarConfiguration'),
    bitsPerSample: await fd.loadValue('BitsPerSample'),
    predictor: (await fd.loadValue('Predictor')) || 1,
  };
  if (compression === 7) params.JPEGTables = await fd.loadValue('JPEGTables');
  if (compression === 34887) params.LercParameters = await fd.loadValue('LercParameters');
  try {
    return await getDecoder(compression, params as never);
  } catch (e) {
    throw unreadable(`unsupported TIFF compression ${compression}: ${(e as Error).message}`);
  }
}

function checkImage(image: GeoTIFFImage, what: string): void {
  const w = image.getWidth();
  const h = image.getHeight();
  if (!(w > 0 && h > 0 && w <= LIMITS.maxDimension && h <= LIMITS.maxDimension)) throw unreadable(`${what} declares an implausible size ${w}x${h}`);
  const tw = image.getTileWidth();
  const th = image.getTileHeight();
  if (!(tw > 0 && th > 0)) throw unreadable(`${what} declares an invalid block size ${tw}x${th}`);
  const bytes = tw * th * image.getBytesPerPixel();
  if (bytes > LIMITS.maxBlockBytes) throw unreadable(`${what} declares blocks of ${bytes} bytes (limit ${LIMITS.maxBlockBytes})`);
}

/** Opens a COG and reads its structure; throws GranaryError('scene-unreadable') with the reason. */
export async function openCog(source: Source): Promise<CogHandle> {
  registerNativeDecoders();
  let tiff: GeoTIFF;
  try {
    const base = new BaseSource(source);
    // IFD loops and lying tag counts are refused before geotiff.js walks them (tiff-guard.ts)
    await checkTiffStructure(async (offset, length) => (await base.fetch([{ offset, length }]))[0]!, source.size);
    tiff = await GeoTIFF.fromSource(base as never, { cache: false });
  } catch (e) {
    throw e instanceof GranaryError ? e : unreadable(`not a readable TIFF: ${(e as Error).message}`);
  }
  try {
    const count = await tiff.getImageCount();
    if (count < 1 || count > 1 + LIMITS.maxLevels * 2) throw unreadable(`the file has ${count} images`);
    const first = await tiff.getImage(0);
    checkImage(first, 'the image');
    const bandCount = first.getSamplesPerPixel();
    if (bandCount < 1 || bandCount > LIMITS.maxBands) throw unreadable(`the file declares ${bandCount} bands (at most ${LIMITS.maxBands} are accepted)`);
    const dtype = dtypeOf(first);
    let crs: CrsInfo;
    try {
      crs = crsFromGeoKeys(first.getGeoKeys() as Record<string, unknown> | null);
    } catch (e) {
      if (e instanceof UnknownCrsError) throw unreadable(`unknown CRS: ${e.message}`);
      throw e;
    }
    let origin: number[];
    let res: number[];
    try {
      origin = first.getOrigin();
      res = first.getResolution();
    } catch (e) {
      throw unreadable(`no usable georeference: ${(e as Error).message}`);
    }
    const fd = first.getFileDirectory();
    const mt = fd.getValue('ModelTransformation') as number[] | undefined;
    if (mt && (Math.abs(mt[1] ?? 0) > 1e-12 || Math.abs(mt[4] ?? 0) > 1e-12)) throw unreadable('rotated or sheared georeferences are not supported');
    const [ox, oy] = origin as [number, number];
    const [rx, ry] = res as [number, number];
    if (![ox, oy, rx, ry].every(Number.isFinite) || rx === 0 || ry === 0) throw unreadable('invalid georeference (origin or pixel size)');

    const gdal = await gdalMetadata(first);
    const bands: BandInfo[] = [];
    for (let b = 0; b < bandCount; b++) {
      const { DESCRIPTION, SCALE, OFFSET, ...rest } = gdal.bands.get(b) ?? {};
      bands.push({
        description: typeof DESCRIPTION === 'string' && DESCRIPTION.length > 0 ? DESCRIPTION : null,
        scale: parseNumber(SCALE),
        offset: parseNumber(OFFSET),
        metadata: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)])),
      });
    }
    const dsMeta = gdal.dataset;

    // Overviews: reduced-resolution subfiles (NewSubfileType bit 0), skipping masks (bit 2).
    const levels: Level[] = [{ ifd: 0, width: first.getWidth(), height: first.getHeight(), tileWidth: first.getTileWidth(), tileHeight: first.getTileHeight(), image: first }];
    for (let i = 1; i < count; i++) {
      const img = await tiff.getImage(i);
      const subfile = (img.getFileDirectory().getValue('NewSubfileType') as number | undefined) ?? 0;
      if ((subfile & 4) !== 0) continue; // mask
      if (img.getSamplesPerPixel() !== bandCount) continue;
      checkImage(img, `overview ${i}`);
      if (img.getWidth() >= (levels[levels.length - 1]?.width ?? Infinity)) continue;
      levels.push({ ifd: i, width: img.getWidth(), height: img.getHeight(), tileWidth: img.getTileWidth(), tileHeight: img.getTileHeight(), image: img });
    }
    const decoder = await makeDecoder(first);
    const info: CogInfo = {
      width: first.getWidth(),
      height: first.getHeight(),
      bandCount,
      dtype,
      geotransform: [ox, rx, 0, oy, 0, ry],
      crs,
      nodata: first.getGDALNoData(),
      planar: first.planarConfiguration,
      tiled: first.isTiled,
      compression: (fd.getValue('Compression') as number | undefined) ?? 1,
      photometric: (fd.getValue('PhotometricInterpretation') as number | undefined) ?? 1,
      bands,
      metadata: Object.fromEntries(Object.entries(dsMeta).map(([k, v]) => [k, String(v)])),
      levels: levels.map(({ image: _image, ...l }) => l),
    };
    return { info, source, levels, decoder, littleEndian: tiff.littleEndian };
  } catch (e) {
    throw e instanceof GranaryError ? e : unreadable(`corrupt TIFF: ${(e as Error).message}`);
  }
}

/**
 * Checks that every block of every level lies inside the file (a truncated COG often keeps its
 * header and overviews intact). Reads the offset arrays in full, so it is for registration, not for
 * every open.
 */
export async function checkBlockRanges(h: CogHandle): Promise<void> {
  const size = h.source.size;
  for (const level of h.levels) {
    const fd = level.image.getFileDirectory();
    const tiled = !fd.hasTag('StripOffsets');
    const offsets = (await fd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as ArrayLike<number | bigint> | undefined;
    const counts = (await fd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number | bigint> | undefined;
    if (!offsets || !counts || offsets.length !== counts.length) throw unreadable(`level ${level.ifd} has no usable block offsets`);
    const blocks = Math.ceil(level.width / level.tileWidth) * Math.ceil(level.height / level.tileHeight) * (h.info.planar === 2 ? h.info.bandCount : 1);
    if (offsets.length !== blocks) throw unreadable(`image ${level.ifd} (${level.width}x${level.height} in blocks of ${level.tileWidth}x${level.tileHeight}) needs ${blocks} block offsets but lists ${offsets.length}`);
    for (let i = 0; i < offsets.length; i++) {
      const end = Number(offsets[i]) + Number(counts[i]);
      if (end > size) throw unreadable(`block ${i} of image ${level.ifd} ends at byte ${end}, past the end of the file (${size} bytes): the file is truncated or corrupt`);
    }
  }
}

/**
 * The GDAL_METADATA tag's items, per band (`sample`) and for the dataset, read in one pass.
 * geotiff.js's `getGDALMetadata(sample)` parses the whole XML for every call, so a 23-band file
 * parsed it 24 times on open (some 10 ms of a fresh worker's first tile); this is the same reading
 * (items with a `sample` attribute belong to that band, the others to the dataset) done once.
 */
async function gdalMetadata(image: GeoTIFFImage): Promise<{ dataset: Record<string, string>; bands: Map<number, Record<string, string>> }> {
  const dataset: Record<string, string> = {};
  const bands = new Map<number, Record<string, string>>();
  if (!image.fileDirectory.hasTag('GDAL_METADATA')) return { dataset, bands };
  const xml = String(await image.fileDirectory.loadValue('GDAL_METADATA'));
  for (const item of findTagsByName(xml, 'Item')) {
    const sample = getAttribute(item, 'sample');
    const into = sample === undefined ? dataset : (bands.get(Number(sample)) ?? bands.set(Number(sample), {}).get(Number(sample))!);
    const name = getAttribute(item, 'name');
    if (name !== undefined) into[name] = item.inner ?? '';
  }
  return { dataset, bands };
}
