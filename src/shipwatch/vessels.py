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
    out = tracks.lazy().select(s.MMSI).unique()
    for c in VESSEL_COLUMNS:
        if c not in tracks.columns:
            out = out.with_columns(pl.lit(None, dtype=types[c]).alias(c))
            continue
        # counts of each (vessel, value), the most frequent first, the smallest among equals
        best = (
            tracks.lazy()
            .select(s.MMSI, c)
            .drop_nulls()
            .group_by([s.MMSI, c])
            .len()
            .sort([s.MMSI, "len", c], descending=[False, True, False])
            .group_by(s.MMSI, maintain_order=True)
            .first()
            .select(s.MMSI, pl.col(c).cast(types[c]))
        )
        out = out.join(best, on=s.MMSI, how="left")
    return out.sort(s.MMSI).collect()
