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


def test_id_keys_vessels_that_have_no_mmsi():
    m = parse_mapping("id=ID,time=T,lat=Y,lon=X")
    assert m.id_column == "ID" and "mmsi" not in m.columns
    with pytest.raises(MappingError, match="give mmsi or id, not both"):
        parse_mapping("id=ID,mmsi=MMSI,time=T,lat=Y,lon=X")
    with pytest.raises(MappingError, match="missing mmsi"):
        parse_mapping("time=T,lat=Y,lon=X")


def test_vessel_ids_become_stable_keys_outside_the_mmsi_range(tmp_path):
    import polars as pl

    from shipwatch.ingest import load_positions
    from shipwatch.readers.layouts.mapped import vessel_key

    assert vessel_key("7") == 1_000_000_007 and vessel_key(" 7 ") == 1_000_000_007
    assert 1_000_000_000 <= vessel_key("EVER GIVEN") < 2**30
    assert vessel_key("EVER GIVEN") == 1_000_000_000 + 59_704_593  # XXH64, the same in every run
    path = tmp_path / "tracker.csv"
    path.write_text("ID,T,Y,X\n7,2021-03-23 05:00:00,30.0,32.5\nEVER GIVEN,2021-03-23 05:00:00,30.0,32.6\n"
                    "12,2021-03-23 05:00:00,0,0\n")
    table, report = load_positions([path], mapping="id=ID,time=T,lat=Y,lon=X")
    assert table["mmsi"].to_list() == [1_000_000_007, vessel_key("EVER GIVEN")]
    assert table["vessel_name"].to_list() == [None, "EVER GIVEN"]  # a hashed id keeps its text
    assert report.rejected_by_reason == {"position 0,0": 1}  # no MMSI rule, the others still apply
    assert table["timestamp"].dtype == pl.Datetime("us", "UTC")


def test_mmsi_rules_stay_on_for_the_other_files_of_an_ingest(tmp_path):
    from shipwatch.ingest import ingest

    tracker = tmp_path / "tracker.csv"
    tracker.write_text("ID,T,Y,X\n7,2021-03-23 05:00:00,30.0,32.5\n")
    mc = tmp_path / "mc.csv"
    mc.write_text("MMSI,BaseDateTime,LAT,LON\n1000000007,2021-03-23T05:00:00,30.0,32.5\n")
    report = ingest([tracker, mc], tmp_path / "s", mapping="id=ID,time=T,lat=Y,lon=X")
    assert [f.dialect for f in report.files] == ["mapped", "marinecadastre"]
    assert report.rows_accepted == 1 and report.rejected_by_reason == {"MMSI not 9 digits": 1}
