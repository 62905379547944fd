"""Parquet, GeoPackage and GeoJSON readers: small built fixtures, invalid inputs, and the real files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

from shipwatch import schema
from shipwatch.errors import InputError, MappingError, UnknownLayoutError, UnreadableFileError
from shipwatch.readers.spatial import read_geo, read_parquet

UTC = dt.UTC
T = dt.datetime(2020, 1, 1, 22, 26, 22, tzinfo=UTC)


def marinecadastre(n: int = 5) -> pa.Table:
    return pa.table({
        "MMSI": pa.array([367_000_001 + i % 2 for i in range(n)], pa.int64()),
        "BaseDateTime": [f"2020-01-01T22:26:{22 + i:02d}" for i in range(n)],
        "LAT": [25.5 + i / 100 for i in range(n)],
        "LON": [-76.6] * n,
        "SOG": [0.0, 102.3, 5.0, 6.0, 7.0][:n],
        "COG": [360.0, 10.0, 20.0, 30.0, 40.0][:n],
        "Heading": [511.0, 1.0, 2.0, 3.0, 4.0][:n],
        "VesselName": ["NORDIC STAR", "", None, "X", "Y"][:n],
        "IMO": ["IMO9179842", "IMO0000000", None, "9307839", "junk"][:n],
        "CallSign": ["OXYZ2"] * n,
        "VesselType": pa.array([70.0, 0.0, None, 37.0, 80.0][:n], pa.float64()),
    })


def write_parquet(tmp_path: Path, table: pa.Table, name: str = "in.parquet") -> Path:
    path = tmp_path / name
    pq.write_table(table, path)
    return path


def read_all(it: object) -> pl.DataFrame:
    return pl.concat(list(it))  # type: ignore[arg-type]


# -- Parquet ----------------------------------------------------------------------------------------
def test_parquet_marinecadastre_values(tmp_path: Path) -> None:
    path = write_parquet(tmp_path, marinecadastre())
    df = read_all(read_parquet(path, "mc.parquet"))
    assert df.schema == schema.CANONICAL_SCHEMA
    assert df[schema.SOURCE_ROW].to_list() == [1, 2, 3, 4, 5]
    assert set(df[schema.SOURCE_FILE]) == {"mc.parquet"}
    assert df[schema.TIMESTAMP][0] == T
    assert df[schema.IMO].to_list() == [9_179_842, None, None, 9_307_839, None]
    assert df[schema.VESSEL_NAME].to_list() == ["NORDIC STAR", None, None, "X", "Y"]
    assert df[schema.SHIP_TYPE].to_list() == [70, None, None, 37, 80]
    # sentinels stay numbers for validation
    assert df.row(0, named=True)["cog"] == 360.0 and df.row(0, named=True)["heading"] == 511.0
    assert df.row(1, named=True)["sog"] == 102.3


def test_parquet_batches(tmp_path: Path) -> None:
    path = write_parquet(tmp_path, marinecadastre())
    batches = list(read_parquet(path, "mc.parquet", batch_size=2))
    assert [b.height for b in batches] == [2, 2, 1]
    assert pl.concat(batches)[schema.SOURCE_ROW].to_list() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (pa.array([dt.datetime(2020, 1, 1, 22, 26, 22)], pa.timestamp("s")), T),  # naive = UTC
        (pa.array([T], pa.timestamp("ms", tz="Europe/Copenhagen")), T),
        (pa.array(["2020-01-01 22:26:22"]), T),  # MarineCadastre 2025 style
        (pa.array(["2020-01-01T22:26:22.500Z"]), T + dt.timedelta(milliseconds=500)),
        (pa.array(["not a time"]), None),
    ],
    ids=["naive", "aware", "space", "fraction-z", "garbage"],
)
def test_parquet_time_types(tmp_path: Path, times: pa.Array, expected: dt.datetime | None) -> None:
    table = pa.table({"MMSI": [367_000_001], "BaseDateTime": times, "LAT": [1.0], "LON": [2.0]})
    df = read_all(read_parquet(write_parquet(tmp_path, table), "t.parquet"))
    assert df[schema.TIMESTAMP].to_list() == [expected]


def test_parquet_canonical_round_trip(tmp_path: Path) -> None:
    first = read_all(read_parquet(write_parquet(tmp_path, marinecadastre()), "mc.parquet"))
    path = tmp_path / "canonical.parquet"
    first.write_parquet(path)
    again = read_all(read_parquet(path, "mc.parquet"))
    assert again.equals(first)


def test_parquet_explicit_mapping(tmp_path: Path) -> None:
    table = pa.table({"ID": [367_000_001], "when": ["2020-01-01T22:26:22"], "y": [1.0], "x": [2.0]})
    path = write_parquet(tmp_path, table)
    df = read_all(read_parquet(path, "m.parquet", mapping={"mmsi": "ID", "timestamp": "when", "lat": "y",
                                                          "lon": "x"}))
    assert df.select("mmsi", "timestamp", "lat", "lon").row(0) == (367_000_001, T, 1.0, 2.0)


def _parquet_unknown(tmp_path: Path) -> Path:
    return write_parquet(tmp_path, pa.table({"ID": [1], "ais_pos_timestamp": ["x"], "longitude": [1.0]}))


def _not_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "in.parquet"
    path.write_text("MMSI,LAT\n1,2\n")
    return path


PARQUET_CATALOGUE: dict[str, tuple[Callable[[Path], Path], dict[str, str] | None, type[Exception], str]] = {
    "unknown columns": (_parquet_unknown, None, UnknownLayoutError,
                        r"in\.parquet.*no mmsi, timestamp, lat column.*ais_pos_timestamp.*--map"),
    "not parquet": (_not_parquet, None, UnreadableFileError, r"in\.parquet: not a readable Parquet"),
    "missing file": (lambda p: p / "nope.parquet", None, UnreadableFileError, "nope"),
    "map to absent column": (_parquet_unknown, {"mmsi": "nope"}, MappingError, "no column 'nope'"),
    "map unknown canonical": (_parquet_unknown, {"speed": "ID"}, MappingError, "unknown column 'speed'"),
}


@pytest.mark.parametrize(("make", "mapping", "error", "match"), list(PARQUET_CATALOGUE.values()),
                         ids=list(PARQUET_CATALOGUE))
def test_parquet_invalid_catalogue(
    tmp_path: Path,
    make: Callable[[Path], Path],
    mapping: dict[str, str] | None,
    error: type[Exception],
    match: str,
) -> None:
    path = make(tmp_path)
    with pytest.raises(error, match=match):
        list(read_parquet(path, path.name, mapping=mapping))


# -- GeoJSON / GeoPackage ---------------------------------------------------------------------------
def dma_feature(geometry: dict[str, object] | None, **props: object) -> dict[str, object]:
    base = {"# Timestamp": "05/07/2017 19:00:05", "MMSI": 265_550_210, "Navigational status": "Moored",
            "Ship type": "Tanker", "SOG": 0.1, "COG": 156.9, "Heading": 511, "Name": "TANKSKAR",
            "IMO": "9179842", "Callsign": "SIGY", "Length": 120, "Width": 0, "Draught": 6.2,
            "Type of mobile": "Class A"}
    return {"type": "Feature", "geometry": geometry, "properties": {**base, **props}}


def write_geojson(tmp_path: Path, features: list[dict[str, object]], name: str = "in.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def point(x: float, y: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [x, y]}


def test_geojson_dma_columns(tmp_path: Path) -> None:
    path = write_geojson(tmp_path, [dma_feature(point(11.845, 57.693)),
                                    dma_feature(None, **{"# Timestamp": "05/07/2017 19:00:15"})])
    df = read_all(read_geo(path, "dma.geojson"))
    assert df.schema == schema.CANONICAL_SCHEMA
    first = df.row(0, named=True)
    assert first[schema.TIMESTAMP] == dt.datetime(2017, 7, 5, 19, 0, 5, tzinfo=UTC)
    assert (first["lon"], first["lat"], first["mmsi"]) == (11.845, 57.693, 265_550_210)
    assert (first["nav_status"], first["ship_type"], first["transceiver"]) == (5, 80, "A")
    assert (first["imo"], first["callsign"], first["vessel_name"]) == (9_179_842, "SIGY", "TANKSKAR")
    assert (first["length_m"], first["width_m"], first["draught_m"]) == (120, None, 6.2)
    assert first["heading"] == 511
    # a feature without geometry stays, with a null position, for validation to reject
    assert df.row(1, named=True)["lat"] is None and df[schema.SOURCE_ROW].to_list() == [1, 2]


def write_gpkg(tmp_path: Path, geoms: list[object], *, crs: str = "EPSG:4326", geometry_type: str = "Point",
               name: str = "in.gpkg") -> Path:
    path = tmp_path / name
    n = len(geoms)
    table = pa.table({
        "MMSI": [219_000_001] * n,
        "t": pa.array([T] * n, pa.timestamp("ms", tz="UTC")),
        "SOG": [1.0] * n,
        "geom": pa.array(shapely.to_wkb(geoms).tolist(), pa.binary()),
    })
    pyogrio.write_arrow(table, path, layer="ais", driver="GPKG", geometry_name="geom",
                        geometry_type=geometry_type, crs=crs)
    return path


def test_gpkg_points_in_batches(tmp_path: Path) -> None:
    path = write_gpkg(tmp_path, [shapely.Point(10 + i, 50 + i) for i in range(5)])
    batches = list(read_geo(path, "p.gpkg", batch_size=2))
    assert [b.height for b in batches] == [2, 2, 1]
    df = pl.concat(batches)
    assert df[schema.LON].to_list() == [10, 11, 12, 13, 14]
    assert df[schema.LAT].to_list() == [50, 51, 52, 53, 54]
    assert df[schema.TIMESTAMP].to_list() == [T] * 5
    assert df[schema.SOURCE_ROW].to_list() == [1, 2, 3, 4, 5]


def _line_layer(tmp_path: Path) -> Path:
    return write_gpkg(tmp_path, [shapely.LineString([(0, 0), (1, 1)])], geometry_type="LineString")


def _mercator(tmp_path: Path) -> Path:
    return write_gpkg(tmp_path, [shapely.Point(1_300_000, 7_900_000)], crs="EPSG:3857")


def _mixed_geojson(tmp_path: Path) -> Path:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    return write_geojson(tmp_path, [dma_feature(point(1, 2)), dma_feature(square)])


def _no_mmsi(tmp_path: Path) -> Path:
    return write_geojson(tmp_path, [{"type": "Feature", "geometry": point(1, 2),
                                     "properties": {"id": 1, "when": "2020-01-01"}}])


def _not_geo(tmp_path: Path) -> Path:
    path = tmp_path / "in.gpkg"
    path.write_bytes(b"\x00garbage that is no GeoPackage")
    return path


GEO_CATALOGUE: dict[str, tuple[Callable[[Path], Path], type[Exception], str]] = {
    "non-point layer": (_line_layer, InputError, "LineString geometry.*Point layer"),
    "non-point feature": (_mixed_geojson, InputError, "feature 2 is a Polygon"),
    "projected CRS": (_mercator, InputError, "EPSG:3857.*EPSG:4326"),
    "unknown attributes": (_no_mmsi, UnknownLayoutError, r"no mmsi, timestamp column.*id, when.*--map"),
    "not a geo file": (_not_geo, UnreadableFileError, "in.gpkg"),
    "missing file": (lambda p: p / "nope.gpkg", UnreadableFileError, "nope.gpkg"),
}


@pytest.mark.parametrize(("make", "error", "match"), list(GEO_CATALOGUE.values()), ids=list(GEO_CATALOGUE))
def test_geo_invalid_catalogue(tmp_path: Path, make: Callable[[Path], Path], error: type[Exception],
                               match: str) -> None:
    path = make(tmp_path)
    with pytest.raises(error, match=match):
        list(read_geo(path, path.name))


# -- real files -------------------------------------------------------------------------------------
@pytest.mark.real
def test_real_dma_gpkg(real_ais: Path) -> None:
    path = real_ais / "dma" / "dma_2017-07-05_gothenburg.gpkg"
    df = read_all(read_geo(path, str(path)))
    assert df.height == 255
    assert df[schema.SOURCE_ROW].to_list() == list(range(1, 256))
    assert df[schema.MMSI].n_unique() == 2
    assert df[schema.TIMESTAMP].null_count() == 0
    assert df[schema.TIMESTAMP].dt.date().unique().to_list() == [dt.date(2017, 7, 5)]
    assert df[schema.LAT].is_between(57.6, 57.7).all() and df[schema.LON].is_between(11.8, 11.9).all()
    assert set(df[schema.NAV_STATUS]) == {0, None}  # "Unknown value" -> null
    assert set(df[schema.SHIP_TYPE]) == {60, 80}
    assert set(df[schema.VESSEL_NAME]) == {"TANKSKAR", "STENA JUTLANDICA"}


@pytest.mark.real
def test_real_named_vessels_parquet_streams(real_ais: Path) -> None:
    path = real_ais / "noaa" / "AIS_2020_01_01_named_vessels.parquet"
    assert pq.ParquetFile(path).metadata.num_rows == 6_345_302
    it = read_parquet(path, str(path), batch_size=100_000)
    first, second = next(it), next(it)
    it.close()  # type: ignore[attr-defined]
    assert first.height == second.height == 100_000
    assert first.schema == schema.CANONICAL_SCHEMA
    assert first[schema.SOURCE_ROW][0] == 1 and second[schema.SOURCE_ROW][0] == 100_001
    for df in (first, second):
        assert df[schema.MMSI].null_count() == 0
        assert df[schema.TIMESTAMP].null_count() == 0
        assert df[schema.TIMESTAMP].dt.year().unique().to_list() == [2020]
    # IMO "IMO9179842" -> 9179842, "IMO0000000" -> null; checked against the raw column
    raw = next(pq.ParquetFile(path).iter_batches(batch_size=100_000, columns=["IMO"])).column(0).to_pylist()
    expected = [int(v[3:]) or None if v else None for v in raw]
    assert first[schema.IMO].to_list() == expected
    assert first[schema.IMO].null_count() < first.height
