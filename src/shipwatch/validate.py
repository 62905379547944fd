"""Validation of canonical AIS rows: not-available values to nulls, unusable rows rejected with a reason.

The policy is lenient and explicit: a row is never silently dropped. Every row read ends up accepted
or rejected (with one reason from :class:`Reason`); exact duplicates are counted by the store or by
:func:`dedup`. Everything here is whole-column polars expressions; there is no loop over rows.

Rules, first match wins:

1. a reason the reader already gave (column ``reason``, e.g. "not a position report");
2. MMSI missing, 0, or not a ship: base station ``00MIDxxxx`` (seen as 7 digits once the leading
   zeros are lost), aid to navigation ``99MIDxxxx``, SAR aircraft ``111MIDxxx``, AIS-SART ``970``,
   man-overboard ``972``, EPIRB-AIS ``974``, anything else outside 100000000..999999999;
3. timestamp missing;
4. position not available (lat 91 or lon 181), missing, out of range, or exactly 0,0.

Accepted rows get these not-available values turned into nulls: SOG 102.3 (and anything outside
0..102.2 kn), COG 360 (outside 0..<360°), heading 511 (outside 0..<360°), navigational status
outside 0..15, IMO outside 1000000..9999999 (``IMO0000000``), ship type 0, dimensions ≤ 0 m.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from shipwatch import schema
from shipwatch.schema import COG, HEADING, IMO, LAT, LON, MMSI, NAV_STATUS, REASON, SHIP_TYPE, SOG, TIMESTAMP


class Reason:
    """The reject reasons shipwatch itself assigns (readers may add their own strings)."""

    NOT_POSITION = "not a position report"
    UNDECODABLE = "undecodable sentence"
    UNPARSEABLE_MMSI = "unparseable MMSI"
    UNPARSEABLE_TIME = "unparseable timestamp"
    UNPARSEABLE_POSITION = "unparseable position"
    MISSING_MMSI = "missing MMSI"
    MMSI_ZERO = "MMSI 0"
    BASE_STATION = "not a ship: base station (00MIDxxxx)"
    ATON = "not a ship: aid to navigation (99MIDxxxx)"
    SAR_AIRCRAFT = "not a ship: SAR aircraft (111MIDxxx)"
    SART = "not a ship: AIS-SART (970xxxxxx)"
    MOB = "not a ship: man-overboard device (972xxxxxx)"
    EPIRB = "not a ship: EPIRB-AIS (974xxxxxx)"
    MMSI_NOT_9_DIGITS = "MMSI not 9 digits"
    MISSING_TIME = "missing timestamp"
    POSITION_NOT_AVAILABLE = "position not available (lat 91 / lon 181)"
    MISSING_POSITION = "missing position"
    POSITION_OUT_OF_RANGE = "position out of range"
    NULL_ISLAND = "position 0,0"


@dataclass(frozen=True)
class Validated:
    """The result of :func:`validate`.

    Attributes
    ----------
    accepted : pl.DataFrame
        Canonical columns (:data:`shipwatch.schema.CANONICAL`), not-available values nulled.
    rejected : pl.DataFrame
        Canonical columns plus ``reason`` (:data:`shipwatch.schema.REJECT_SCHEMA`), values as read.
    """

    accepted: pl.DataFrame
    rejected: pl.DataFrame


def _between(col: str, lo: int, hi: int) -> pl.Expr:
    return pl.col(col).is_between(lo, hi)


def reason_expr() -> pl.Expr:
    """Expression giving each row's reject reason (null for a usable row); see the module rules."""
    m = pl.col(MMSI)
    lat = pl.col(LAT).fill_nan(None)
    lon = pl.col(LON).fill_nan(None)
    given = pl.col(REASON)  # always present: with_reason() adds it
    return (
        pl.when(given.is_not_null())
        .then(given)
        .when(m.is_null())
        .then(pl.lit(Reason.MISSING_MMSI))
        .when(m == 0)
        .then(pl.lit(Reason.MMSI_ZERO))
        .when(_between(MMSI, 2_000_000, 7_999_999))
        .then(pl.lit(Reason.BASE_STATION))
        .when(_between(MMSI, 990_000_000, 999_999_999))
        .then(pl.lit(Reason.ATON))
        .when(_between(MMSI, 111_000_000, 111_999_999))
        .then(pl.lit(Reason.SAR_AIRCRAFT))
        .when(_between(MMSI, 970_000_000, 970_999_999))
        .then(pl.lit(Reason.SART))
        .when(_between(MMSI, 972_000_000, 972_999_999))
        .then(pl.lit(Reason.MOB))
        .when(_between(MMSI, 974_000_000, 974_999_999))
        .then(pl.lit(Reason.EPIRB))
        .when(~_between(MMSI, 100_000_000, 999_999_999))
        .then(pl.lit(Reason.MMSI_NOT_9_DIGITS))
        .when(pl.col(TIMESTAMP).is_null())
        .then(pl.lit(Reason.MISSING_TIME))
        .when((lat == 91) | (lon == 181))
        .then(pl.lit(Reason.POSITION_NOT_AVAILABLE))
        .when(lat.is_null() | lon.is_null())
        .then(pl.lit(Reason.MISSING_POSITION))
        .when(~lat.is_between(-90, 90) | ~lon.is_between(-180, 180))
        .then(pl.lit(Reason.POSITION_OUT_OF_RANGE))
        .when((lat == 0) & (lon == 0))
        .then(pl.lit(Reason.NULL_ISLAND))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias(REASON)
    )


def _null_unless(col: str, ok: pl.Expr) -> pl.Expr:
    return pl.when(ok).then(pl.col(col)).otherwise(None).alias(col)


def not_available_to_null() -> list[pl.Expr]:
    """Expressions turning not-available/out-of-range optional values into nulls (see module doc)."""
    return [
        _null_unless(SOG, (pl.col(SOG) >= 0) & (pl.col(SOG) < 102.25)),
        _null_unless(COG, (pl.col(COG) >= 0) & (pl.col(COG) < 360)),
        _null_unless(HEADING, (pl.col(HEADING) >= 0) & (pl.col(HEADING) < 360)),
        _null_unless(NAV_STATUS, pl.col(NAV_STATUS).is_between(0, 15)),
        _null_unless(IMO, pl.col(IMO).is_between(1_000_000, 9_999_999)),
        _null_unless(SHIP_TYPE, pl.col(SHIP_TYPE) > 0),
        *(_null_unless(c, pl.col(c) > 0) for c in (schema.LENGTH_M, schema.WIDTH_M, schema.DRAUGHT_M)),
    ]


def with_reason(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Conform ``frame`` to the canonical schema and add the final ``reason`` column (lazy)."""
    names = frame.collect_schema().names()
    given = pl.col(REASON).cast(pl.String) if REASON in names else pl.lit(None, dtype=pl.String)
    canon = [
        pl.col(c).cast(t, strict=False) if c in names else pl.lit(None, dtype=t).alias(c)
        for c, t in schema.CANONICAL.items()
    ]
    return frame.select(*canon, given.alias(REASON)).with_columns(reason_expr())


def validate(frame: pl.DataFrame | pl.LazyFrame) -> Validated:
    """Split a canonical frame into accepted and rejected rows.

    Parameters
    ----------
    frame : pl.DataFrame or pl.LazyFrame
        Canonical columns (missing ones are added as nulls), optionally a reader's ``reason``.

    Returns
    -------
    Validated
        ``accepted`` (sentinels nulled) and ``rejected`` (with ``reason``); their heights add up to
        the input's height.

    Examples
    --------
    >>> import polars as pl
    >>> v = validate(pl.DataFrame({"mmsi": [219000001, 2190001], "lat": [55.0, 55.0], "lon": [12.0, 12.0],
    ...     "timestamp": ["2024-01-01T00:00:00Z"] * 2}).with_columns(pl.col("timestamp").str.to_datetime()))
    >>> v.accepted.height, v.rejected["reason"].to_list()
    (1, ['not a ship: base station (00MIDxxxx)'])
    """
    df = with_reason(frame.lazy()).collect()
    rejected = df.filter(pl.col(REASON).is_not_null())
    accepted = (
        df.filter(pl.col(REASON).is_null()).select(schema.COLUMNS).with_columns(not_available_to_null())
    )
    return Validated(accepted=accepted, rejected=rejected)


def dedup(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop exact duplicates (equal on :data:`shipwatch.schema.REPORT_COLUMNS`) and sort.

    Rows are sorted by mmsi, timestamp, source_file, source_row; of equal rows the first in that
    order is kept, so the result does not depend on the order the inputs were given in. Only rows
    sharing (mmsi, timestamp) with a neighbour can be duplicates, so only those are compared in full.
    """
    df = frame.sort(sort_keys(frame))
    same = (pl.col(MMSI) == pl.col(MMSI).shift(1)) & (pl.col(TIMESTAMP) == pl.col(TIMESTAMP).shift(1))
    same = same.fill_null(False)
    idx = "__dedup_index"
    candidates = df.with_row_index(idx).filter(same | same.shift(-1).fill_null(False))
    if candidates.is_empty():
        return df
    drop = candidates.filter(~pl.struct(schema.REPORT_COLUMNS).is_first_distinct())[idx]
    if drop.is_empty():
        return df
    return df.with_row_index(idx).filter(~pl.col(idx).is_in(drop.implode())).drop(idx)


def sort_keys(frame: pl.DataFrame) -> list[pl.Expr]:
    """Sort expressions giving the store's row order: mmsi, timestamp, source_file, source_row.

    For speed the first key packs mmsi and whole UTC seconds into one integer (mmsi < 2**30, seconds
    clipped to 0..2**33, i.e. 1970..2242) and source_file is ranked through a sorted Enum; the order is
    exactly that of the four columns.
    """
    files = sorted(frame[schema.SOURCE_FILE].drop_nulls().unique().to_list())
    seconds = pl.col(TIMESTAMP).dt.epoch("s").clip(0, 2**33 - 1)
    return [
        pl.col(MMSI) * 2**33 + seconds,
        pl.col(TIMESTAMP),
        pl.col(schema.SOURCE_FILE).cast(pl.Enum(files)).to_physical(),
        pl.col(schema.SOURCE_ROW),
    ]
