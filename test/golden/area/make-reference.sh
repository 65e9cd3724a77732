#!/usr/bin/env bash
# Reference areas of the synthetic WGS84 crop map, measured by GDAL/PROJ in an equal-area projection
# (Lambert azimuthal equal-area on the WGS84 ellipsoid, centred on the map), independently of the
# service's own area code (server/geo/area.ts). Run from the repository root:
#   bash test/golden/area/make-reference.sh
set -euo pipefail
cd "$(dirname "$0")"
node --import tsx write-input.ts
rm -f /tmp/granary-area-laea.gpkg
ogr2ogr -f GPKG -t_srs '+proj=laea +lat_0=-11.86 +lon_0=-55.525 +datum=WGS84 +units=m +no_defs' /tmp/granary-area-laea.gpkg in/wgs84-cropmap.geojson -nln polygons
# per polygon: class and area in m2 (OGR_GEOM_AREA, planar in the equal-area projection); summed per class
ogrinfo -ro -q -dialect OGRSQL -sql 'SELECT classId, OGR_GEOM_AREA AS m2 FROM polygons' /tmp/granary-area-laea.gpkg \
  | awk -v v="$(ogrinfo --version)" '/classId \(Integer\) =/ { id = $4 } /m2 \(Real\) =/ { ha[id] += $4 / 10000; n[id]++ }
      END { printf "{\n  \"made_by\": \"%s; bash test/golden/area/make-reference.sh (ogr2ogr -t_srs +proj=laea +lat_0=-11.86 +lon_0=-55.525 +datum=WGS84, ogrinfo -dialect OGRSQL SELECT classId, OGR_GEOM_AREA)\",\n  \"classes\": [", v
            first = 1; for (k = 0; k < 256; k++) if (k in ha) { if (!first) printf ","; printf "\n    { \"classId\": %d, \"ha\": %.6f, \"polygons\": %d }", k, ha[k], n[k]; first = 0 }
            printf "\n  ]\n}\n" }' > wgs84-cropmap.reference.json
cat wgs84-cropmap.reference.json
