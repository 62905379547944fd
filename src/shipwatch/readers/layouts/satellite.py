"""Satellite provider exports, exactEarth/Spire style (``satellite``).

~139 quoted columns including ``MMSI,Message_ID,...,Time,Millisecond,...,Longitude,Latitude``; time
``YYYYMMDD_HHMMSS`` plus milliseconds, UTC. Rows of position messages (1, 2, 3, 18, 19, 27) are
positions; base stations (4), SAR aircraft (9) and AtoN (21) are not ships; every other message is
"not a position report". Optional columns of the export read as null when absent.
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
    SHIP_TYPE,
    SOG,
    TIMESTAMP,
    TRANSCEIVER,
    VESSEL_NAME,
    WIDTH_M,
)

__all__ = ["SATELLITE"]

_POSITION_MESSAGES = [1, 2, 3, 18, 19, 27]


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
    p.given = given.otherwise(pl.lit(Reason.NOT_POSITION))
    return p


SATELLITE = register(
    CsvLayout(
        name="satellite",
        matches=lambda header: {"MMSI", "Message_ID", "Time", "Millisecond", "Longitude", "Latitude"} <= set(header),
        plan=_plan,
        priority=30,
    )
)
