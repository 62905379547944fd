import json

import numpy as np
import pytest

from shipwatch.errors import PortsError
from shipwatch.ports import load_ports, parse_ports


def test_bundled_registry_has_roles_and_required_ports():
    ports = {p.name: p for p in load_ports()}
    assert ports["Najin"].role == "watch"
    assert {ports["Dunai"].role, ports["Vostochny"].role} == {"destination"}
    for ref in ("Nakhodka", "Kozmino", "Vladivostok", "Posyet", "Zarubino", "Slavyanka"):
        assert ports[ref].role == "reference"
    assert "Rajin" in ports["Najin"].aliases
    assert ports["Najin"].locode == "KPRJN" and ports["Najin"].wpi == 60510


def test_berth_points_lie_inside_their_polygons():
    for p in load_ports():
        assert p.distance_km(np.array([p.berth[1]]), np.array([p.berth[0]]))[0] == 0.0, p.name


def test_distance_is_to_the_polygon_not_a_point():
    najin = next(p for p in load_ports() if p.name == "Najin")
    # the Wikipedia "Rajin" district point is ~15 km off the harbour
    d = najin.distance_km(np.array([42.34]), np.array([130.39]))[0]
    assert 10 < d < 16
    # a point in the harbour water far from the berth point is still at distance 0
    assert najin.distance_km(np.array([42.21]), np.array([130.30]))[0] == 0.0


def test_kozmino_is_not_vostochny():
    ports = {p.name: p for p in load_ports()}
    lat, lon = np.array([42.716]), np.array([133.02])
    assert ports["Kozmino"].distance_km(lat, lon)[0] == 0.0
    assert ports["Vostochny"].distance_km(lat, lon)[0] > 1.5


def _fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _feat(name, ring, role="reference"):
    props = {"role": role}
    if name is not None:
        props["name"] = name
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
BOWTIE = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]


@pytest.mark.parametrize(
    ("collection", "match"),
    [
        (_fc(_feat(None, SQUARE)), r"feature 0: missing name"),
        (_fc(_feat("A", SQUARE), _feat("A", SQUARE)), r"feature 1 \('A'\): duplicate name 'A'"),
        (_fc(_feat("Bow", BOWTIE)), r"feature 0 \('Bow'\): invalid ring"),
        (_fc(_feat("X", SQUARE, role="target")), r"unknown role 'target'"),
        (
            _fc(
                {
                    "type": "Feature",
                    "properties": {"name": "P"},
                    "geometry": {"type": "Point", "coordinates": [1, 1]},
                }
            ),
            r"'P'\): geometry is Point",
        ),
        (_fc(_feat("Far", [[0, 0], [200, 0], [200, 1], [0, 1], [0, 0]])), r"out of range"),
        ({"type": "Feature"}, r"expected a GeoJSON FeatureCollection"),
        (_fc("not a feature"), r"feature 0: not a GeoJSON Feature"),
        (
            _fc({**_feat("B", SQUARE), "properties": {"name": "B", "berth": "here"}}),
            r"'B'\): berth must be \[lon, lat\]",
        ),
        (
            _fc({**_feat("C", SQUARE), "properties": {"name": "C", "aliases": 5}}),
            r"'C'\): aliases must be a list",
        ),
        (_fc(), r"no port features"),
    ],
)
def test_invalid_ports_name_the_feature_and_problem(collection, match):
    with pytest.raises(PortsError, match=match):
        parse_ports(collection, source="my.geojson")


def test_user_ports_file_and_unreadable_file(tmp_path):
    good = tmp_path / "p.geojson"
    good.write_text(json.dumps(_fc(_feat("Here", SQUARE, role="watch"))))
    assert [p.name for p in load_ports(good)] == ["Here"]
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(PortsError, match="not readable as GeoJSON"):
        load_ports(bad)
    with pytest.raises(PortsError, match="not found"):
        load_ports(tmp_path / "missing.geojson")
