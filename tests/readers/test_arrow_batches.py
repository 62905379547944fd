"""shipwatch.readers.arrow_batches: what a damaged Parquet or GeoPackage can hand polars (found by make fuzz)."""

from __future__ import annotations

import datetime as dt
import decimal

import polars as pl
import pyarrow as pa
import pytest

from shipwatch.errors import UnreadableFileError
from shipwatch.readers.arrow_batches import to_polars


def _one(array: pa.Array, name: str = "x") -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([array], names=[name])


def test_a_time_zone_no_database_knows_is_read_as_the_utc_instants_it_holds():
    df = to_polars(_one(pa.array([0, 60], type=pa.timestamp("s", tz="Not/AZone"))), where="f", row=1)
    assert df["x"].to_list() == [dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.datetime(1970, 1, 1, 0, 1, tzinfo=dt.UTC)]


def test_a_known_time_zone_keeps_its_instants():
    oslo = pa.array([3_600], type=pa.timestamp("s", tz="Europe/Oslo"))
    df = to_polars(_one(oslo), where="f", row=1)
    assert df["x"].to_list() == [dt.datetime(1970, 1, 1, 1, tzinfo=dt.UTC)]


@pytest.mark.parametrize("dictionary", [False, True])
def test_wide_decimals_are_floats_not_a_panic(dictionary):
    a = pa.array([None, decimal.Decimal("123.45")], type=pa.decimal256(40, 2))
    df = to_polars(_one(a.dictionary_encode() if dictionary else a), where="f", row=1)
    assert df["x"].to_list() == [None, 123.45]


def test_a_union_column_is_one_line_error_naming_file_and_row():
    union = pa.UnionArray.from_sparse(pa.array([0], type=pa.int8()), [pa.array([1]), pa.array(["a"])])
    with pytest.raises(UnreadableFileError, match=r"^f\.parquet is corrupt near row 7 ") as info:
        to_polars(_one(union), where="f.parquet", row=7)
    assert "\n" not in str(info.value)


def test_metadata_that_is_not_utf8_is_dropped_at_every_level():
    inner = pa.field("v", pa.float64(), metadata={b"k\xb5": b"\xff"})
    struct = pa.array([{"v": 1.0}], type=pa.struct([inner]))
    batch = pa.RecordBatch.from_arrays([struct, pa.array([2.0])], schema=pa.schema(
        [pa.field("s", struct.type), pa.field("y", pa.float64(), metadata={b"\xff": b"\xfe"})],
        metadata={b"ARROW:sc\xb5ema": b"\x80"}))
    df = to_polars(batch, where="f", row=1)
    assert df.to_dicts() == [{"s": {"v": 1.0}, "y": 2.0}]


def test_text_that_is_not_utf8_gets_replacement_characters():
    raw = pa.array([b"SAN JOSE", b"\xff\xfeQ", None], type=pa.binary())
    df = to_polars(_one(raw.view(pa.string()), "name"), where="f", row=1)
    assert df["name"].to_list() == ["SAN JOSE", "\ufffd\ufffdQ", None]


def test_a_column_name_twice_is_one_line_error():
    batch = pa.RecordBatch.from_arrays([pa.array([1.0]), pa.array([2.0])], names=["COG", "COG"])
    with pytest.raises(UnreadableFileError, match="'COG' appears more than once"):
        to_polars(batch, where="f", row=1)


@pytest.mark.parametrize("kind", ["binary", "large_binary", "fixed", "dictionary"])
def test_binary_read_as_text_is_repaired_like_text(kind):
    raw = {"binary": pa.array([b"SAN JOSE", b"\xffQ"]),
           "large_binary": pa.array([b"SAN JOSE", b"\xffQ"], type=pa.large_binary()),
           "fixed": pa.array([b"SAN JOSE", b"\xffQ      "], type=pa.binary(8)),
           "dictionary": pa.array([b"SAN JOSE", b"\xffQ"]).dictionary_encode()}[kind]
    df = to_polars(_one(raw, "name"), where="f", row=1, binary_as_text=True)
    assert [v.rstrip() for v in df["name"].to_list()] == ["SAN JOSE", "\ufffdQ"]
    kept = to_polars(_one(raw, "name"), where="f", row=1)  # GeoPackage: a BLOB attribute stays bytes
    assert kept["name"].dtype in (pl.Binary, pl.Categorical) or kind == "dictionary"
