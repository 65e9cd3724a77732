#!/usr/bin/env bash
# Golden reference tiles for the .tif tile route, made by GDAL (an independent implementation).
#
#   bash test/golden/make-references.sh        (or: npm run golden)
#
# Needs Debian's gdal-bin (tested with GDAL 3.6.2: gdal_translate, gdalwarp). The tests do NOT
# need GDAL: they read the committed files this script writes:
#
#   test/golden/tiles/<case>.tif   256x256 Float32 GeoTIFF, EPSG:3857, NaN nodata, DEFLATE+PREDICTOR=3
#   test/golden/tiles/cases.json   one entry per case: scene, z/x/y, query, reference, scale, tolerance
#
# Each reference is
#
#   gdal_translate -b <band> -of VRT <cog> band.vrt           (one date of the Sinop NDVI stack)
#   gdalwarp -t_srs EPSG:3857 -te <tile bounds> -ts 256 256 -r near|bilinear -ot Float32
#            -et 0 -dstnodata nan -ovr NONE|0 -wo INIT_DEST=NO_DATA band.vrt <case>.tif
#
#  * -te: the exact Web Mercator bounds of tile z/x/y (origin shift 20037508.342789244 m),
#  * -et 0: exact reprojection of every pixel (no approximation grid), so the reference does not
#    share the service's interpolated sampling grid,
#  * -ovr NONE: always read full resolution (the Sinop fixture has no overviews anyway);
#    -ovr 0: read the first overview (395x359) of the Landsat COG, which is the level the service
#    picks at zoom 7 (source pixels per output pixel ~3.7 >= 2). GDAL's automatic choice is
#    never used, so its threshold (GDAL_OVERVIEW_OVERSAMPLING_THRESHOLD) cannot change a reference.
#  * values stay raw (Int16 NDVI x 10000, or uint8 DN) converted to Float32; the test multiplies
#    by `scale` from cases.json (0.0001 for Sinop) before comparing with the service's physical values.
#  * bilinear only where the output pixels are finer than the source pixels (Sinop 231 m: z >= 10;
#    Landsat 300 m: z >= 10): when downsampling, GDAL widens the bilinear kernel and the service
#    does not (it reads the overview instead), so they are not expected to agree there.
#
# Tolerances (see README.md for the reasoning) are written into cases.json from this script.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=test/golden/tiles
SINOP=fixtures/imagery/sinop/sinop_mod13q1_ndvi_2013-09-14_2014-08-29_cog.tif
LANDSAT=fixtures/imagery/generic/rasterio_RGB.byte_landsat7_utm18n_cog.tif
SINOP_BAND=9 # 2014-01-17
SINOP_DATE=2014-01-17

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export GDAL_PAM_ENABLED=NO # no .aux.xml side files next to the fixtures or references
mkdir -p "$OUT"
rm -f "$OUT"/*.tif


# Tolerances, as JSON objects (the test reads them; README.md explains them and gives the measured
# agreement).
#  nearest: values must be identical except at most maxDifferentFraction of the valid pixels, and
#    only where the exact source coordinate lies within edgePx of a source pixel edge: the service
#    samples an interpolated coordinate grid whose error it bounds at 0.125 source px
#    (MAX_ERROR_PX in server/raster/plan.ts; measured <= 0.007 px). Such a pixel must then hold the
#    value of a source pixel within edgePx of the sample point (or NaN if that is outside the image).
#  bilinear: max absolute difference in physical units (NDVI, or Landsat DN).
#  maskMismatchMax: pixels allowed to be NaN in one and valid in the other (scene edge only; for
#    nearest each must also be explained as above).
TOL_NEAR='{"kind":"nearest","maxDifferentFraction":0.01,"edgePx":0.125,"maskMismatchMax":16}'
TOL_BIL_NDVI='{"kind":"bilinear","maxAbs":0.0005,"maskMismatchMax":16}'
TOL_BIL_DN='{"kind":"bilinear","maxAbs":0.1,"maskMismatchMax":16}'
TOL_EMPTY='{"kind":"nearest","maxDifferentFraction":0,"edgePx":0,"maskMismatchMax":0}'

# name | scene | cog | bands (1-based, comma separated) | z | x | y | resampling | ovr | query | scale | tolerance
B=$SINOP_BAND
Q="variable=ndvi&date=$SINOP_DATE"
CASES=(
  "sinop-z8-nearest|sinop|$SINOP|$B|8|88|136|near|NONE|$Q&resampling=nearest|0.0001|$TOL_NEAR"
  "sinop-z10-nearest|sinop|$SINOP|$B|10|354|545|near|NONE|$Q&resampling=nearest|0.0001|$TOL_NEAR"
  "sinop-z10-bilinear|sinop|$SINOP|$B|10|354|545|bilinear|NONE|$Q&resampling=bilinear|0.0001|$TOL_BIL_NDVI"
  "sinop-z12-nearest|sinop|$SINOP|$B|12|1416|2181|near|NONE|$Q&resampling=nearest|0.0001|$TOL_NEAR"
  "sinop-z12-bilinear|sinop|$SINOP|$B|12|1416|2181|bilinear|NONE|$Q&resampling=bilinear|0.0001|$TOL_BIL_NDVI"
  "sinop-z12-edge-nearest|sinop|$SINOP|$B|12|1413|2179|near|NONE|$Q&resampling=nearest|0.0001|$TOL_NEAR"
  "sinop-z12-edge-bilinear|sinop|$SINOP|$B|12|1413|2179|bilinear|NONE|$Q&resampling=bilinear|0.0001|$TOL_BIL_NDVI"
  "sinop-z13-nearest|sinop|$SINOP|$B|13|2832|4362|near|NONE|$Q&resampling=nearest|0.0001|$TOL_NEAR"
  "sinop-z13-bilinear|sinop|$SINOP|$B|13|2832|4362|bilinear|NONE|$Q&resampling=bilinear|0.0001|$TOL_BIL_NDVI"
  "sinop-z12-empty|sinop|$SINOP|$B|12|1425|2181|near|NONE|$Q&resampling=nearest|0.0001|$TOL_EMPTY"
  "landsat-z7-overview-nearest|landsat-bahamas|$LANDSAT|1,2,3|7|36|54|near|0|bands=red,green,blue&resampling=nearest|1|$TOL_NEAR"
  "landsat-z9-nearest|landsat-bahamas|$LANDSAT|1,2,3|9|145|220|near|NONE|bands=red,green,blue&resampling=nearest|1|$TOL_NEAR"
  # one band keeps the (poorly compressible) bilinear reference small
  "landsat-z10-bilinear|landsat-bahamas|$LANDSAT|1|10|290|440|bilinear|NONE|variable=red&resampling=bilinear|1|$TOL_BIL_DN"
)

bounds() { # z x y -> "minx miny maxx maxy" of the Web Mercator tile
  awk -v z="$1" -v x="$2" -v y="$3" 'BEGIN {
    o = 20037508.342789244; s = 2 * o / (2 ^ z)
    printf "%.10f %.10f %.10f %.10f", -o + x * s, o - (y + 1) * s, -o + (x + 1) * s, o - y * s }'
}

json="["
sep=""
for c in "${CASES[@]}"; do
  IFS='|' read -r name scene cog bands z x y rs ovr query scale tol <<<"$c"
  src="$TMP/$name.vrt"
  # shellcheck disable=SC2046
  gdal_translate -q $(printf -- '-b %s ' ${bands//,/ }) -of VRT "$cog" "$src"
  # shellcheck disable=SC2046
  gdalwarp -q -overwrite -t_srs EPSG:3857 -te $(bounds "$z" "$x" "$y") -ts 256 256 -r "$rs" \
    -ot Float32 -et 0 -dstnodata nan -ovr "$ovr" -wo INIT_DEST=NO_DATA \
    -co COMPRESS=DEFLATE -co PREDICTOR=3 -co ZLEVEL=9 -co TILED=NO \
    "$src" "$OUT/$name.tif"
  json+="$sep
  {\"name\": \"$name\", \"scene\": \"$scene\", \"z\": $z, \"x\": $x, \"y\": $y, \"query\": \"$query\", \"reference\": \"$name.tif\", \"scale\": $scale,
   \"source\": {\"file\": \"$cog\", \"bands\": [$bands], \"ovr\": \"$ovr\"}, \"gdal\": \"-r $rs -ovr $ovr -et 0\", \"tolerance\": $tol}"
  sep=","
done
printf '%s\n]\n' "$json" >"$OUT/cases.json"
echo "wrote ${#CASES[@]} references to $OUT ($(du -sh "$OUT" | cut -f1))"
