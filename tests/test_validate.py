"""Validation: not-available values become nulls, unusable rows get a reason, nothing is lost."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shipwatch import schema
from shipwatch.validate import Reason, dedup, validate

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def frame(**cols) -> pl.DataFrame:
    n = max(len(v) for v in cols.values())
    base = {"mmsi": [219000001] * n, "timestamp": [T0] * n, "lat": [55.0] * n, "lon": [12.0] * n}
    base.update(cols)
    return schema.conform(pl.DataFrame(base))


def test_sentinels_become_nulls_on_accepted_rows():
    v = validate(
        frame(
            sog=[102.3, 5.0],
            cog=[360.0, 10.0],
            heading=[511.0, 20.0],
            imo=[0, 9307839],
            nav_status=[15, 3],
            ship_type=[0, 70],
            length_m=[0.0, 50.0],
        )
    )
    assert v.rejected.height == 0
    a = v.accepted
    assert a["sog"].to_list() == [None, 5.0]
    assert a["cog"].to_list() == [None, 10.0]
    assert a["heading"].to_list() == [None, 20.0]
    assert a["imo"].to_list() == [None, 9307839]
    assert a["nav_status"].to_list() == [15, 3]  # 15 "not defined" is a real code
    assert a["ship_type"].to_list() == [None, 70]
    assert a["length_m"].to_list() == [None, 50.0]


@pytest.mark.parametrize(
    ("cols", "reason"),
    [
        ({"mmsi": [None]}, Reason.MISSING_MMSI),
        ({"mmsi": [0]}, Reason.MMSI_ZERO),
        ({"mmsi": [2190068]}, Reason.BASE_STATION),  # 002190068 with lost zeros
        ({"mmsi": [992191000]}, Reason.ATON),
        ({"mmsi": [111219001]}, Reason.SAR_AIRCRAFT),
        ({"mmsi": [970219001]}, Reason.SART),
        ({"mmsi": [972219001]}, Reason.MOB),
        ({"mmsi": [974219001]}, Reason.EPIRB),
        ({"mmsi": [21900001]}, Reason.MMSI_NOT_9_DIGITS),
        ({"mmsi": [1219000001]}, Reason.MMSI_NOT_9_DIGITS),
        ({"timestamp": [None]}, Reason.MISSING_TIME),
        ({"lat": [91.0]}, Reason.POSITION_NOT_AVAILABLE),
        ({"lon": [181.0]}, Reason.POSITION_NOT_AVAILABLE),
        ({"lat": [None]}, Reason.MISSING_POSITION),
        ({"lon": [float("nan")]}, Reason.MISSING_POSITION),
        ({"lat": [-90.5]}, Reason.POSITION_OUT_OF_RANGE),
        ({"lon": [200.0]}, Reason.POSITION_OUT_OF_RANGE),
        ({"lat": [0.0], "lon": [0.0]}, Reason.NULL_ISLAND),
    ],
)
def test_each_reject_reason(cols, reason):
    v = validate(frame(**cols))
    assert v.accepted.height == 0
    assert v.rejected["reason"].to_list() == [reason]


def test_reader_reason_wins_and_rows_are_kept_as_read():
    df = frame(mmsi=[0, 219000001], lat=[91.0, 55.0]).with_columns(
        pl.Series("reason", ["undecodable sentence", None])
    )
    v = validate(df)
    assert v.rejected["reason"].to_list() == ["undecodable sentence"]
    assert v.rejected["lat"].to_list() == [91.0]  # rejects keep the values read
    assert list(v.rejected.schema) == list(schema.REJECT_SCHEMA)
    assert v.accepted.height == 1


def test_boundaries_are_accepted():
    v = validate(
        frame(
            mmsi=[100000000, 999999999 - 10_000_000, 219000001, 219000001],
            lat=[90.0, -90.0, 0.0, 1.0],
            lon=[180.0, -180.0, 1.0, 0.0],
        )
    )
    assert v.rejected.height == 0 and v.accepted.height == 4


def test_accounting_balances_on_mixed_input():
    df = frame(mmsi=[219000001, 0, 2190068, None, 219000002], lat=[55.0, 55.0, 55.0, 55.0, 91.0])
    v = validate(df)
    assert v.accepted.height + v.rejected.height == df.height == 5
    assert v.accepted.height == 1


def test_dedup_keeps_first_in_source_order_whatever_the_input_order():
    a = frame(mmsi=[219000001, 219000001]).with_columns(
        pl.Series("source_file", ["b.csv", "a.csv"]), pl.Series("source_row", [1, 7], dtype=pl.Int64)
    )
    for df in (a, a.reverse()):
        out = dedup(df)
        assert out.height == 1
        assert (out["source_file"][0], out["source_row"][0]) == ("a.csv", 7)


def test_dedup_keeps_rows_that_differ_in_any_report_column():
    df = frame(mmsi=[219000001] * 3, sog=[1.0, 2.0, 1.0]).with_columns(
        pl.Series("source_row", [1, 2, 3], dtype=pl.Int64)
    )
    out = dedup(df)
    assert out["sog"].to_list() == [1.0, 2.0]  # rows 1 and 3 are equal; row 2 in between differs


def test_usable_rows_are_exactly_those_without_a_reason():
    from shipwatch.validate import reason_expr, usable_expr

    nan = float("nan")
    mmsis = [None, 0, 2190068, 99999999, 100000000, 111219001, 219000001, 970219001, 972000000,
             974999999, 989999999, 990000000, 999999999, 1000000000]  # fmt: skip
    coords = [None, nan, -90.5, -90.0, 0.0, 12.5, 90.0, 91.0, 181.0, 180.0, -180.0]
    df = (
        pl.DataFrame({"mmsi": mmsis})
        .join(pl.DataFrame({"lat": coords}), how="cross")
        .join(pl.DataFrame({"lon": coords}), how="cross")
        .join(pl.DataFrame({"timestamp": [T0, None]}), how="cross")
        .join(pl.DataFrame({"reason": [None, "given"]}), how="cross")
    )
    df = schema.conform(df).with_columns(pl.Series("reason", df["reason"]))
    out = df.select(reason_expr().is_null().alias("want"), usable_expr().alias("got"))
    assert out["got"].null_count() == 0
    assert out["want"].equals(out["got"].alias("want"))
    v = validate(df)
    assert v.accepted.height == out["want"].sum() and v.rejected["reason"].null_count() == 0
