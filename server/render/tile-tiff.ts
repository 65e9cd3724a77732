/** A tile's physical values as a Float32 GeoTIFF in EPSG:3857 (NaN = nodata), for analysts. */
import { writeGeoTiff } from './geotiff-writer.js';
import { tileBounds3857 } from '../geo/tile-grid.js';

export function encodeFloatTile(bands: readonly Float32Array[], t: { z: number; x: number; y: number; size: number }): Uint8Array {
  const [minX, , maxX, maxY] = tileBounds3857(t.z, t.x, t.y);
  const res = (maxX - minX) / t.size;
  return writeGeoTiff({
    width: t.size,
    height: t.size,
    bands,
    tileSize: 'strip',
    compression: 'deflate',
    deflateLevel: 1,
    geotransform: [minX, res, 0, maxY, 0, -res],
    epsg: 3857,
    nodata: NaN,
  });
}
