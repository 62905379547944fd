"""Validation of canonical AIS rows: not-available values to nulls, unusable rows rejected with a reason.

The policy is lenient and explicit: a row is never silently dropped. Every row read ends up accepted
or rejected (with one reason from :class:`shipwatch.reasons.Reason`, re-exported here); exact
duplicates are counted by the store (:func:`shipwatch.store_order.dedup`). Everything here is
whole-column polars expressions; there is no loop over rows.

Rules, first match wins:

1. a reason the reader already gave (column ``reason``, e.g. "not a position report");
2. MMSI missing, 0, or not a ship: base station ``00MIDxxxx`` (seen as 7 digits once the leading
   zeros are lost), aid to navigation ``99MIDxxxx``, SAR aircraft ``111MIDxxx``, AIS-SART ``970``,
   man-overboard ``972``, EPIRB-AIS ``974``, anything else outside 100000000..999999999. With
   ``mmsi_rules=False`` (vessels keyed by an id that is not an MMSI, ``--map id=...``) only a missing
   key rejects a row here;
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
from shipwatch.reasons import Reason
from shipwatch.schema import COG, HEADING, IMO, LAT, LON, MMSI, NAV_STATUS, REASON, SHIP_TYPE, SOG, TIMESTAMP
from shipwatch.store_order import dedup  # noqa: F401  (moved to the store; kept for bench/detect.py)

__all__ = ["Reason", "Validated", "reason_expr", "usable_expr", "validate", "with_reason"]


@dataclass(frozen=True)
class Validated:
    """The result of :func:`validate`.

    Attributes
    ----------
    accepted : pl.DataFrame
        Canonical columns (:data:`shipwatch.schema.CANONICAL`), not-available values nulled
        (``source_file`` stays an Enum if it was one).
    rejected : pl.DataFrame
        Canonical columns plus ``reason`` (:data:`shipwatch.schema.REJECT_SCHEMA`), values as read.
    """

    accepted: pl.DataFrame
    rejected: pl.DataFrame


def _between(col: str, lo: int, hi: int) -> pl.Expr:
    return pl.col(col).is_between(lo, hi)


def reason_expr(*, mmsi_rules: bool = True) -> pl.Expr:
    """Expression giving each row's reject reason (null for a usable row); see the module rules.

    ``mmsi_rules=False``: the ``mmsi`` column holds keys of vessels known by an id that is not an
    MMSI (``--map id=...``); only a missing key is a reason then.
    """
    m = pl.col(MMSI)
    lat = pl.col(LAT).fill_nan(None)
    lon = pl.col(LON).fill_nan(None)
    given = pl.col(REASON)  # always present: with_reason() adds it
    rules: list[tuple[pl.Expr, pl.Expr]] = [
        (given.is_not_null(), given),
        (m.is_null(), pl.lit(Reason.MISSING_MMSI)),
    ]
    if mmsi_rules:
        rules += [
            (m == 0, pl.lit(Reason.MMSI_ZERO)),
            (_between(MMSI, 2_000_000, 7_999_999), pl.lit(Reason.BASE_STATION)),
            (_between(MMSI, 990_000_000, 999_999_999), pl.lit(Reason.ATON)),
            (_between(MMSI, 111_000_000, 111_999_999), pl.lit(Reason.SAR_AIRCRAFT)),
            (_between(MMSI, 970_000_000, 970_999_999), pl.lit(Reason.SART)),
            (_between(MMSI, 972_000_000, 972_999_999), pl.lit(Reason.MOB)),
            (_between(MMSI, 974_000_000, 974_999_999), pl.lit(Reason.EPIRB)),
            (~_between(MMSI, 100_000_000, 999_999_999), pl.lit(Reason.MMSI_NOT_9_DIGITS)),
        ]
    rules += [
        (pl.col(TIMESTAMP).is_null(), pl.lit(Reason.MISSING_TIME)),
        ((lat == 91) | (lon == 181), pl.lit(Reason.POSITION_NOT_AVAILABLE)),
        (lat.is_null() | lon.is_null(), pl.lit(Reason.MISSING_POSITION)),
        (~lat.is_between(-90, 90) | ~lon.is_between(-180, 180), pl.lit(Reason.POSITION_OUT_OF_RANGE)),
        ((lat == 0) & (lon == 0), pl.lit(Reason.NULL_ISLAND)),
    ]
    (first, then), *rest = rules
    expr = pl.when(first).then(then)
    for cond, value in rest:
        expr = expr.when(cond).then(value)
    return expr.otherwise(pl.lit(None, dtype=pl.String)).alias(REASON)


_OK = "__usable"
_NA_COLUMNS = (
    SOG,
    COG,
    HEADING,
    NAV_STATUS,
    IMO,
    SHIP_TYPE,
    schema.LENGTH_M,
    schema.WIDTH_M,
    schema.DRAUGHT_M,
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


def _conform(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The canonical columns plus the reader's ``reason`` (null when it gave none)."""
    names = frame.collect_schema().names()
    given = pl.col(REASON).cast(pl.String) if REASON in names else pl.lit(None, dtype=pl.String)
    types = frame.collect_schema()
    canon = [
        pl.lit(None, dtype=t).alias(c)
        if c not in names
        else pl.col(c)
        if c == schema.SOURCE_FILE and isinstance(types[c], pl.Enum)  # kept (4 bytes a row)
        else pl.col(c).cast(t, strict=False)
        for c, t in schema.CANONICAL.items()
    ]
    return frame.select(*canon, given.alias(REASON))


def with_reason(frame: pl.LazyFrame, *, mmsi_rules: bool = True) -> pl.LazyFrame:
    """Conform ``frame`` to the canonical schema and add the final ``reason`` column (lazy)."""
    return _conform(frame).with_columns(reason_expr(mmsi_rules=mmsi_rules))


def usable_expr(*, mmsi_rules: bool = True) -> pl.Expr:
    """Boolean expression: True exactly where :func:`reason_expr` is null (the row is accepted).

    Cheaper than the reason itself (no strings): used to split a batch, the reasons are then worked
    out for the rejected rows only.
    """
    lat = pl.col(LAT).fill_nan(None)
    lon = pl.col(LON).fill_nan(None)
    if mmsi_rules:
        vessel = (
            _between(MMSI, 100_000_000, 989_999_999)  # also excludes null, 0, base stations, AtoN
            & ~_between(MMSI, 111_000_000, 111_999_999)
            & ~_between(MMSI, 970_000_000, 970_999_999)
            & ~_between(MMSI, 972_000_000, 972_999_999)
            & ~_between(MMSI, 974_000_000, 974_999_999)
        )
    else:
        vessel = pl.col(MMSI).is_not_null()
    ok = (
        pl.col(REASON).is_null()
        & vessel
        & pl.col(TIMESTAMP).is_not_null()
        & lat.is_between(-90, 90)  # null or NaN: false/null
        & lon.is_between(-180, 180)
        & ~((lat == 0) & (lon == 0))
    )
    return ok.fill_null(False)


def validate(frame: pl.DataFrame | pl.LazyFrame, *, mmsi_rules: bool = True) -> Validated:
    """Split a canonical frame into accepted and rejected rows.

    Parameters
    ----------
    frame : pl.DataFrame or pl.LazyFrame
        Canonical columns (missing ones are added as nulls), optionally a reader's ``reason``.
    mmsi_rules : bool, default True
        False when ``mmsi`` holds keys of vessels known by an id that is not an MMSI
        (``--map id=...``): no MMSI rule (9 digits, base stations, ...) applies to them.

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
    # One pass; the reasons (strings) are worked out for the rejected rows only. Sentinels are
    # nulled only in columns the input has values in (all-null columns stay as they are).
    if isinstance(frame, pl.DataFrame):
        empty = {c for c in frame.columns if frame[c].null_count() == frame.height}
        empty |= set(schema.CANONICAL) - set(frame.columns)
    else:
        empty = set()
    fix = [e for e, c in zip(not_available_to_null(), _NA_COLUMNS, strict=True) if c not in empty]
    base = _conform(frame.lazy()).with_columns(usable_expr(mmsi_rules=mmsi_rules).alias(_OK))
    accepted, rejected = pl.collect_all(
        [
            base.filter(pl.col(_OK)).select(schema.COLUMNS).with_columns(fix),
            base.filter(~pl.col(_OK)).select(*schema.COLUMNS, reason_expr(mmsi_rules=mmsi_rules)),
        ]
    )
    return Validated(accepted=accepted, rejected=rejected)
