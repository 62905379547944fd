"""Port labelling: in which port each position is, with entry/exit hysteresis measured to polygons.

Every position gets ``port`` (the port the vessel is in, null at sea), ``nearest_port`` and
``nearest_port_km``. Port visits, gaps and dark transits all read these labels.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.frames import TableLike, to_polars
from shipwatch.ports import Port, distance_matrix_km
from shipwatch.settings import VisitSettings
from shipwatch.tables import NEAREST_KM, NEAREST_PORT, PORT, VESSEL_KEYS
from shipwatch.times import US_PER_HOUR


def label_ports(
    tracks: TableLike, *, ports: list[Port], settings: VisitSettings | None = None
) -> pl.DataFrame:
    """Add ``port`` (in which port the vessel is, with hysteresis), ``nearest_port`` and its distance.

    ``tracks`` must be sorted by (mmsi, timestamp), as :func:`shipwatch.tracks.clean_tracks` returns it.
    """
    cfg = settings or VisitSettings()
    tracks = to_polars(tracks, what="tracks")
    names = np.array([p.name for p in ports], dtype=object)
    if tracks.height == 0:
        return tracks.with_columns(
            pl.lit(None, pl.String).alias(PORT),
            pl.lit(None, pl.String).alias(NEAREST_PORT),
            pl.lit(None, pl.Float64).alias(NEAREST_KM),
        )
    lat, lon = tracks[s.LAT].to_numpy(), tracks[s.LON].to_numpy()
    n = tracks.height
    # Only the few points inside a port's bounding box (plus exit_km) meet a polygon, and only the
    # vessels that have such points need the hysteresis: everything else is at sea.
    near_box = _near_any_box(ports, lat, lon, cfg.exit_km)
    if not near_box.any():
        return tracks.with_columns(
            pl.lit(None, pl.String).alias(PORT),
            pl.lit(None, pl.String).alias(NEAREST_PORT),
            pl.lit(None, pl.Float64).alias(NEAREST_KM),
        )
    involved = tracks.select(pl.col(s.MMSI).is_in(tracks.filter(pl.Series(near_box))[s.MMSI].unique().implode()))
    rows = np.flatnonzero(involved.to_series().to_numpy())
    sub = tracks[rows]
    dist = distance_matrix_km(ports, lat[rows], lon[rows], max_km=cfg.exit_km)
    idx = np.argmin(dist, axis=1)
    best = dist[np.arange(dist.shape[0]), idx]
    near = best <= cfg.exit_km
    # Hysteresis on port indices: inside entry_km of a port -> in it; beyond exit_km of every port
    # -> at sea (-1); in between -> whatever the vessel was before (forward fill within its own
    # track, restarted after long silences). A carried port the vessel is now beyond exit_km of
    # (it moved into another port's band) is corrected to "at sea" and the fill redone.
    m = dist.shape[0]
    raw = np.where(best <= cfg.entry_km, idx, np.where(near, -2, -1))  # -2 = undecided
    keys = sub.select(*VESSEL_KEYS, s.TIMESTAMP).with_columns(
        (
            pl.col(s.TIMESTAMP).diff().over(VESSEL_KEYS).dt.total_microseconds()
            >= int(cfg.state_reset_hours * US_PER_HOUR)
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
    left = (state >= 0) & (dist[np.arange(m), carried] > cfg.exit_km)
    if left.any():
        state = fill(np.where(left, -1, raw))
    port_code = np.full(n, -1, dtype=np.int32)
    port_code[rows] = state
    nearest_code = np.full(n, -1, dtype=np.int32)
    nearest_code[rows] = np.where(near, idx, -1)
    km = np.full(n, np.nan)
    km[rows] = np.where(near, best, np.nan)
    return tracks.with_columns(
        _names(port_code, names).alias(PORT),
        _names(nearest_code, names).alias(NEAREST_PORT),
        pl.Series(NEAREST_KM, km).fill_nan(None),
    )


def _names(codes: np.ndarray, names: np.ndarray) -> pl.Series:
    """Port names from port indices (-1 = none), without a Python loop over positions."""
    lookup = pl.Series(list(names), dtype=pl.String)
    idx = pl.Series(codes, dtype=pl.Int32)
    return lookup.gather(idx.clip(0, None)).set(idx < 0, None) if len(lookup) else pl.repeat(None, len(codes), dtype=pl.String, eager=True)


def _near_any_box(ports: list[Port], lat: np.ndarray, lon: np.ndarray, margin_km: float) -> np.ndarray:
    """Points inside any port's bounding box widened by ``margin_km`` (a cheap prefilter)."""
    out = np.zeros(lat.size, dtype=bool)
    for port in ports:  # a loop over ports, not positions
        w, so, e, n = port.box(margin_km)
        out |= (lat >= so) & (lat <= n) & (lon >= w) & (lon <= e)
    return out
