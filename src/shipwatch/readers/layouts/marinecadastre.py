"""NOAA MarineCadastre (AccessAIS) daily files: ``marinecadastre`` (≤ 2024) and ``marinecadastre-2025``.

``marinecadastre``
    ``MMSI,BaseDateTime,LAT,LON,...`` (any subset holding those four), ISO times
    ``YYYY-MM-DDTHH:MM:SS`` in UTC, IMO as ``IMO9307839``.
``marinecadastre-2025``
    lowercase ``mmsi,base_date_time,longitude,latitude,...``, times ``YYYY-MM-DD HH:MM:SS``.

Both have a fast plan: the CSV parser reads the numbers itself (strict; when it stops, the file is
read again as text). A line whose values sit in columns they cannot belong to (a number as the
transceiver class, a call-sign-like word as the IMO) has shifted fields and is rejected as "too many
fields".
"""

from __future__ import annotations

import polars as pl

from shipwatch.readers.layouts import CsvLayout, register
from shipwatch.readers.plan import Plan, f64, integer, naive_to_utc, text
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

__all__ = ["MARINECADASTRE", "MARINECADASTRE_2025", "MARINECADASTRE_HEADER"]

#: The full NOAA MarineCadastre <= 2024 header (files may carry any subset with MMSI/BaseDateTime/LAT/LON).
MARINECADASTRE_HEADER = (
    "MMSI", "BaseDateTime", "LAT", "LON", "SOG", "COG", "Heading", "VesselName", "IMO", "CallSign",
    "VesselType", "Status", "Length", "Width", "Draft", "Cargo", "TransceiverClass",
)  # fmt: skip

_CANONICAL = [
    MMSI, TIMESTAMP, LAT, LON, SOG, COG, HEADING, VESSEL_NAME, IMO, CALLSIGN, SHIP_TYPE, NAV_STATUS,
    LENGTH_M, WIDTH_M, DRAUGHT_M, TRANSCEIVER,
]  # fmt: skip
_NAMES_2025 = [
    "mmsi", "base_date_time", "latitude", "longitude", "sog", "cog", "heading", "vessel_name", "imo",
    "call_sign", "vessel_type", "status", "length", "width", "draft", "transceiver",
]  # fmt: skip


def _plan(header: list[str], lower: bool, *, typed: bool = False) -> Plan:
    names = dict(
        zip(_CANONICAL, _NAMES_2025 if lower else [c for c in MARINECADASTRE_HEADER if c != "Cargo"], strict=True)
    )
    if not lower and "TransceiverClass" not in header and "Transceiver" in header:
        names[TRANSCEIVER] = "Transceiver"
    p = Plan()
    fmt = "%Y-%m-%d %H:%M:%S" if lower else "%Y-%m-%dT%H:%M:%S"
    # MMSI and position with surrounding spaces removed (as the CSV parser takes numbers, see typed).
    p.raw = {
        MMSI: text(names[MMSI]),
        TIMESTAMP: pl.col(names[TIMESTAMP]),
        LAT: text(names[LAT]),
        LON: text(names[LON]),
    }
    p.exprs[TIMESTAMP] = naive_to_utc(p.raw[TIMESTAMP], fmt)
    if typed:
        # Fast path: numbers parsed by the CSV reader itself, strictly (no ignore_errors: a value it
        # cannot parse, or a malformed line, stops the read, and the file is read again as text).
        # The time stays text (the reader's own datetime parsing is slower than strptime).
        p.typed = {names[MMSI]: pl.Int64()}
        for c in (LAT, LON, SOG, COG, HEADING, LENGTH_M, WIDTH_M, DRAUGHT_M, SHIP_TYPE, NAV_STATUS):
            if names[c] in header:
                p.typed[names[c]] = pl.Float64()
        p.raw = {TIMESTAMP: p.raw[TIMESTAMP]}  # parsed numbers cannot be "unparseable"
        p.exprs[MMSI] = pl.col(names[MMSI])
        p.exprs[LAT] = pl.col(names[LAT])
        p.exprs[LON] = pl.col(names[LON])
    else:
        p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
        p.exprs[LAT] = f64(p.raw[LAT])
        p.exprs[LON] = f64(p.raw[LON])

    def number(c: str) -> pl.Expr:  # parsed by the reader (fast path) or text with spaces removed
        return pl.col(names[c]) if names[c] in p.typed else text(names[c])

    for c in (SOG, COG, HEADING, LENGTH_M, WIDTH_M, DRAUGHT_M):
        if names[c] in header:
            p.exprs[c] = f64(number(c))
    for c in (VESSEL_NAME, CALLSIGN, TRANSCEIVER):
        if names[c] in header:
            p.exprs[c] = pl.col(names[c])
    if names[IMO] in header:
        p.exprs[IMO] = pl.col(names[IMO]).str.strip_prefix("IMO").cast(pl.Int64, strict=False)
    if names[SHIP_TYPE] in header:
        p.exprs[SHIP_TYPE] = integer(number(SHIP_TYPE), pl.Int16())
    if names[NAV_STATUS] in header:
        p.exprs[NAV_STATUS] = integer(number(NAV_STATUS), pl.Int8())
    # A line with an unquoted comma in a text field has its later fields shifted: when the last one
    # came out empty, the field count cannot tell, but values that cannot belong to a column can: a
    # number as the transceiver class, a call-sign-like word as the IMO (empty, "NA" or digits pass).
    shifted = []
    if names[TRANSCEIVER] in header:
        shifted.append(f64(text(names[TRANSCEIVER])).is_not_null())
    if not lower and names[IMO] in header:
        imo = pl.col(names[IMO])  # anchored patterns: most values are decided at their first letters
        shifted.append(
            imo.str.contains(r"^\s*[A-Za-z]") & ~imo.str.contains(r"^\s*(?i:imo|na\s*$|n/a|nan|null|none)")
        )
    if shifted:
        p.shifted = pl.any_horizontal(shifted).fill_null(False)
    return p


MARINECADASTRE = register(
    CsvLayout(
        name="marinecadastre",
        matches=lambda header: {"MMSI", "BaseDateTime", "LAT", "LON"} <= set(header),
        plan=lambda f: _plan(f.header, lower=False),
        fast_plan=lambda f: _plan(f.header, lower=False, typed=True),
        priority=10,
    )
)

MARINECADASTRE_2025 = register(
    CsvLayout(
        name="marinecadastre-2025",
        matches=lambda header: {"mmsi", "base_date_time", "latitude", "longitude"} <= set(header),
        plan=lambda f: _plan(f.header, lower=True),
        fast_plan=lambda f: _plan(f.header, lower=True, typed=True),
        priority=11,
    )
)
