"""CSV dialects: detection from the header, conversion to canonical columns, malformed rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from shipwatch.errors import MappingError, UnknownLayoutError, UnreadableFileError
from shipwatch.readers.csv import detect_csv_dialect, read_csv, read_header
from shipwatch.readers.mapping import parse_mapping
from shipwatch.validate import Reason, validate

DATA = Path(__file__).resolve().parents[1] / "data"
UTC = dt.UTC


def _read(name: str, **kw) -> pl.DataFrame:
    return pl.concat(list(read_csv(DATA / name, **kw)))


@pytest.mark.parametrize(
    ("name", "dialect"),
    [
        ("marinecadastre_2020.csv", "marinecadastre"),
        ("marinecadastre_2025.csv", "marinecadastre-2025"),
        ("dma_22col.csv", "dma"),
        ("dma_26col.csv", "dma"),
        ("satellite_export.csv", "satellite"),
        ("other_layout.csv", None),
    ],
)
def test_dialect_is_detected_from_the_header(name, dialect):
    assert detect_csv_dialect(read_header(DATA / name)) == dialect


def test_marinecadastre_subset_of_columns_is_recognised():
    assert detect_csv_dialect(["LON", "LAT", "BaseDateTime", "MMSI"]) == "marinecadastre"
    assert detect_csv_dialect(["MMSI", "BaseDateTime", "LAT"]) is None


def test_marinecadastre_2020_values():
    df = _read("marinecadastre_2020.csv")
    assert df.height == 20  # the blank line is not a data row
    first = df.row(0, named=True)
    assert first["mmsi"] == 366999001
    assert first["timestamp"] == dt.datetime(2020, 1, 1, tzinfo=UTC)
    assert first["imo"] == 9307839
    assert (first["lat"], first["lon"], first["sog"], first["heading"]) == (37.8, -122.4, 10.5, 88.0)
    assert (first["ship_type"], first["nav_status"], first["length_m"], first["draught_m"]) == (
        70,
        0,
        100.0,
        5.5,
    )
    assert first["transceiver"] == "A"
    assert df.schema["timestamp"] == pl.Datetime("us", "UTC")
    short = df.filter(pl.col("timestamp") == dt.datetime(2020, 1, 1, 0, 7, tzinfo=UTC))
    assert short.height == 1 and short["lat"][0] == 37.9 and short["sog"][0] is None


# One catalogue of bad rows for the CSV reader: (MMSI or marker in the row, expected reason).
BAD_ROWS = [
    (3669884, Reason.BASE_STATION),
    (993669001, Reason.ATON),
    (0, Reason.MMSI_ZERO),
    (12345678, Reason.MMSI_NOT_9_DIGITS),
    (111366001, Reason.SAR_AIRCRAFT),
    (970366001, Reason.SART),
    (972366001, Reason.MOB),
    (974366001, Reason.EPIRB),
]


@pytest.mark.parametrize(("mmsi", "reason"), BAD_ROWS)
def test_not_a_ship_rows_are_rejected_with_their_reason(mmsi, reason):
    v = validate(_read("marinecadastre_2020.csv"))
    assert v.rejected.filter(pl.col("mmsi") == mmsi)["reason"].to_list() == [reason]
    assert mmsi not in v.accepted["mmsi"].to_list()


def test_malformed_values_are_rejected_with_their_reason():
    reasons = validate(_read("marinecadastre_2020.csv")).rejected["reason"].to_list()
    for reason in (
        Reason.POSITION_NOT_AVAILABLE,
        Reason.NULL_ISLAND,
        Reason.UNPARSEABLE_TIME,
        Reason.UNPARSEABLE_POSITION,
        Reason.POSITION_OUT_OF_RANGE,
        Reason.MISSING_TIME,
        Reason.UNPARSEABLE_MMSI,
    ):
        assert reasons.count(reason) == 1, reason
    assert len(reasons) == 15


def test_marinecadastre_2025_has_longitude_before_latitude():
    df = _read("marinecadastre_2025.csv")
    assert df["lat"].to_list()[:2] == [55.7, 55.699]
    assert df["lon"].to_list()[:2] == [12.5, 12.501]
    assert df["timestamp"][1] == dt.datetime(2025, 3, 1, 12, 0, 10, tzinfo=UTC)
    assert df["imo"][0] == 9876543


def test_dma_day_first_dates_text_status_and_blank_fields():
    df = _read("dma_22col.csv")
    assert df["timestamp"][0] == dt.datetime(2018, 6, 13, 0, 0, tzinfo=UTC)
    assert df["nav_status"].to_list() == [0, None, None, None, None, 5, 3]
    assert df["ship_type"].to_list()[:3] == [70, None, 36]
    second = df.row(1, named=True)
    assert second["callsign"] is None and second["vessel_name"] is None and second["imo"] is None
    assert df["transceiver"].to_list()[:3] == ["A", "A", "B"]
    v = validate(df)
    assert v.accepted.height == 4
    assert sorted(v.rejected["reason"].to_list()) == sorted(
        [
            "not a ship: Base Station (DMA type of mobile)",
            "not a ship: AtoN (DMA type of mobile)",
            Reason.POSITION_NOT_AVAILABLE,
        ]
    )


def test_dma_26_columns_take_length_and_width_from_a_b_c_d():
    df = _read("dma_26col.csv")
    assert df["length_m"].to_list() == [100.0, 25.0]  # row 2 has its own Length
    assert df["width_m"].to_list() == [22.0, 6.0]


def test_satellite_export_time_milliseconds_and_message_types():
    df = _read("satellite_export.csv")
    assert df["timestamp"][0] == dt.datetime(2021, 7, 1, 18, 51, 51, 680_000, tzinfo=UTC)
    static = df.row(1, named=True)
    assert (
        static["reason"] == Reason.NOT_POSITION and static["length_m"] == 120.0 and static["width_m"] == 22.0
    )
    assert df["transceiver"].to_list()[:3] == ["A", None, "B"]
    v = validate(df)
    assert v.accepted["mmsi"].to_list() == [432905000, 366773000]
    assert v.rejected["reason"].to_list() == [
        Reason.NOT_POSITION,
        "not a ship: base station report (message 4)",
        Reason.POSITION_NOT_AVAILABLE,
    ]


def test_mapped_csv_with_time_format_and_zone():
    m = parse_mapping(
        "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees,sog=SOG_knots,"
        "time_format=%d/%m/%Y %H:%M,tz=Europe/London"
    )
    df = _read("other_layout.csv", mapping=m)
    # 14:00 British Summer Time is 13:00 UTC
    assert df["timestamp"][0] == dt.datetime(2020, 6, 1, 13, 0, tzinfo=UTC)
    assert df["sog"].to_list() == [5.9, 6.0, 6.1]
    assert df["source_row"].to_list() == [1, 2, 3]


# One catalogue of unusable CSV inputs: (file content, mapping, error, message fragment).
INVALID = [
    ("", None, UnreadableFileError, "empty"),
    ("a,b,c\n1,2,3\n", None, UnknownLayoutError, r"unknown AIS layout \(columns: a, b, c\).*--map"),
    (
        "Time,MMSI,Lat,Lon\n2020-01-01 00:00,1,2,3\n",
        "time=Time,mmsi=MMSI,lat=Lat,lon=Longitude",
        MappingError,
        r"'Longitude' that the file lacks",
    ),
    (
        "Time,MMSI,Lat,Lon\n2020-01-01 00:00,1,2,3\n",
        "time=Time,mmsi=MMSI,lat=Lat,lon=Lon,time_format=%d/%m/%Y",
        MappingError,
        r"time_format='%d/%m/%Y' matches none of the first values in column 'Time'",
    ),
]


@pytest.mark.parametrize(("content", "spec", "error", "match"), INVALID)
def test_unusable_csv_inputs_raise_with_a_clear_message(tmp_path, content, spec, error, match):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(error, match=match):
        list(read_csv(path, mapping=parse_mapping(spec) if spec else None))


GOOD_LINE = "366999001,2020-01-01T00:00:{s:02d},37.8,-122.4,10.5,90.0,88,ALPHA,IMO9307839,WDA1,70\n"
MC_HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType\n"


@pytest.mark.parametrize("batch_rows", [3, 1000])
def test_the_fast_path_stops_on_a_value_it_cannot_parse_and_ingest_reads_the_file_as_text(tmp_path, batch_rows):
    from shipwatch.errors import FastPathError
    from shipwatch.ingest import load_positions

    rows = [GOOD_LINE.format(s=s) for s in range(12)]
    rows[7] = rows[7].replace("37.8", "abc")  # a number the fast parser rejects, in the third batch of 3
    rows[9] = rows[9].replace("2020-01-01T", "2020/01/01 ")  # text time: "unparseable timestamp"
    path = tmp_path / "f.csv"
    path.write_text(MC_HEADER + "".join(rows))
    with pytest.raises(FastPathError, match="fast CSV path stopped"):
        list(read_csv(path, batch_rows=batch_rows, fast=True))
    text = pl.concat(list(read_csv(path, batch_rows=batch_rows)))
    assert text["source_row"].to_list() == list(range(1, 13))
    assert text["reason"].to_list()[7:10] == [Reason.UNPARSEABLE_POSITION, None, Reason.UNPARSEABLE_TIME]
    table, report = load_positions([path])
    assert sorted(table["source_row"].to_list()) == [r for r in range(1, 13) if r not in (8, 10)]
    assert report.balanced and report.rows_read == 12 and report.rows_rejected == 2
    assert report.rejected_by_reason == {Reason.UNPARSEABLE_POSITION: 1, Reason.UNPARSEABLE_TIME: 1}


@pytest.mark.parametrize("name", ["marinecadastre_2025.csv"])
def test_the_fast_path_gives_the_same_frames_as_text(name):
    assert _read(name, fast=True).equals(_read(name))


def test_fast_path_and_text_agree_on_spaces_around_numbers(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("MMSI,BaseDateTime,LAT,LON\n 366999001,2020-01-01T00:00:00, 37.8 ,-122.4\n")
    text = pl.concat(list(read_csv(path)))
    assert text.select("mmsi", "lat", "reason").row(0) == (366999001, 37.8, None)


def test_bad_values_deep_in_a_large_file_lose_no_row(tmp_path):
    """A value the fast parser cannot read, far into a big file (here a repeated header line, as in
    concatenated daily files, and a letter in an MMSI): every line comes out once, with its reason."""
    import numpy as np

    n = 300_000
    rng = np.random.default_rng(7)
    lines = ["MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType"]
    mmsi = rng.integers(200_000_000, 700_000_000, n)
    lat = np.round(rng.uniform(-60, 60, n), 5)
    lon = np.round(rng.uniform(-170, 170, n), 5)
    for i in range(n):
        lines.append(
            f"{mmsi[i]},2020-01-01T00:{i % 60:02d}:{(i // 60) % 60:02d},{lat[i]},{lon[i]},1.5,20.0,511,SHIP {i},,,70"
        )
    lines[250_000] = lines[0]  # a header repeated inside the data
    lines[290_000] = "X" + lines[290_000][1:]  # an MMSI with a letter
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    df = pl.concat(list(read_csv(path, batch_rows=40_000)))
    assert df.height == n
    assert df["source_row"].sort().to_list() == list(range(1, n + 1))
    reasons = df.filter(pl.col("reason").is_not_null())
    assert sorted(reasons["source_row"].to_list()) == [250_000, 290_000]
    assert set(reasons["reason"].to_list()) == {"unparseable MMSI"}


def test_shifted_lines_and_joined_lines_are_rejected_with_their_reason(tmp_path):
    """An unquoted comma shifts the fields: caught by the field count, or (last field empty) by a
    value that cannot belong to its column. Stray quotes that join lines leave a line break inside a
    field: the file is then read again with quotes as ordinary characters, every line a row."""
    from shipwatch.errors import QuotingError
    from shipwatch.ingest import load_positions

    header = "MMSI,BaseDateTime,LAT,LON,VesselName,IMO,CallSign,TransceiverClass\n"
    path = tmp_path / "shift.csv"
    path.write_text(
        header
        + "366999001,2020-01-01T00:00:00,37.8,-122.4,FOO,IMO1,C1,A\n"
        + "366999002,2020-01-01T00:00:01,37.8,-122.4,FOO, INC,IMO2,C2,B\n"  # extra field "B"
        + "366999003,2020-01-01T00:00:02,37.8,-122.4,FOO, INC,IMO3,C3,\n"  # extra field empty; IMO " INC"
        + '366999004,2020-01-01T00:00:03,37.8,-122.4,"QUOTED","",,""\n'  # quoted empties are fine
        + "366999005,2020-01-01T00:00:04,37.8,-122.4,NAMED,NA,C5,a\n"
    )
    df = pl.concat(list(read_csv(path))).sort("source_row")
    too_many = Reason.TOO_MANY_FIELDS
    assert df["reason"].to_list() == [None, too_many, too_many, None, None]
    number_as_class = tmp_path / "shift2.csv"
    number_as_class.write_text(
        "MMSI,BaseDateTime,LAT,LON,VesselName,CallSign,VesselType,TransceiverClass\n"
        "366999001,2020-01-01T00:00:00,37.8,-122.4,FOO, INC,C1,70,\n"
    )
    assert pl.concat(list(read_csv(number_as_class)))["reason"].to_list() == [too_many]

    joined = tmp_path / "joined.csv"
    joined.write_text(
        header
        + "366999001,2020-01-01T00:00:00,37.8,-122.4,FOO,IMO1,C1,A\n"
        + '366999002,2020-01-01T00:00:01,37.8,-122.4,"BAD,IMO2,C2,A\n'
        + "366999003,2020-01-01T00:00:02,37.8,-122.4,SWALLOWED,IMO3,C3,A\n"
        + '366999004,2020-01-01T00:00:03,37.8,-122.4,X",IMO4,C4,A\n'
        + '366999005,2020-01-01T00:00:04,37.8,-122.4,LIL "D",IMO5,C5,A\n'
    )
    with pytest.raises(QuotingError, match="line break"):
        list(read_csv(joined))
    table, report = load_positions([joined])
    assert report.balanced and report.rows_read == 5 and report.files[0].note is not None
    assert report.rejected_by_reason == {Reason.UNCLOSED_QUOTE: 2}
    assert sorted(table["vessel_name"].to_list()) == ["FOO", 'LIL "D"', "SWALLOWED"]


def test_lines_ending_in_cr_only_are_a_clear_error(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"MMSI,BaseDateTime,LAT,LON\r366999001,2020-01-01T00:00:00,37.8,-122.4\r")
    with pytest.raises(UnreadableFileError, match="CR only"):
        list(read_csv(path))


def test_padded_numbers_read_the_same_on_both_paths(tmp_path):
    path = tmp_path / "pad.csv"
    path.write_text("MMSI,BaseDateTime,LAT,LON,SOG,VesselType\n366999001,2020-01-01T00:00:00,37.8,-122.4, 5,70\n")
    fast = pl.concat(list(read_csv(path, fast=True)))
    text = pl.concat(list(read_csv(path)))
    assert fast.select("sog", "ship_type").row(0) == text.select("sog", "ship_type").row(0) == (5.0, 70)


def test_mapped_iso_times_with_offsets_become_utc_without_a_format(tmp_path):
    path = tmp_path / "offsets.csv"
    path.write_text(
        "when,id,y,x\n2020-07-05T12:00:00+02:00,366999001,37.8,-122.4\n2020-07-05T10:30:00Z,366999001,37.9,-122.4\n"
    )
    df = pl.concat(list(read_csv(path, mapping=parse_mapping("time=when,mmsi=id,lat=y,lon=x"))))
    assert [t.isoformat() for t in df["timestamp"]] == [
        "2020-07-05T10:00:00+00:00",
        "2020-07-05T10:30:00+00:00",
    ]


SAT_HEADER = ('"MMSI","Message_ID","Time","Millisecond","Vessel_Name","Call_sign","Ship_Type","Dimension_to_Bow",'
              '"Dimension_to_stern","Dimension_to_port","Dimension_to_starboard","Part_Number","SOG","Longitude",'
              '"Latitude","COG","Heading"\n')


def test_satellite_type_24_static_rows_are_joined_onto_positions(tmp_path):
    """Like NMEA types 5/24: a vessel's class B static data (parts A and B) on its position rows."""
    path = tmp_path / "sat.csv"
    path.write_text(
        SAT_HEADER
        + '"412549014","18","20210701_180000","0","","","","","","","","","5.0","120.1","30.1","10","11"\n'
        + '"412549014","24","20210701_181000","0","HAI XUN 01","","","","","","","0","","","","",""\n'
        + '"412549014","24","20210701_181500","0","","BZVA6","30","40","40","6","6","1","","","","",""\n'
        + '"412549014","18","20210701_182000","0","","","","","","","","","5.1","120.2","30.2","10","11"\n'
        + '"366773000","18","20210701_182000","0","","","","","","","","","1.0","-120.2","30.2","10","11"\n'
    )
    df = pl.concat(list(read_csv(path)))
    assert df["reason"].to_list() == [None, Reason.STATIC_JOINED, Reason.STATIC_JOINED, None, None]
    pos = df.filter(pl.col("reason").is_null())
    assert pos.select("vessel_name", "callsign", "ship_type", "length_m", "width_m").rows() == [
        ("HAI XUN 01", None, None, None, None),  # before any static row: from the first one after it
        ("HAI XUN 01", "BZVA6", 30, 80.0, 12.0),  # parts A and B accumulated
        (None, None, None, None, None),  # another vessel
    ]
    from shipwatch.ingest import load_positions

    table, report = load_positions([path])
    assert report.balanced and report.rejected_by_reason == {Reason.STATIC_JOINED: 2}
    assert table.filter(pl.col("mmsi") == 412549014)["vessel_name"].to_list() == ["HAI XUN 01"] * 2
