/**
 * Cloud Optimized GeoTIFF writer: classic little-endian TIFF, tiled (or one strip), DEFLATE via node:zlib with
 * predictor 2 (integers) / 3 (floats), internal overviews, GeoKeys, GDAL_NODATA, GDAL_METADATA and palettes.
 * geotiff.js cannot write tiled or compressed TIFFs (see shared STACK-NOTES "Rasters").
 *
 * Layout (what GDAL's COG driver writes, and what its validate_cloud_optimized_geotiff.py checks): header, GDAL's
 * structural-metadata "ghost area", all IFDs (full resolution first, then overviews largest to smallest), then the
 * blocks of the smallest overview first and of the full resolution last, each in TIFF strile order, each preceded
 * by its size as a uint32 and followed by a repeat of its last 4 bytes (so GDAL reports LAYOUT=COG).
 *
 * Palettes: TIFF allows a ColorMap only with SamplesPerPixel = 1, so `colorMap` needs exactly one Uint8 band.
 * To publish a class map with a confidence layer, write two files: `class.tif` (one Uint8 band, `colorMap`,
 * band items such as `CLASS_NAMES`) and `confidence.tif`. A single two-band file ("class", "confidence") is fine
 * without a palette: put the class names and colours in band metadata items and colour it when rendering.
 */
import { encodeBlocks } from './tiff/blocks.js';
import { gdalMetadataXml, type GdalMetadata } from './tiff/gdal-metadata.js';
import { encodeGeoKeys, geoKeysForEpsg, GT_RASTER_TYPE_PIXEL_IS_POINT, type GeoKeys } from './tiff/geokeys.js';
import { assertClassicTiffSize, ifdByteSize, writeIfd, type TagEntry } from './tiff/ifd.js';
import { downsample, overviewFactors, overviewSize, type OverviewResampling } from './tiff/overviews.js';
import { sampleTypeOf, type RasterArray } from './tiff/types.js';

export type { GdalMetadata } from './tiff/gdal-metadata.js';
export type { GeoKeys } from './tiff/geokeys.js';
export type { RasterArray } from './tiff/types.js';
export { geoKeysForEpsg } from './tiff/geokeys.js';
export { assertClassicTiffSize } from './tiff/ifd.js';

/** GDAL geotransform: [originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight (negative)]. */
export type Geotransform = readonly [number, number, number, number, number, number];

/** Palette entry, components 0-255; a 4th (alpha) component is ignored (TIFF palettes have no alpha). */
export type ColorMapEntry = readonly [number, number, number] | readonly [number, number, number, number];

export interface OverviewOptions {
  /** decimation factors (e.g. [2, 4, 8]), or 'auto': halve until the overview fits in one tile */
  levels: readonly number[] | 'auto';
  /** default 'nearest'; use 'mode' for classes, 'average' for continuous values */
  resampling?: OverviewResampling;
}

export interface GeoTiffWriteOptions {
  width: number;
  height: number;
  /** one array per band, all of the same type, each width*height samples in row-major order */
  bands: readonly RasterArray[];
  /** 1 = pixel-interleaved (default), 2 = band-interleaved */
  planarConfiguration?: 1 | 2;
  /** tile edge in pixels, a multiple of 16 (default 256), or 'strip' for one untiled strip (small images) */
  tileSize?: number | 'strip';
  /** default 'deflate' */
  compression?: 'deflate' | 'none';
  /** zlib level 0-9, default 6 */
  deflateLevel?: number;
  /** with deflate: predictor 2 for integer bands, 3 (floating point) for float bands; default true */
  predictor?: boolean;
  geotransform?: Geotransform;
  /** CRS as an EPSG code (exclusive with geoKeys) */
  epsg?: number;
  /** whether `epsg` is geographic or projected; default: codes 4000-4999 are geographic */
  epsgKind?: 'projected' | 'geographic';
  /** GeoKeys copied verbatim, e.g. from `image.getGeoKeys()` of a source file (exclusive with epsg) */
  geoKeys?: GeoKeys;
  /** dataset nodata (GDAL_NODATA); NaN is written as "nan"; also fills padding of edge tiles */
  nodata?: number;
  gdalMetadata?: GdalMetadata;
  /** palette for a single Uint8 band (up to 256 entries; missing entries are black) */
  colorMap?: readonly ColorMapEntry[];
  overviews?: OverviewOptions;
}

interface Image {
  width: number;
  height: number;
  bands: readonly RasterArray[];
  blocks: Buffer[];
  entries: TagEntry[];
  offsets: number[];
}

const GHOST_BODY =
  'LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nBLOCK_LEADER=SIZE_AS_UINT4\n' +
  'BLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ';
const GHOST = `GDAL_STRUCTURAL_METADATA_SIZE=${String(GHOST_BODY.length).padStart(6, '0')} bytes\n${GHOST_BODY}`;

/** Writes a Cloud Optimized GeoTIFF into a Buffer (synchronous, no I/O). */
export function writeGeoTiff(opts: GeoTiffWriteOptions): Buffer {
  const { width, height, bands } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`invalid raster size ${width}x${height}`);
  }
  const first = bands[0];
  if (!first) throw new TypeError('at least one band is required');
  const type = sampleTypeOf(first);
  for (const [i, b] of bands.entries()) {
    if (b.constructor !== first.constructor) throw new TypeError(`band ${i + 1} is a ${b.constructor.name}, band 1 a ${first.constructor.name}`);
    if (b.length !== width * height) throw new RangeError(`band ${i + 1} has ${b.length} samples, expected ${width * height}`);
  }
  const spp = bands.length;
  if (spp > 65535) throw new RangeError('too many bands');
  const planar = opts.planarConfiguration ?? 1;
  if (planar !== 1 && planar !== 2) throw new RangeError('planarConfiguration must be 1 or 2');
  const strip = opts.tileSize === 'strip';
  const tileSize = strip ? 256 : (opts.tileSize ?? 256);
  if (typeof tileSize !== 'number' || !Number.isInteger(tileSize) || tileSize < 16 || tileSize % 16 !== 0) {
    throw new RangeError(`tileSize must be a positive multiple of 16 or 'strip', got ${String(opts.tileSize)}`);
  }
  const compression = opts.compression ?? 'deflate';
  if (compression !== 'deflate' && compression !== 'none') throw new TypeError(`unsupported compression "${String(compression)}"`);
  const deflateLevel = opts.deflateLevel ?? 6;
  if (!Number.isInteger(deflateLevel) || deflateLevel < 0 || deflateLevel > 9) throw new RangeError('deflateLevel must be 0-9');
  const predictor = compression === 'deflate' && (opts.predictor ?? true) ? (type.format === 3 ? 3 : 2) : 1;

  const nodata = opts.nodata;
  if (nodata !== undefined && type.format !== 3 && (!Number.isInteger(nodata) || nodata < type.min || nodata > type.max)) {
    throw new RangeError(`nodata ${nodata} is not representable in ${first.constructor.name}`);
  }
  if (opts.colorMap && (spp !== 1 || !(first instanceof Uint8Array))) {
    throw new TypeError('colorMap needs exactly one Uint8 band (TIFF palettes require SamplesPerPixel = 1); write other bands to a second file');
  }
  if (opts.epsg !== undefined && opts.geoKeys) throw new TypeError('give either epsg or geoKeys, not both');
  const geoKeys = opts.geoKeys ?? (opts.epsg !== undefined ? geoKeysForEpsg(opts.epsg, opts.epsgKind) : undefined);

  // Images: full resolution, then overviews from largest to smallest.
  const images: Image[] = [{ width, height, bands, blocks: [], entries: [], offsets: [] }];
  if (opts.overviews) {
    const resampling = opts.overviews.resampling ?? 'nearest';
    if (!['nearest', 'mode', 'average'].includes(resampling)) throw new TypeError(`unknown resampling "${resampling}"`);
    for (const f of overviewFactors(width, height, opts.overviews.levels, tileSize)) {
      const [ow, oh] = overviewSize(width, height, f);
      images.push({ width: ow, height: oh, bands: bands.map((b) => downsample(b, width, height, f, resampling, nodata)), blocks: [], entries: [], offsets: [] });
    }
  }
  if (compression === 'none') {
    let raw = 0;
    for (const img of images) {
      raw += strip ? img.width * img.height * spp * (type.bits / 8) : Math.ceil(img.width / tileSize) * Math.ceil(img.height / tileSize) * tileSize * tileSize * spp * (type.bits / 8);
    }
    assertClassicTiffSize(raw);
  }

  const fill = nodata ?? 0;
  const nodataText = nodata === undefined ? null : Number.isNaN(nodata) ? 'nan' : nodata === Infinity ? 'inf' : nodata === -Infinity ? '-inf' : String(nodata);
  const xml = gdalMetadataXml(opts.gdalMetadata, spp);
  const geo = geoKeys ? encodeGeoKeys(geoKeys) : null;
  const pixelIsPoint = geoKeys?.GTRasterTypeGeoKey === GT_RASTER_TYPE_PIXEL_IS_POINT;
  const colorMap = opts.colorMap ? colorMapValues(opts.colorMap) : null;

  images.forEach((img, level) => {
    const bw = strip ? img.width : tileSize;
    const bh = strip ? img.height : tileSize;
    img.blocks = encodeBlocks(img.bands, img.width, img.height, {
      blockWidth: bw, blockHeight: bh, planar, predictor, deflateLevel: compression === 'deflate' ? deflateLevel : null, fill,
    });
    img.offsets = new Array<number>(img.blocks.length).fill(0);
    const e: TagEntry[] = [];
    const short = (tag: number, value: number | number[]): number => e.push({ tag, type: 'SHORT', value: typeof value === 'number' ? [value] : value });
    const long = (tag: number, value: number | number[]): number => e.push({ tag, type: 'LONG', value: typeof value === 'number' ? [value] : value });
    if (level > 0) long(254, 1); // NewSubfileType: reduced-resolution image
    long(256, img.width);
    long(257, img.height);
    short(258, new Array<number>(spp).fill(type.bits));
    short(259, compression === 'deflate' ? 8 : 1);
    short(262, colorMap ? 3 : 1); // Palette or MinIsBlack
    short(277, spp);
    short(284, planar);
    if (predictor !== 1) short(317, predictor);
    if (colorMap) short(320, colorMap);
    const byteCounts = img.blocks.map((b) => b.length);
    if (strip) {
      long(273, img.offsets);
      long(278, img.height);
      long(279, byteCounts);
    } else {
      long(322, tileSize);
      long(323, tileSize);
      long(324, img.offsets);
      long(325, byteCounts);
    }
    if (spp > 1) short(338, new Array<number>(spp - 1).fill(0)); // ExtraSamples: unspecified
    short(339, new Array<number>(spp).fill(type.format));
    if (level === 0) {
      if (opts.geotransform) e.push(...georeferenceTags(opts.geotransform, pixelIsPoint));
      if (geo) {
        short(34735, geo.directory);
        if (geo.doubles.length > 0) e.push({ tag: 34736, type: 'DOUBLE', value: geo.doubles });
        if (geo.ascii.length > 0) e.push({ tag: 34737, type: 'ASCII', value: geo.ascii });
      }
      if (xml) e.push({ tag: 42112, type: 'ASCII', value: xml });
    }
    if (nodataText !== null) e.push({ tag: 42113, type: 'ASCII', value: nodataText });
    img.entries = e.sort((a, b) => a.tag - b.tag);
  });

  // Layout: header + ghost area, IFDs, then blocks from the smallest overview to full resolution.
  const ifdOffsets: number[] = [];
  let pos = 8 + GHOST.length;
  pos += pos & 1;
  for (const img of images) {
    ifdOffsets.push(pos);
    pos += ifdByteSize(img.entries);
  }
  for (const img of [...images].reverse()) {
    img.blocks.forEach((b, i) => {
      img.offsets[i] = pos + 4;
      pos += 4 + b.length + 4;
    });
  }
  assertClassicTiffSize(pos);

  const buf = Buffer.alloc(pos);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifdOffsets[0] as number, 4);
  buf.write(GHOST, 8, 'latin1');
  images.forEach((img, i) => writeIfd(buf, ifdOffsets[i] as number, img.entries, ifdOffsets[i + 1] ?? 0));
  for (const img of images) {
    img.blocks.forEach((b, i) => {
      const at = img.offsets[i] as number;
      buf.writeUInt32LE(b.length, at - 4);
      b.copy(buf, at);
      b.copy(buf, at + b.length, Math.max(0, b.length - 4)); // trailer; shorter blocks leave zeros
    });
  }
  return buf;
}

function georeferenceTags(gt: Geotransform, pixelIsPoint: boolean): TagEntry[] {
  if (gt.length !== 6 || gt.some((v) => !Number.isFinite(v))) throw new RangeError('geotransform must be 6 finite numbers');
  const [x0, pw, rx, y0, ry, ph] = gt;
  if (pw === 0 || ph === 0) throw new RangeError('geotransform pixel size must not be 0');
  // PixelIsPoint: the tiepoint is the centre of the top-left pixel (what GDAL writes and reads back).
  const s = pixelIsPoint ? 0.5 : 0;
  const ox = x0 + pw * s + rx * s;
  const oy = y0 + ry * s + ph * s;
  if (rx === 0 && ry === 0 && ph < 0) {
    return [
      { tag: 33550, type: 'DOUBLE', value: [pw, -ph, 0] },
      { tag: 33922, type: 'DOUBLE', value: [0, 0, 0, ox, oy, 0] },
    ];
  }
  return [{ tag: 34264, type: 'DOUBLE', value: [pw, rx, 0, ox, ry, ph, 0, oy, 0, 0, 0, 0, 0, 0, 0, 1] }];
}

function colorMapValues(entries: readonly ColorMapEntry[]): number[] {
  if (entries.length > 256) throw new RangeError('colorMap has more than 256 entries');
  const out = new Array<number>(3 * 256).fill(0);
  entries.forEach((entry, i) => {
    for (let c = 0; c < 3; c++) {
      const v = entry[c] as number;
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`colorMap[${i}] component ${v} is not an integer 0-255`);
      out[c * 256 + i] = v * 257;
    }
  });
  return out;
}
