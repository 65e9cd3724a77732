#!/usr/bin/python3
"""A small rasterio/GDAL tile server: the peer of `npm run bench -- gdal` (a benchmark tool only;
GDAL is not part of Granary).

It does what TiTiler's reader (rio-tiler) does for an XYZ tile: a WarpedVRT of the source in
EPSG:3857 whose transform, width and height are the tile itself (GDAL picks the overview and
warps), a masked read, rescale to 0-255, a 256-entry colormap for one band or an RGB composite,
the mask as alpha, and PNG (or JPEG/WebP) written by GDAL's own drivers through a MemoryFile.
Dataset handles are kept open per thread (rasterio handles are not thread-safe); GDAL's block
cache is GDAL_CACHEMAX (the bench sets 200 MB). The HTTP layer is the standard library's threading
server with HTTP/1.1 keep-alive.

Run with Debian's interpreter and python3-rasterio:
  /usr/bin/python3 rasterio_tiles.py --port 8131 --config scenes.json
where scenes.json maps a scene id to {"path", "bands" (1-based), "rescale" [[min,max] per band],
"lut" (256*4 ints, optional), "nodata" (optional)}.
"""
import argparse
import json
import os
import re
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("GDAL_CACHEMAX", "200")
# PNG/JPEG/WebP tiles carry no georeferencing: rasterio warns on every write.
warnings.filterwarnings("ignore", category=Warning, module="rasterio")

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from rasterio.enums import Resampling  # noqa: E402
from rasterio.io import MemoryFile  # noqa: E402
from rasterio.transform import from_bounds  # noqa: E402
from rasterio.vrt import WarpedVRT  # noqa: E402

HALF = 20037508.342789244
TILE = re.compile(r"^/tiles/([A-Za-z0-9_-]+)/(\d+)/(\d+)/(\d+)(@2x)?\.(png|jpg|webp)$")
DRIVERS = {"png": ("PNG", "image/png"), "jpg": ("JPEG", "image/jpeg"), "webp": ("WEBP", "image/webp")}


def tile_bounds(z, x, y):
    size = 2 * HALF / (1 << z)
    return (-HALF + x * size, HALF - (y + 1) * size, -HALF + (x + 1) * size, HALF - y * size)


class Scenes:
    def __init__(self, config):
        self.config = config
        self.local = threading.local()

    def dataset(self, scene_id):
        cache = getattr(self.local, "handles", None)
        if cache is None:
            cache = self.local.handles = {}
        ds = cache.get(scene_id)
        if ds is None:
            ds = cache[scene_id] = rasterio.open(self.config[scene_id]["path"])
        return ds

    def render(self, scene_id, z, x, y, size, fmt):
        cfg = self.config[scene_id]
        src = self.dataset(scene_id)
        w, s, e, n = tile_bounds(z, x, y)
        transform = from_bounds(w, s, e, n, size, size)
        nodata = cfg.get("nodata", src.nodata)
        with WarpedVRT(src, crs="EPSG:3857", transform=transform, width=size, height=size,
                       resampling=Resampling.nearest, nodata=nodata,
                       add_alpha=nodata is None) as vrt:
            if nodata is None:  # outside the source: the VRT's alpha band (read in the same call)
                arr = vrt.read(indexes=cfg["bands"] + [vrt.count])
                data, mask = np.ma.masked_array(arr[:-1]), arr[-1] > 0
            else:
                data = vrt.read(indexes=cfg["bands"], masked=True)
                mask = ~np.ma.getmaskarray(data).any(axis=0)
        out = np.zeros((4, size, size), dtype=np.uint8)
        scaled = []
        for i, (lo, hi) in enumerate(cfg["rescale"]):
            band = (data[i].filled(lo).astype(np.float32) - lo) / ((hi - lo) or 1)
            scaled.append(np.rint(np.clip(band, 0, 1) * 255).astype(np.uint8))
        if len(scaled) == 1:
            lut = cfg.get("lut")
            if lut is not None:
                rgba = np.asarray(lut, dtype=np.uint8).reshape(256, 4)[scaled[0]]
                out[0:3] = np.moveaxis(rgba[..., 0:3], -1, 0)
            else:
                out[0:3] = scaled[0]
        else:
            out[0:3] = np.stack(scaled)
        out[3] = np.where(mask, 255, 0)
        out[0:3] *= mask
        driver, ctype = DRIVERS[fmt]
        count = 3 if fmt == "jpg" else 4
        with MemoryFile() as mem:
            with mem.open(driver=driver, width=size, height=size, count=count, dtype="uint8") as dst:
                dst.write(out[0:count])
            return mem.read(), ctype


def make_handler(scenes):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body, ctype):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                return self.send(200, b'{"status":"ok"}', "application/json")
            m = TILE.match(path)
            if not m or m.group(1) not in scenes.config:
                return self.send(404, b"not found", "text/plain")
            z, x, y = int(m.group(2)), int(m.group(3)), int(m.group(4))
            try:
                body, ctype = scenes.render(m.group(1), z, x, y, 512 if m.group(5) else 256, m.group(6))
            except Exception as exc:  # a benchmark tool: report, never hang
                return self.send(500, str(exc).encode(), "text/plain")
            self.send(200, body, ctype)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--config", required=True)
    args = ap.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Scenes(config)))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
