"""Danish Maritime Authority daily files (``dma``).

``# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,...`` (22 or 26 columns),
day-first times ``dd/mm/YYYY HH:MM:SS`` in UTC, text navigational status and ship type, fields that
are a single space, base stations and AtoN mixed in (their "Type of mobile" gives the reason).
Length and width come from their own columns, else from the A+B and C+D dimensions.
"""

from __future__ import annotations

import polars as pl

from shipwatch.readers.dma_codes import NAV_STATUS_TEXT, SHIP_TYPE_TEXT
from shipwatch.readers.layouts import CsvFile, CsvLayout, register
from shipwatch.readers.plan import Plan, f64, naive_to_utc, text
from shipwatch.reasons import Reason
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

__all__ = ["DMA"]


def _matches(header: list[str]) -> bool:
    return bool(header) and header[0].lstrip("#").strip() == "Timestamp" and {"MMSI", "Latitude", "Longitude"} <= set(header)


def _plan(f: CsvFile) -> Plan:
    header = f.header
    p = Plan()
    time_col = header[0]
    p.raw = {MMSI: text("MMSI"), TIMESTAMP: text(time_col), LAT: text("Latitude"), LON: text("Longitude")}
    p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
    p.exprs[TIMESTAMP] = naive_to_utc(p.raw[TIMESTAMP], "%d/%m/%Y %H:%M:%S")
    p.exprs[LAT] = f64(p.raw[LAT])
    p.exprs[LON] = f64(p.raw[LON])
    for c, src in ((SOG, "SOG"), (COG, "COG"), (HEADING, "Heading"), (DRAUGHT_M, "Draught")):
        if src in header:
            p.exprs[c] = f64(text(src))
    if "Navigational status" in header:
        p.exprs[NAV_STATUS] = (
            text("Navigational status")
            .str.to_lowercase()
            .replace_strict(NAV_STATUS_TEXT, default=None, return_dtype=pl.Int8)
        )
    if "Ship type" in header:
        p.exprs[SHIP_TYPE] = (
            text("Ship type").str.to_lowercase().replace_strict(SHIP_TYPE_TEXT, default=None, return_dtype=pl.Int16)
        )
    if "IMO" in header:
        p.exprs[IMO] = text("IMO").cast(pl.Int64, strict=False)  # "Unknown" → null
    for c, src in ((CALLSIGN, "Callsign"), (VESSEL_NAME, "Name")):
        if src in header:
            p.exprs[c] = text(src)
    dims = {c: f64(text(c)) for c in ("A", "B", "C", "D") if c in header}
    for c, src, pair in ((LENGTH_M, "Length", ("A", "B")), (WIDTH_M, "Width", ("C", "D"))):
        own = f64(text(src)) if src in header else pl.lit(None, dtype=pl.Float64)
        if all(d in dims for d in pair):
            own = pl.coalesce(own, dims[pair[0]] + dims[pair[1]])
        p.exprs[c] = own
    if "Type of mobile" in header:
        kind = text("Type of mobile")
        p.exprs[TRANSCEIVER] = kind.replace_strict({"Class A": "A", "Class B": "B"}, default=None)
        p.given = pl.when(kind.is_not_null() & ~kind.is_in(["Class A", "Class B"])).then(
            pl.format(Reason.DMA_NOT_A_SHIP, kind)
        )
    return p


DMA = register(CsvLayout(name="dma", matches=_matches, plan=_plan, priority=20))
