import numpy as np
import pytest
import shapely

from shipwatch.coastline import is_land
from shipwatch.geo import KM_PER_NM, haversine_km
from shipwatch.ports import load_ports
from shipwatch.seaway import GRID_BBOX, grid, sea_km_from_port, sea_route

PORTS = {p.name: p for p in load_ports()}
NAJIN_BERTH = PORTS["Najin"].berth  # (lon, lat), Pier 1: on GSHHG land (the pier is not drawn)

# domain.md §1: sea distances routed around the coast
LEGS = {"Dunai": 108.0, "Vostochny": 132.0}


def _length_km(line: shapely.LineString) -> float:
    c = np.asarray(line.coords)
    return float(haversine_km(c[:-1, 1], c[:-1, 0], c[1:, 1], c[1:, 0]).sum())


@pytest.mark.parametrize("dest", sorted(LEGS))
def test_real_legs_match_published_sea_distances(dest):
    port = PORTS[dest]
    lon, lat = NAJIN_BERTH
    sea_nm = sea_km_from_port(port, lat, lon) / KM_PER_NM
    straight_nm = port.distance_km(np.array([lat]), np.array([lon]))[0] / KM_PER_NM
    assert sea_nm == pytest.approx(LEGS[dest], rel=0.05)
    assert sea_nm > straight_nm
    route_nm = _length_km(sea_route(port, lon, lat)) / KM_PER_NM
    assert route_nm == pytest.approx(LEGS[dest], rel=0.05)
    assert route_nm >= straight_nm


def test_sea_distance_is_symmetric_enough():
    # Dunai -> Najin polygon versus Najin -> Dunai polygon: same water, different ends
    d1 = sea_km_from_port(PORTS["Najin"], *PORTS["Dunai"].berth[::-1])
    d2 = sea_km_from_port(PORTS["Dunai"], *NAJIN_BERTH[::-1])
    assert d1 == pytest.approx(d2, rel=0.03)


def _crossing_km(line: shapely.LineString, *, skip_m: float = 300.0, step_m: float = 50.0) -> list[float]:
    """Positions (km from the start) of route samples that fall on land, ignoring the quay ends."""
    total = _length_km(line)
    n = max(int(total * 1000 / step_m), 2)
    frac = np.linspace(0.0, 1.0, n)
    pts = shapely.line_interpolate_point(line, frac, normalized=True)
    xy = shapely.get_coordinates(pts)
    along = frac * total
    keep = (along > skip_m / 1000) & (along < total - skip_m / 1000)
    land = is_land(xy[:, 1], xy[:, 0], detail="high")
    return along[keep & land].tolist()


@pytest.mark.parametrize(
    ("dest", "start"),
    [
        ("Dunai", NAJIN_BERTH),
        ("Vostochny", NAJIN_BERTH),
        ("Najin", PORTS["Dunai"].berth),
        ("Vladivostok", PORTS["Vostochny"].berth),
        ("Dunai", (132.0, 42.6)),
        ("Najin", (129.83, 41.75)),  # from off Chongjin
    ],
)
def test_routes_never_cross_land(dest, start):
    line = sea_route(PORTS[dest], *start)
    assert line.is_valid and len(line.coords) >= 2
    assert _crossing_km(line) == []
    # it starts at the point and ends on the port
    assert line.coords[0] == pytest.approx(start)
    assert PORTS[dest].distance_km(np.array([line.coords[-1][1]]), np.array([line.coords[-1][0]]))[0] < 0.01
    # and it is not a grid zigzag: few vertices for ~100 nm
    assert len(line.coords) < 40


def test_point_on_land_is_snapped_to_the_sea():
    port = PORTS["Dunai"]
    lat, lon = 42.26, 130.25  # on land west of Rajin Bay
    assert is_land(lat, lon)
    d = sea_km_from_port(port, lat, lon)
    harbour = sea_km_from_port(port, 42.225, 130.295)
    assert np.isfinite(d) and abs(d - harbour) < 10
    line = sea_route(port, lon, lat)
    assert line.coords[0] == pytest.approx((lon, lat))
    assert _length_km(line) / KM_PER_NM == pytest.approx(108, rel=0.06)


def test_lookup_is_vectorized_and_nan_safe():
    port = PORTS["Vostochny"]
    lat = np.array([[42.225, np.nan, 42.752], [42.6, 42.8, 35.1]])
    lon = np.array([[130.295, 131.0, 133.07], [np.nan, 132.9, 129.04]])
    d = sea_km_from_port(port, lat, lon)
    assert d.shape == (2, 3)
    assert np.isnan(d[0, 1]) and np.isnan(d[1, 0])
    assert d[0, 2] == 0.0  # inside Wrangel Bay
    assert np.isfinite(d[0, 0]) and np.isfinite(d[1, 1])
    # scalars in, 0-d out; lists work too
    assert np.ndim(sea_km_from_port(port, 42.6, 132.0)) == 0
    assert sea_km_from_port(port, [42.6, 42.7], [132.0, 132.5]).shape == (2,)


def test_never_below_straight_line_and_zero_inside():
    rng = np.random.default_rng(9)
    lat = rng.uniform(41.5, 43.5, 5000)
    lon = rng.uniform(129.5, 134.0, 5000)
    for name in ("Najin", "Dunai", "Vostochny"):
        port = PORTS[name]
        sea = sea_km_from_port(port, lat, lon)
        straight = port.distance_km(lat, lon)
        assert np.all(sea >= straight - 1e-9)
        inside = port.geometry.representative_point()
        assert sea_km_from_port(port, inside.y, inside.x) == 0.0


def test_outside_the_raster_falls_back_to_the_straight_line():
    port = PORTS["Dunai"]
    busan = PORTS["Busan"]
    lon, lat = busan.berth
    assert not (GRID_BBOX[1] <= lat <= GRID_BBOX[3])
    d = sea_km_from_port(port, lat, lon)
    assert d == pytest.approx(port.distance_km(np.array([lat]), np.array([lon]))[0])
    line = sea_route(port, lon, lat)
    assert len(line.coords) == 2


def test_grid_resolves_the_port_bays():
    g = grid()
    for name, (lon, lat) in {"Najin": (130.295, 42.225), "Vostochny": (133.07, 42.752)}.items():
        r, c, inside = g.cell_of(np.array([lat]), np.array([lon]))
        assert inside[0] and g.water[r[0], c[0]], name
