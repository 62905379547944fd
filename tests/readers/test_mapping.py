"""Explicit column mappings: --map strings and TOML files."""

from __future__ import annotations

import pytest

from shipwatch.errors import MappingError
from shipwatch.readers.mapping import ColumnMapping, parse_mapping


def test_map_string_with_aliases_format_and_zone():
    m = parse_mapping(
        "time=Time, mmsi=MMSI,latitude=Lat,lon=Lon,name=Ship,time_format=%d/%m/%Y %H:%M,tz=Europe/Oslo"
    )
    assert m.columns == {
        "timestamp": "Time",
        "mmsi": "MMSI",
        "lat": "Lat",
        "lon": "Lon",
        "vessel_name": "Ship",
    }
    assert m.time_format == "%d/%m/%Y %H:%M"
    assert m.tz == "Europe/Oslo"


def test_time_format_may_contain_commas():
    m = parse_mapping("time=T,mmsi=M,lat=Y,lon=X,time_format=%d %b, %Y")
    assert m.time_format == "%d %b, %Y"


def test_toml_file(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('time = "ts"\nmmsi = "id"\nlat = "y"\nlon = "x"\ntz = "UTC"\n')
    assert parse_mapping(path) == ColumnMapping({"timestamp": "ts", "mmsi": "id", "lat": "y", "lon": "x"})
    assert parse_mapping(str(path)).columns["mmsi"] == "id"


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("time=T,mmsi=M,lat=Y", r"missing lon"),
        ("time=T,mmsi=M,lat=Y,lon=X,colour=C", r"unknown key\(s\) colour"),
        ("time=T,mmsi=M,lat=Y,lon=X,tz=Mars/Olympus", r"unknown time zone tz='Mars/Olympus'"),
        ("time=T,mmsi=M,lat=Y,lon=X,longitude=Z", r"lon.* given twice"),
        ("time,mmsi=M,lat=Y,lon=X", r"'time' is not key=value"),
        ("time=T,mmsi,lat=Y,lon=X", r"missing mmsi"),  # a comma not followed by key= belongs to the value
        ("no_such_file.toml", r"neither key=value pairs nor an existing TOML file"),
    ],
)
def test_bad_mappings(spec, match):
    with pytest.raises(MappingError, match=match):
        parse_mapping(spec)


def test_bad_toml(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text("time = \n")
    with pytest.raises(MappingError, match="is not valid TOML"):
        parse_mapping(path)


def test_header_check_names_file_and_columns():
    m = parse_mapping("time=T,mmsi=M,lat=Y,lon=X")
    with pytest.raises(
        MappingError, match=r"f.csv: --map names column\(s\) 'X' that the file lacks; its columns are T, M, Y"
    ):
        m.check_header(["T", "M", "Y"], "f.csv")
