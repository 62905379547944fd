"""Regression tests for what the fuzzer found (docs/fuzzing.md): each case once, small and fast."""

from __future__ import annotations

import time

import pytest

from shipwatch.errors import ShipwatchError, UnreadableFileError, one_line
from shipwatch.ingest import load_positions
from shipwatch.readers.csv import read_header_line

HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
ROW = "367752440,2023-01-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A"


def test_header_with_a_bare_cr_inside_is_split_not_a_csv_error():
    assert read_header_line("a,b\rc,d\n") == ["a", "b\rc", "d"]


def test_header_with_a_few_hundred_empty_names_is_read_in_linear_time(tmp_path):
    path = tmp_path / "AIS_2023_01_11.csv"
    path.write_text(HEADER + "," * 900 + "\n" + ROW + "\n")
    t0 = time.perf_counter()
    _, acc = load_positions([path])
    assert time.perf_counter() - t0 < 10
    assert acc.rows_read == acc.rows_accepted + acc.rows_rejected + acc.rows_duplicate == 1


@pytest.mark.parametrize(
    ("name", "header", "mapping"),
    [
        ("AIS_2023_01_11.csv", HEADER, None),
        # found by `make fuzz` (10,000 cases): the Solent file's header followed by a line of commas took
        # 9 s with --map, and hypothesis' shrinking of such cases ran the process out of memory
        ("solent.csv", "Time,MMSI,Latitude_degrees,Longitude_degrees,COG_degrees,SOG_knots",
         "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees"),
    ],
)
def test_header_of_thousands_of_fields_is_one_line_error_at_once(tmp_path, name, header, mapping):
    path = tmp_path / name
    path.write_text(header + "," * 20000 + "\n" + ROW + "\n")
    t0 = time.perf_counter()
    with pytest.raises(UnreadableFileError, match=r"header has 20,0\d\d columns"):
        load_positions([path], mapping=mapping)
    assert time.perf_counter() - t0 < 2


def test_library_messages_quoted_in_an_error_stay_on_one_line(tmp_path):
    err = UnreadableFileError("x.parquet: cannot read Parquet data: Invalid data\nDeserializing page header failed.\n")
    assert str(err) == "x.parquet: cannot read Parquet data: Invalid data Deserializing page header failed."
    assert len(one_line("x" * 100_000)) == 1000


def test_corrupt_parquet_is_one_line(tmp_path):
    path = tmp_path / "p.parquet"
    path.write_bytes(b"PAR1" + b"\x00\xff" * 200 + b"PAR1")
    with pytest.raises(ShipwatchError) as info:
        load_positions([path])
    assert "\n" not in str(info.value)


def _flipped_gpkg(tmp_path, offset: int, byte: int):
    from conftest import REAL_AIS

    src = REAL_AIS / "dma/dma_2017-07-05_gothenburg.gpkg"
    if not src.exists():
        pytest.skip(f"real AIS file not found: {src}")
    data = src.read_bytes()
    path = tmp_path / "ships.gpkg"
    path.write_bytes(data[:offset] + bytes([byte]) + data[offset + 1:])
    return path


@pytest.mark.parametrize(
    ("offset", "byte"),
    [
        # found by a byte-flip loop over the DMA GeoPackage (docs/fuzzing.md): a geometry that is not WKB
        # raised shapely's GEOSException; a name that is not UTF-8 made polars panic in to_lowercase
        (99675, 75),
        (102186, 221),
    ],
)
def test_geopackage_with_a_corrupt_byte_gives_counted_rows(tmp_path, offset, byte):
    _, acc = load_positions([_flipped_gpkg(tmp_path, offset, byte)])
    assert acc.rows_read > 0
    assert acc.rows_read == acc.rows_accepted + acc.rows_rejected + acc.rows_duplicate


def test_header_line_with_bare_crs_is_one_line_error_at_once(tmp_path):
    # found by `make fuzz` (the slowest marinecadastre case, 7.6 s for 20 KB): most line ends turned to CR,
    # so the first LF-ended line held the header and many rows; polars then took seconds per batch
    path = tmp_path / "AIS_2023_01_11.csv"
    path.write_bytes((HEADER + "\r" + (ROW + "\r") * 60 + "\n" + ROW + "\n").encode())
    t0 = time.perf_counter()
    with pytest.raises(UnreadableFileError, match="bare CR"):
        load_positions([path])
    assert time.perf_counter() - t0 < 2


@pytest.mark.parametrize("vessel_id", ["9" * 4301, "²", "١٢٣"])
def test_vessel_ids_of_thousands_of_digits_or_other_scripts_digits_are_keys(tmp_path, vessel_id):
    # found by `make fuzz` (mapped_id, 10,000 cases): an id of 4,301 nines raised ValueError from int()
    path = tmp_path / "suez.csv"
    path.write_text(f"ID,ais_pos_timestamp,longitude,latitude\n{vessel_id},20/03/2021 00:22,32.3,31.4\n1,20/03/2021 01:25,32.4,31.4\n")
    mapping = "time=ais_pos_timestamp,id=ID,lat=latitude,lon=longitude,time_format=%d/%m/%Y %H:%M"
    table, acc = load_positions([path], mapping=mapping)
    assert acc.rows_read == 2 == acc.rows_accepted
    assert table["mmsi"].n_unique() == 2


def test_geopackage_that_sqlite_finds_malformed_mid_read_is_one_line(tmp_path):
    # found by `make fuzz` (geopackage_bytes): pyogrio raised a bare OSError ("database disk image is malformed")
    with pytest.raises(UnreadableFileError, match="malformed") as info:
        load_positions([_flipped_gpkg(tmp_path, 65536, 0)])
    assert "\n" not in str(info.value)


def test_parquet_whose_footer_names_are_not_utf8_is_one_line():
    # found by `make fuzz` (parquet_bytes): pyarrow raised UnicodeDecodeError decoding the column paths;
    # the file is the failing case itself (5 KB, tests/fuzz/cases; not in tests/data, which notebooks ingest whole)
    from pathlib import Path

    case = Path(__file__).resolve().parent / "cases" / "fuzz_parquet_footer_not_utf8.parquet"
    with pytest.raises(UnreadableFileError, match="not a readable Parquet file") as info:
        load_positions([case])
    assert "\n" not in str(info.value)


def test_parquet_text_that_is_not_utf8_is_read_with_replacement_characters(tmp_path):
    # found by `make fuzz` (parquet_bytes): polars panicked (Utf8Error) on a damaged string page
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.table({"MMSI": [367752440, 367752441], "BaseDateTime": ["2023-01-11T00:00:00", "2023-01-11T00:01:00"],
                  "LAT": [43.07, 43.08], "LON": [-70.75, -70.76], "VesselName": ["QQQQZZZZ", "SAN JOSE"]})
    buf = io.BytesIO()
    pq.write_table(t, buf, compression="none", use_dictionary=False, write_statistics=False)
    path = tmp_path / "AIS_2023_01_11.parquet"
    path.write_bytes(buf.getvalue().replace(b"QQQQZZZZ", b"\xff\xfe\x80QZZZZ"))
    table, acc = load_positions([path])
    assert acc.rows_read == acc.rows_accepted == 2
    assert table["vessel_name"].to_list()[0].endswith("QZZZZ")


@pytest.mark.parametrize("where", ["schema", "field"])
def test_parquet_metadata_that_is_not_utf8_is_ignored(tmp_path, where):
    # found by `make fuzz` (parquet_bytes): a flipped byte in the footer's key `ARROW:schema` made polars panic
    # (Utf8Error in its Arrow schema import); shipwatch reads no metadata, so the rows are read as they are
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.table({"MMSI": [367752440, 367752441], "BaseDateTime": ["2023-01-11T00:00:00", "2023-01-11T00:01:00"],
                  "LAT": [43.07, 43.08], "LON": [-70.75, -70.76], "VesselName": ["SAN JOSE", "SAN JOSE"]})
    bad = {b"ARROW:sc\xb5ema": b"\xff\xfe"}
    if where == "schema":
        t = t.replace_schema_metadata(bad)
    else:
        t = t.cast(pa.schema([f.with_metadata(bad) if f.name == "LAT" else f for f in t.schema]))
    path = tmp_path / "AIS_2023_01_11.parquet"
    pq.write_table(t, path)
    table, acc = load_positions([path])
    assert acc.rows_read == acc.rows_accepted == 2
    assert table["lat"].to_list() == [43.07, 43.08]


def test_rows_of_a_thousand_fields_are_read_at_once(tmp_path):
    # found by `make fuzz` (the slowest marinecadastre case, 5.8 s for 40 rows): NEL line ends and doubled lines
    # made every line a copy of the header of 961 fields; reading such rows as text (their MMSI unparseable),
    # polars ran the blank-line test, pushed into its CSV scan, for seconds
    extra = 980
    path = tmp_path / "AIS_2023_01_11.csv"
    rows = [HEADER + "".join(f",x{i}" for i in range(extra))] + ["x" + ROW + ",1.5" * extra] * 40
    path.write_text("\n".join([*rows, "," * (16 + extra)]) + "\n")
    t0 = time.perf_counter()
    _, acc = load_positions([path])
    assert time.perf_counter() - t0 < 2
    assert (acc.rows_read, acc.rows_rejected) == (40, 40)  # the blank line is no row


def test_geopackage_whose_field_names_are_not_utf8_is_one_line(tmp_path):
    # found by `make fuzz` (geopackage_bytes): pyogrio raised UnicodeDecodeError decoding a damaged field name
    import geopandas as gpd
    from shapely.geometry import Point

    made = tmp_path / "made.gpkg"
    gpd.GeoDataFrame({"MMSI": [219000001], "Timestamp": ["05/07/2017 00:00:00"], "QQQQZZZZ": ["x"]},
                     geometry=[Point(11.9, 57.7)], crs="EPSG:4326").to_file(made)
    path = tmp_path / "ships.gpkg"
    data = made.read_bytes()
    assert data.count(b"QQQQZZZZ") >= 1
    path.write_bytes(data.replace(b"QQQQZZZZ", b"\x80QQQZZZZ"))
    with pytest.raises(UnreadableFileError) as info:
        load_positions([path])
    assert "\n" not in str(info.value)


def test_parquet_with_a_column_name_twice_is_one_line(tmp_path):
    # found by `make fuzz` (parquet_bytes): a flipped byte gave two columns the name COG; polars raised
    # DuplicateError from inside the reader
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.table({"MMSI": [367752440], "BaseDateTime": ["2023-01-11T00:00:00"], "LAT": [43.07], "LON": [-70.75],
                  "COG": [1.0], "COH": [2.0]})
    made = tmp_path / "made.parquet"
    pq.write_table(t, made, store_schema=False)
    path = tmp_path / "AIS_2023_01_11.parquet"
    path.write_bytes(made.read_bytes().replace(b"COH", b"COG"))
    with pytest.raises(UnreadableFileError, match="'COG' appears more than once") as info:
        load_positions([path])
    assert "\n" not in str(info.value)


def _parquet_with(tmp_path, **columns):
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = {"MMSI": pa.array([367752440, 367752441]),
            "BaseDateTime": pa.array(["2023-01-11T00:00:00", "2023-01-11T00:01:00"]),
            "LAT": pa.array([43.07, 43.08]), "LON": pa.array([-70.75, -70.76])}
    path = tmp_path / "AIS_2023_01_11.parquet"
    pq.write_table(pa.table({**base, **columns}), path)
    return path


def test_parquet_text_stored_as_plain_binary_is_read_as_text(tmp_path):
    # found by `make fuzz` (parquet_bytes): a flipped byte made IMO a binary column and polars' cast to Int64
    # raised; binary is how writers without the UTF-8 annotation store strings, so it is read as text
    import pyarrow as pa

    path = _parquet_with(tmp_path, IMO=pa.array([b"IMO9307839", b"\xff"]), VesselName=pa.array([b"SAN JOSE", None]))
    table, acc = load_positions([path])
    assert acc.rows_accepted == 2
    assert table.sort("mmsi")["imo"].to_list() == [9307839, None]
    assert table.sort("mmsi")["vessel_name"].to_list() == ["SAN JOSE", None]


def test_parquet_column_that_holds_no_values_is_one_line_error(tmp_path):
    import pyarrow as pa

    path = _parquet_with(tmp_path, SOG=pa.array([[1.0], [2.0]]))
    with pytest.raises(UnreadableFileError, match=r"column 'SOG' \(sog\) holds List") as info:
        load_positions([path])
    assert "\n" not in str(info.value)
