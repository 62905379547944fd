import socket

import numpy as np
import pytest
import shapely

from shipwatch import coastline
from shipwatch.coastline import REGION_BBOX, is_land, land_polygons, load_land

SEA = {
    "inner Rajin Bay (east)": (130.295, 42.225),
    "inner Rajin Bay (south-west)": (130.285, 42.215),
    "Wrangel Bay": (133.07, 42.752),
    "Strelok Bay off Dunai": (132.37, 42.905),
    "open Sea of Japan": (132.0, 42.6),
}
LAND = {
    "west of Rajin Bay": (130.25, 42.26),
    "Dunay peninsula": (132.33, 42.88),
}


@pytest.mark.parametrize("name", sorted(SEA))
def test_sea_points_are_water(name):
    lon, lat = SEA[name]
    assert not load_land().contains(shapely.Point(lon, lat))
    assert not is_land(lat, lon)


@pytest.mark.parametrize("name", sorted(LAND))
def test_land_points_are_land(name):
    lon, lat = LAND[name]
    assert load_land().contains(shapely.Point(lon, lat))
    assert is_land(lat, lon)


def test_files_are_small_and_packaged():
    sizes = {p.name: p.stat().st_size for p in coastline.COASTLINE_DIR.glob("*.geojson")}
    assert set(sizes) == {"region_gshhs_f.geojson", "world_ne_50m.geojson"}
    assert sum(sizes.values()) < 2_000_000
    assert (coastline.COASTLINE_DIR / "README.md").exists()


def test_loads_offline(monkeypatch):
    coastline._layer.cache_clear()
    coastline._load_land.cache_clear()

    def no_network(*args, **kwargs):
        raise AssertionError("coastline tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    land = load_land(bbox=(130.0, 42.0, 131.0, 43.0))
    assert land.is_valid and not land.is_empty


def test_bbox_inside_region_uses_full_resolution():
    rect = (130.2, 42.15, 130.4, 42.3)
    high = load_land(bbox=rect)
    assert high.equals(load_land(bbox=rect, detail="high"))
    coarse = load_land(bbox=rect, detail="coarse")
    # Natural Earth 1:50m fills inner Rajin Bay; GSHHG full resolution does not
    assert coarse.contains(shapely.Point(130.295, 42.225))
    assert not high.contains(shapely.Point(130.295, 42.225))
    minx, miny, maxx, maxy = high.bounds
    assert rect[0] <= minx and rect[1] <= miny and maxx <= rect[2] and maxy <= rect[3]


def test_outside_region_falls_back_to_the_world_layer():
    busan = load_land(bbox=(128.5, 34.8, 129.5, 35.5))
    assert not busan.is_empty
    assert load_land(bbox=(128.5, 34.8, 129.5, 35.5), detail="high").is_empty
    # a bbox straddling the region's edge gets both layers
    both = load_land(bbox=(128.0, 35.0, 131.0, 40.0))
    assert both.contains(shapely.Point(128.5, 36.5))  # Korea, south of the region: world layer
    assert both.contains(shapely.Point(128.1, 38.8))  # North Korea, inside the region


def test_is_land_is_vectorized_and_nan_safe():
    lat = np.array([[42.225, 42.26], [np.nan, 36.5]])
    lon = np.array([[130.295, 130.25], [130.0, 128.5]])
    out = is_land(lat, lon)
    assert out.shape == (2, 2) and out.dtype == bool
    assert out.tolist() == [[False, True], [False, True]]


def test_land_polygons_and_errors():
    polys = land_polygons(bbox=REGION_BBOX, detail="high")
    assert len(polys) > 50 and all(p.geom_type == "Polygon" for p in polys)
    with pytest.raises(ValueError):
        load_land(detail="medium")
    with pytest.raises(ValueError):
        load_land(bbox=(131.0, 42.0, 130.0, 43.0))


def test_docstring_examples():
    import doctest

    assert doctest.testmod(coastline).failed == 0
