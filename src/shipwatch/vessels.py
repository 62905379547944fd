"""What is known of each vessel: one row per MMSI, from the static fields of its own reports.

Port visits, gaps and dark transits all name vessels and compare lengths through this one table.
"""

from __future__ import annotations

import polars as pl

from shipwatch import schema as s
from shipwatch.frames import TableLike, to_polars

#: The static fields kept per vessel.
VESSEL_COLUMNS = [s.VESSEL_NAME, s.IMO, s.CALLSIGN, s.SHIP_TYPE, s.LENGTH_M]


def vessel_info(tracks: TableLike) -> pl.DataFrame:
    """One row per MMSI with its most frequent name, IMO, callsign, ship type and length (m).

    Ties between equally frequent values go to the smallest (in sort order), so the result does not
    depend on row order.
    """
    tracks = to_polars(tracks, what="tracks")
    types = {s.VESSEL_NAME: pl.String, s.IMO: pl.Int64, s.CALLSIGN: pl.String, s.SHIP_TYPE: pl.Int16,
             s.LENGTH_M: pl.Float64}
    agg = [
        pl.col(c).drop_nulls().mode().sort().first().alias(c)
        if c in tracks.columns
        else pl.lit(None, dtype=types[c]).alias(c)
        for c in VESSEL_COLUMNS
    ]
    return tracks.lazy().group_by(s.MMSI).agg(agg).sort(s.MMSI).collect()
