declare module 'geotiff-tile' {
  /** geotiff-tile 0.21 (no bundled types): renders one tile from a geotiff.js 2 GeoTIFF. */
  export default function createTile(options: Record<string, unknown>): Promise<unknown>;
}
