"""Port visits: entry and exit with hysteresis, stops, in-port gaps and a confidence grade.

Modelled on Global Fishing Watch's port visits, with distances measured to port polygons:
a vessel enters a port within ``entry_km`` of its polygon and leaves beyond ``exit_km``.
Confidence: 4 = a stop or an in-port gap plus observed entry and exit; 3 = a stop or gap plus
entry or exit; 2 = a stop or gap alone, or entry and exit alone; 1 = anything less.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.ports import Port, distance_matrix_km
from shipwatch.settings import VisitSettings
from shipwatch.tracks import IDENTITY

PORT = "port"  # the port a vessel is in (hysteresis state), null at sea
NEAREST_PORT = "nearest_port"  # the nearest port within exit_km, without hysteresis
NEAREST_KM = "nearest_port_km"  # distance (km) to that port's polygon, null when none within exit_km
VESSEL_KEYS = [s.MMSI, IDENTITY]

VISIT_COLUMNS = [
    "visit_id",
    s.MMSI,
    s.VESSEL_NAME,
    PORT,
    "role",
    "arrival",
    "departure",
    "hours",
    "positions",
    "stop",
    "in_port_gap_hours",
    "entry_observed",
    "exit_observed",
    "confidence",
    IDENTITY,
]


def label_ports(
    tracks: pl.DataFrame, ports: list[Port], settings: VisitSettings | None = None
) -> pl.DataFrame:
    """Add ``port`` (in which port the vessel is, with hysteresis), ``nearest_port`` and its distance.

    ``tracks`` must be sorted by (mmsi, timestamp), as :func:`shipwatch.tracks.clean_tracks` returns it.
    """
    cfg = settings or VisitSettings()
    names = np.array([p.name for p in ports], dtype=object)
    if tracks.height == 0:
        return tracks.with_columns(
            pl.lit(None, pl.String).alias(PORT),
            pl.lit(None, pl.String).alias(NEAREST_PORT),
            pl.lit(None, pl.Float64).alias(NEAREST_KM),
        )
    dist = distance_matrix_km(ports, tracks[s.LAT].to_numpy(), tracks[s.LON].to_numpy(), max_km=cfg.exit_km)
    idx = np.argmin(dist, axis=1)
    best = dist[np.arange(dist.shape[0]), idx]
    near = best <= cfg.exit_km
    nearest = pl.Series(NEAREST_PORT, np.where(near, names[idx], None).tolist(), dtype=pl.String)
    nearest_km = pl.Series(NEAREST_KM, np.where(near, best, np.nan)).fill_nan(None)
    # Hysteresis on port indices: inside entry_km of a port -> in it; beyond exit_km of every port
    # -> at sea (-1); in between -> whatever the vessel was before (forward fill within its own
    # track, restarted after long silences). A carried port the vessel is now beyond exit_km of
    # (it moved into another port's band) is corrected to "at sea" and the fill redone.
    n = dist.shape[0]
    raw = np.where(best <= cfg.entry_km, idx, np.where(near, -2, -1))  # -2 = undecided
    keys = tracks.select(*VESSEL_KEYS, s.TIMESTAMP).with_columns(
        (
            pl.col(s.TIMESTAMP).diff().over(VESSEL_KEYS).dt.total_microseconds()
            >= int(cfg.state_reset_hours * 3.6e9)
        )
        .fill_null(False)
        .cum_sum()
        .over(VESSEL_KEYS)
        .alias("_segment")
    )

    def fill(values: np.ndarray) -> np.ndarray:
        series = pl.Series("_p", values).replace(-2, None)
        filled = keys.with_columns(series).select(
            pl.col("_p").forward_fill().over([*VESSEL_KEYS, "_segment"])
        )
        return filled.to_series().fill_null(-1).to_numpy()

    state = fill(raw)
    carried = np.where(state >= 0, state, 0)
    left = (state >= 0) & (dist[np.arange(n), carried] > cfg.exit_km)
    if left.any():
        state = fill(np.where(left, -1, raw))
    port = pl.Series(PORT, np.where(state >= 0, names[np.maximum(state, 0)], None).tolist(), dtype=pl.String)
    return tracks.with_columns(port, nearest, nearest_km)


def vessel_info(tracks: pl.DataFrame) -> pl.DataFrame:
    """One row per MMSI with its most frequent name, IMO, callsign, ship type and length (m)."""
    cols = [s.VESSEL_NAME, s.IMO, s.CALLSIGN, s.SHIP_TYPE, s.LENGTH_M]
    return (
        tracks.lazy()
        .group_by(s.MMSI)
        .agg([pl.col(c).drop_nulls().mode().sort().first().alias(c) for c in cols])
        .sort(s.MMSI)
        .collect()
    )


def port_visits(
    labelled: pl.DataFrame,
    ports: list[Port],
    settings: VisitSettings | None = None,
    *,
    vessels: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per visit of a vessel to a port, from a table labelled by :func:`label_ports`.

    ``vessels`` is :func:`vessel_info` of the same tracks when the caller already has it (for names).
    """
    cfg = settings or VisitSettings()
    roles = pl.DataFrame({PORT: [p.name for p in ports], "role": [p.role for p in ports]})
    names = (vessels if vessels is not None else vessel_info(labelled)).select(s.MMSI, s.VESSEL_NAME)
    gap_us = cfg.in_port_gap_hours * 3.6e9
    df = labelled.select(*VESSEL_KEYS, s.TIMESTAMP, s.SOG, PORT).with_columns(
        pl.col(s.TIMESTAMP).diff().over(VESSEL_KEYS).dt.total_microseconds().alias("_dt"),
        pl.int_range(pl.len()).over(VESSEL_KEYS).alias("_i"),
        pl.len().over(VESSEL_KEYS).alias("_n"),
        (pl.col(PORT).fill_null("") != pl.col(PORT).fill_null("").shift())
        .fill_null(True)
        .cum_sum()
        .over(VESSEL_KEYS)
        .alias("_run"),
    )
    visits = (
        df.filter(pl.col(PORT).is_not_null())
        .group_by([*VESSEL_KEYS, "_run"])
        .agg(
            pl.col(PORT).first(),
            pl.col(s.TIMESTAMP).min().alias("arrival"),
            pl.col(s.TIMESTAMP).max().alias("departure"),
            pl.len().alias("positions"),
            (pl.col(s.SOG) < cfg.stop_kn).any().fill_null(False).alias("stop"),
            # the first row's diff is the silence before entry, not inside the port
            (pl.col("_dt").slice(1).max().fill_null(0) / 3.6e9).alias("in_port_gap_hours"),
            (pl.col("_i").min() > 0).alias("entry_observed"),
            (pl.col("_i").max() < pl.col("_n").first() - 1).alias("exit_observed"),
        )
        .with_columns(
            ((pl.col("departure") - pl.col("arrival")).dt.total_seconds() / 3600.0).alias("hours"),
        )
    )
    stop_or_gap = pl.col("stop") | (pl.col("in_port_gap_hours") * 3.6e9 >= gap_us)
    both = pl.col("entry_observed") & pl.col("exit_observed")
    either = pl.col("entry_observed") | pl.col("exit_observed")
    confidence = (
        pl.when(stop_or_gap & both)
        .then(4)
        .when(stop_or_gap & either)
        .then(3)
        .when(stop_or_gap | both)
        .then(2)
        .otherwise(1)
    )
    return (
        visits.with_columns(confidence.cast(pl.Int8).alias("confidence"))
        .join(roles, on=PORT, how="left")
        .join(names, on=s.MMSI, how="left")
        .sort([s.MMSI, "arrival", IDENTITY])
        .with_columns(
            pl.format("V{}-{}", pl.col(s.MMSI), pl.col("arrival").dt.strftime("%Y%m%dT%H%M%S")).alias(
                "visit_id"
            )
        )
        .select(VISIT_COLUMNS)
    )
