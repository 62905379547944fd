"""Satellite provider exports, exactEarth/Spire style (``satellite``).

~139 quoted columns including ``MMSI,Message_ID,...,Time,Millisecond,...,Longitude,Latitude``; time
``YYYYMMDD_HHMMSS`` plus milliseconds, UTC. Rows of position messages (1, 2, 3, 18, 19, 27) are
positions; base stations (4), SAR aircraft (9) and AtoN (21) are not ships; every other message is
"not a position report". Optional columns of the export read as null when absent.

Type 24 rows (class B static data, parts A and B) carry no position: their name, call sign, ship type
and dimensions are joined onto that MMSI's position rows as the NMEA reader does (each field from the
most recent static row at or before the position, fields accumulated over that vessel's static rows,
else from the first one after it; a position's own values come first), and the static rows are
rejected as "static data (joined)".
"""

from __future__ import annotations

import polars as pl

from shipwatch.readers.layouts import CsvFile, CsvLayout, register
from shipwatch.readers.plan import Plan, f64, integer, naive_to_utc, text_or_null
from shipwatch.reasons import NOT_SHIP_MESSAGES, Reason
from shipwatch.schema import (
    CALLSIGN,
    COG,
    DRAUGHT_M,
    HEADING,
    IMO,
    LAT,
    LENGTH_M,
    LON,
    MMSI,
    NAV_STATUS,
    REASON,
    SHIP_TYPE,
    SOG,
    SOURCE_ROW,
    TIMESTAMP,
    TRANSCEIVER,
    VESSEL_NAME,
    WIDTH_M,
)

__all__ = ["SATELLITE"]

_POSITION_MESSAGES = [1, 2, 3, 18, 19, 27]
_STATIC_MESSAGE = 24
_STATIC_COLS = [VESSEL_NAME, CALLSIGN, SHIP_TYPE, LENGTH_M, WIDTH_M]


def _plan(f: CsvFile) -> Plan:
    def text(col: str) -> pl.Expr:  # optional columns of the export read as null when absent
        return text_or_null(col, f.header)

    p = Plan()
    p.raw = {MMSI: text("MMSI"), TIMESTAMP: text("Time"), LAT: text("Latitude"), LON: text("Longitude")}
    ms = f64(text("Millisecond")).fill_null(0).cast(pl.Int64, strict=False)
    p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
    p.exprs[TIMESTAMP] = naive_to_utc(p.raw[TIMESTAMP], "%Y%m%d_%H%M%S") + pl.duration(milliseconds=ms)
    p.exprs[LAT] = f64(p.raw[LAT])
    p.exprs[LON] = f64(p.raw[LON])
    for c, src in ((SOG, "SOG"), (COG, "COG"), (HEADING, "Heading"), (DRAUGHT_M, "Draught")):
        p.exprs[c] = f64(text(src))
    p.exprs[NAV_STATUS] = integer(text("Navigational_status"), pl.Int8())
    p.exprs[SHIP_TYPE] = integer(text("Ship_Type"), pl.Int16())
    p.exprs[IMO] = integer(text("IMO"), pl.Int64())
    p.exprs[VESSEL_NAME] = text("Vessel_Name")
    p.exprs[CALLSIGN] = text("Call_sign")
    p.exprs[LENGTH_M] = f64(text("Dimension_to_Bow")) + f64(text("Dimension_to_stern"))
    p.exprs[WIDTH_M] = f64(text("Dimension_to_port")) + f64(text("Dimension_to_starboard"))
    msg = integer(text("Message_ID"), pl.Int64())
    p.exprs[TRANSCEIVER] = (
        pl.when(msg.is_in([1, 2, 3])).then(pl.lit("A")).when(msg.is_in([18, 19])).then(pl.lit("B"))
    )
    given = pl.when(msg.is_in(_POSITION_MESSAGES)).then(pl.lit(None, dtype=pl.String))
    for m, why in NOT_SHIP_MESSAGES.items():
        given = given.when(msg == m).then(pl.lit(why))
    given = given.when(msg == _STATIC_MESSAGE).then(pl.lit(Reason.STATIC_JOINED))
    p.given = given.otherwise(pl.lit(Reason.NOT_POSITION))
    p.finish = _join_static
    return p


def _join_static(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Static fields of the type 24 rows joined onto the position rows of the same MMSI, by row order."""
    columns = lf.collect_schema().names()
    static = (
        lf.filter(
            (pl.col(REASON) == Reason.STATIC_JOINED)
            & pl.col(MMSI).is_not_null()
            & pl.any_horizontal(pl.col(c).is_not_null() for c in _STATIC_COLS)
        )
        .select(MMSI, SOURCE_ROW, *_STATIC_COLS)
        .sort(SOURCE_ROW)
        .with_columns(pl.col(c).forward_fill().over(MMSI) for c in _STATIC_COLS)
    )
    before = static.rename({c: f"{c}__b" for c in _STATIC_COLS})
    after = static.rename({c: f"{c}__f" for c in _STATIC_COLS})
    is_position = pl.col(REASON).is_null()
    return (
        lf.join_asof(before, on=SOURCE_ROW, by=MMSI, strategy="backward", check_sortedness=False)
        .join_asof(after, on=SOURCE_ROW, by=MMSI, strategy="forward", check_sortedness=False)
        .with_columns(
            pl.when(is_position).then(pl.coalesce(c, f"{c}__b", f"{c}__f")).otherwise(pl.col(c)).alias(c)
            for c in _STATIC_COLS
        )
        .select(columns)
    )


SATELLITE = register(
    CsvLayout(
        name="satellite",
        matches=lambda header: {"MMSI", "Message_ID", "Time", "Millisecond", "Longitude", "Latitude"} <= set(header),
        plan=_plan,
        priority=30,
    )
)
