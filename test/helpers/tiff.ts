/** Reading Float32 GeoTIFFs (tile responses and golden references) with geotiff.js. */
import { readFile } from 'node:fs/promises';
import { fromArrayBuffer } from 'geotiff';

interface Raster {
  width: number;
  height: number;
  /** one Float32Array per band, row-major */
  bands: Float32Array[];
  /** [minX, minY, maxX, maxY] in the file's CRS */
  bbox: number[];
  epsg: number | null;
}

const toArrayBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export async function readRaster(bytes: Uint8Array): Promise<Raster> {
  const tiff = await fromArrayBuffer(toArrayBuffer(bytes));
  const image = await tiff.getImage();
  const rasters = (await image.readRasters({ interleave: false })) as unknown as ArrayLike<number>[];
  const keys = (image.getGeoKeys() ?? {}) as Record<string, unknown>;
  const epsg = (keys['ProjectedCSTypeGeoKey'] ?? keys['GeographicTypeGeoKey']) as number | undefined;
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    bands: Array.from({ length: rasters.length }, (_, i) => Float32Array.from(rasters[i]!)),
    bbox: image.getBoundingBox(),
    epsg: epsg ?? null,
  };
}

export async function readRasterFile(path: string): Promise<Raster> {
  return readRaster(await readFile(path));
}
