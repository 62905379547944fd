"""Offline land polygons: GSHHG full resolution in the Najin-Vladivostok-Nakhodka theatre, Natural Earth beyond.

Two files ship in ``data/coastline/`` (see its README for source, licence and derivation):

* ``region_gshhs_f.geojson``: GSHHG 2.3.6 full-resolution land inside :data:`REGION_BBOX`
  (lon 127.5-135.5, lat 38.5-45.5), simplified to ~40 m; LGPL-3.0-or-later (Wessel & Smith).
* ``world_ne_50m.geojson``: Natural Earth 1:50m land for the whole world; public domain.

:func:`load_land` gives shapely geometries (no geopandas needed): the regional file inside its bbox,
the world file outside it. Lakes are filled (they count as land: they are not sea). Results are
cached, so repeated calls are cheap. Nothing here touches the network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import box, shape

from shipwatch.resources import COASTLINE_DIR

REGION_FILE = COASTLINE_DIR / "region_gshhs_f.geojson"
WORLD_FILE = COASTLINE_DIR / "world_ne_50m.geojson"
REGION_BBOX: tuple[float, float, float, float] = (127.5, 38.5, 135.5, 45.5)  # lon0, lat0, lon1, lat1
DETAILS = ("auto", "high", "coarse")

BBox = tuple[float, float, float, float]


def _read_polygons(path: Path) -> tuple[shapely.Geometry, ...]:
    collection = json.loads(path.read_text(encoding="utf-8"))
    return tuple(shape(f["geometry"]) for f in collection["features"])


@lru_cache(maxsize=2)
def _layer(name: str) -> tuple[tuple[shapely.Geometry, ...], shapely.Geometry]:
    """(polygons, their union) of one layer, read once."""
    polys = _read_polygons(REGION_FILE if name == "high" else WORLD_FILE)
    union = shapely.union_all(polys)
    shapely.prepare(union)
    return polys, union


def _clip(layer: str, rect: BBox | None) -> shapely.Geometry:
    polys, union = _layer(layer)
    if rect is None or _within(union.bounds, rect):
        return union
    rect_geom = box(*rect)
    hits = [p for p in polys if shapely.intersects(p, rect_geom)]
    if not hits:
        return shapely.MultiPolygon()
    return shapely.union_all([shapely.clip_by_rect(p, *rect) for p in hits])


def _intersect_bbox(a: BBox, b: BBox) -> BBox | None:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def _within(inner: BBox, outer: BBox) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


@lru_cache(maxsize=64)
def _load_land(bbox: BBox | None, detail: str) -> shapely.Geometry:
    if detail == "high":
        return _clip("high", REGION_BBOX if bbox is None else _intersect_bbox(bbox, REGION_BBOX) or bbox)
    if detail == "coarse":
        return _clip("coarse", bbox)
    # auto: the regional file inside its bbox, the world file outside it
    if bbox is not None and _within(bbox, REGION_BBOX):
        return _clip("high", bbox)
    inner = REGION_BBOX if bbox is None else _intersect_bbox(bbox, REGION_BBOX)
    world = _clip("coarse", bbox)
    if inner is None:
        return world
    outside = shapely.difference(world, box(*inner))
    return shapely.union_all([outside, _clip("high", inner)])


def load_land(*, bbox: BBox | None = None, detail: str = "auto") -> shapely.Geometry:
    """Land as one shapely (Multi)Polygon in lon/lat degrees, clipped to ``bbox`` when given.

    ``bbox`` is ``(lon_min, lat_min, lon_max, lat_max)``. ``detail``:

    * ``"auto"`` (default): GSHHG full resolution inside :data:`REGION_BBOX`, Natural Earth 1:50m outside
      (the two meet along the region's edge);
    * ``"high"``: the regional layer only (empty outside :data:`REGION_BBOX`);
    * ``"coarse"``: Natural Earth 1:50m only.

    The result is cached (one object per distinct bbox and detail): treat it as read-only.

    >>> land = load_land(bbox=(130.2, 42.15, 130.4, 42.3))
    >>> land.contains(shapely.Point(130.25, 42.26)), land.contains(shapely.Point(130.295, 42.225))
    (True, False)
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, got {detail!r}")
    if bbox is not None:
        bbox = tuple(float(v) for v in bbox)  # type: ignore[assignment]
        if len(bbox) != 4 or not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
            raise ValueError(f"bbox must be (lon_min, lat_min, lon_max, lat_max), got {bbox!r}")
    return _load_land(bbox, detail)


def land_polygons(*, bbox: BBox | None = None, detail: str = "auto") -> list[shapely.Polygon]:
    """:func:`load_land` as a list of Polygons (for a GeoDataFrame, a plot, a GeoJSON export)."""
    geom = load_land(bbox=bbox, detail=detail)
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]


def is_land(lat: ArrayLike, lon: ArrayLike, *, detail: str = "auto") -> NDArray[np.bool_]:
    """Whether each point (degrees) is on land; vectorized, NaN positions are ``False``.

    With ``detail="auto"`` points inside :data:`REGION_BBOX` are tested against GSHHG full resolution,
    the rest against Natural Earth 1:50m.

    >>> is_land([42.225, 42.26], [130.295, 130.25]).tolist()
    [False, True]
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    lat, lon = np.broadcast_arrays(lat, lon)
    out = np.zeros(lat.shape, dtype=bool)
    ok = np.isfinite(lat) & np.isfinite(lon)
    x0, y0, x1, y1 = REGION_BBOX
    inside = ok & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    if detail == "auto":
        layers = (("high", inside), ("coarse", ok & ~inside))
    elif detail in ("high", "coarse"):
        layers = ((detail, inside if detail == "high" else ok),)
    else:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, got {detail!r}")
    for layer, sel in layers:
        if sel.any():
            union = _layer(layer)[1]
            out[sel] = shapely.contains_xy(union, lon[sel], lat[sel])
    return out
