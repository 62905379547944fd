"""The canonical AIS table: one place for column names, types and units.

Every reader maps its layout into these columns; every later stage reads only these.
Missing values are nulls, never sentinels (see :mod:`shipwatch.validate`).
"""

from __future__ import annotations

import polars as pl

# --- column names -------------------------------------------------------------------------
MMSI = "mmsi"  # int64, 9-digit Maritime Mobile Service Identity
TIMESTAMP = "timestamp"  # datetime[us, UTC]
LAT = "lat"  # degrees north, WGS84, -90..90
LON = "lon"  # degrees east, WGS84, -180..180
SOG = "sog"  # speed over ground, knots
COG = "cog"  # course over ground, degrees true 0..<360
HEADING = "heading"  # true heading, degrees 0..<360
NAV_STATUS = "nav_status"  # ITU-R M.1371 navigational status code 0..15
VESSEL_NAME = "vessel_name"
IMO = "imo"  # 7-digit IMO number, without the "IMO" prefix
CALLSIGN = "callsign"
SHIP_TYPE = "ship_type"  # ITU ship-and-cargo type code
LENGTH_M = "length_m"  # metres
WIDTH_M = "width_m"  # metres
DRAUGHT_M = "draught_m"  # metres
TRANSCEIVER = "transceiver"  # "A" or "B"
SOURCE_FILE = "source_file"  # path of the file the row came from, as given
SOURCE_ROW = "source_row"  # 1-based data-row (or sentence) number in that file

#: Vessels keyed by a non-MMSI id (``--map id=COLUMN``) get ``mmsi`` keys in
#: ``VESSEL_KEY_BASE <= key < VESSEL_KEY_END``: above every 9-digit MMSI, below 2**30 (the store's
#: sort keys pack mmsi in 30 bits). Validation applies no MMSI rules to such a file's rows
#: (``validate(..., mmsi_rules=False)``); their "MID" (1000-1073) is no country's.
VESSEL_KEY_BASE = 1_000_000_000
VESSEL_KEY_END = 2**30

UTC = "UTC"
TIME_DTYPE = pl.Datetime("us", UTC)

CANONICAL: dict[str, pl.DataType] = {
    MMSI: pl.Int64(),
    TIMESTAMP: TIME_DTYPE,
    LAT: pl.Float64(),
    LON: pl.Float64(),
    SOG: pl.Float64(),
    COG: pl.Float64(),
    HEADING: pl.Float64(),
    NAV_STATUS: pl.Int8(),
    VESSEL_NAME: pl.String(),
    IMO: pl.Int64(),
    CALLSIGN: pl.String(),
    SHIP_TYPE: pl.Int16(),
    LENGTH_M: pl.Float64(),
    WIDTH_M: pl.Float64(),
    DRAUGHT_M: pl.Float64(),
    TRANSCEIVER: pl.String(),
    SOURCE_FILE: pl.String(),
    SOURCE_ROW: pl.Int64(),
}
COLUMNS: list[str] = list(CANONICAL)

# Columns that identify a report; two rows equal on all of these are exact duplicates.
REPORT_COLUMNS: list[str] = [c for c in COLUMNS if c not in (SOURCE_FILE, SOURCE_ROW)]

# The rejects file: the canonical columns plus why the row was rejected.
REASON = "reason"
REJECT_SCHEMA: dict[str, pl.DataType] = {**CANONICAL, REASON: pl.String()}

CANONICAL_SCHEMA = pl.Schema(CANONICAL)


def empty() -> pl.DataFrame:
    """An empty canonical table."""
    return pl.DataFrame(schema=CANONICAL_SCHEMA)


def conform(df: pl.DataFrame) -> pl.DataFrame:
    """Return ``df`` with exactly the canonical columns, in order, with canonical types.

    Columns the input lacks become null columns; extra columns are dropped. Values that cannot
    be cast become null (a reader that wants to reject them must do so before calling this).
    """
    exprs = []
    for name, dtype in CANONICAL.items():
        if name in df.columns:
            exprs.append(pl.col(name).cast(dtype, strict=False).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    return df.select(exprs)
