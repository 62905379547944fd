"""Per-vessel tracks: time order, teleports removed, shared MMSIs detected and split.

Everything here works on whole columns of a table sorted by (mmsi, timestamp); the only Python
loop is over the segments of the few MMSIs found to be shared, never over positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.frames import TableLike, as_positions
from shipwatch.geo import KM_PER_NM, haversine_km
from shipwatch.settings import TrackSettings
from shipwatch.tables import IDENTITY, SHARED
from shipwatch.times import US_PER_HOUR


@dataclass
class CleanStats:
    """What cleaning removed or flagged."""

    positions_in: int = 0
    teleports_removed: int = 0
    shared_mmsis: list[int] = field(default_factory=list)
    positions_shared: int = 0
    positions_capped: int = 0

    def to_dict(self) -> dict:
        return {
            "positions_in": self.positions_in,
            "teleports_removed": self.teleports_removed,
            "shared_mmsis": self.shared_mmsis,
            "positions_in_shared_windows": self.positions_shared,
            "positions_dropped_by_cap": self.positions_capped,
        }


def _jumps(
    mmsi: np.ndarray, t_us: np.ndarray, lat: np.ndarray, lon: np.ndarray, cfg: TrackSettings, step: int = 1
) -> np.ndarray:
    """jump[i] is True when fix i -> fix i+step of the same vessel is physically impossible."""
    n = mmsi.size
    out = np.zeros(n, dtype=bool)
    if n <= step:
        return out
    a, b = slice(0, n - step), slice(step, n)
    # Only pairs farther apart than min_jump_km can be jumps. A flat-earth bound that never
    # underestimates (cos(lat) taken as 1, longitudes unwrapped) finds them in a few cheap passes; the
    # few candidates then get a tighter flat distance (within a few per cent of the great circle at
    # these distances; 0.8 leaves a wide margin) and finally the exact great-circle test, so the result
    # is the haversine one.
    dlat = lat[b] - lat[a]
    dlon = lon[b] - lon[a]
    bound = (dlat * dlat + dlon * dlon) * (111.195 * 111.195 / 0.64)
    limit = np.maximum((t_us[b] - t_us[a]) * (cfg.max_speed_kn * KM_PER_NM / US_PER_HOUR), cfg.min_jump_km)
    limit = np.maximum(limit, cfg.max_speed_kn * KM_PER_NM / 60.0)  # intervals under a minute count as one
    cand = np.flatnonzero(bound > limit * limit)
    if cand.size == 0:
        return out
    cand = cand[mmsi[cand] == mmsi[cand + step]]
    limit = limit[cand]
    dl = np.abs(dlon[cand])
    dl = np.minimum(dl, 360.0 - dl) * np.cos(np.radians(np.minimum(np.abs(lat[cand]), 89.0)))
    flat2 = (dlat[cand] ** 2 + dl * dl) * (111.195 * 111.195)
    keep = flat2 > 0.64 * limit * limit
    cand, limit = cand[keep], limit[keep]
    if cand.size:
        dist = haversine_km(lat[cand], lon[cand], lat[cand + step], lon[cand + step])
        out[cand] = (dist > cfg.min_jump_km) & (dist > limit)
    return out


def _teleports(
    mmsi: np.ndarray, t_us: np.ndarray, lat: np.ndarray, lon: np.ndarray, cfg: TrackSettings
) -> np.ndarray:
    """Fixes that are single-point teleports.

    Interior fix i: impossible jumps i-1 -> i and i -> i+1, while i-1 -> i+1 is possible. First fix
    of a track: impossible jump to the second while second -> third is possible; last fix likewise.
    """
    n = mmsi.size
    if n < 3:
        return np.zeros(n, dtype=bool)
    j1 = _jumps(mmsi, t_us, lat, lon, cfg)  # i -> i+1
    j2 = _jumps(mmsi, t_us, lat, lon, cfg, step=2)  # i -> i+2
    f = np.zeros(1, dtype=bool)
    same_prev = np.concatenate([f, mmsi[1:] == mmsi[:-1]])
    same_next = np.concatenate([mmsi[1:] == mmsi[:-1], f])
    same_next2 = np.concatenate([mmsi[2:] == mmsi[:-2], f, f])
    same_prev2 = np.concatenate([f, f, mmsi[2:] == mmsi[:-2]])
    into = np.concatenate([f, j1[:-1]])
    bridge_ok = np.concatenate([f, ~j2[:-2], f]) & same_prev & same_next
    interior = into & j1 & bridge_ok
    next_ok = np.concatenate([~j1[1:], f])
    head = ~same_prev & j1 & same_next2 & next_ok
    prev_ok = np.concatenate([f, f, ~j1[:-2]])
    tail = ~same_next & into & same_prev2 & prev_ok
    candidate = interior | head | tail
    # Only isolated candidates are teleports: in an alternation between two places (two ships on
    # one MMSI) every fix looks like a spike, and none of them is one.
    neighbour = (
        np.concatenate([f, candidate[:-1]]) & same_prev | np.concatenate([candidate[1:], f]) & same_next
    )
    return candidate & ~neighbour


def _coherent_spikes(
    mmsi: np.ndarray,
    t_us: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    spike: np.ndarray,
    cfg: TrackSettings,
) -> np.ndarray:
    """MMSIs with at least ``shared_mmsi_min_jumps`` spikes that mostly form a possible track of their own."""
    idx = np.flatnonzero(spike)
    if idx.size < cfg.shared_mmsi_min_jumps:
        return np.empty(0, dtype=mmsi.dtype)
    m = mmsi[idx]
    possible = ~_jumps(m, t_us[idx], lat[idx], lon[idx], cfg) & np.concatenate([m[1:] == m[:-1], [False]])
    owners, n_spikes = np.unique(m, return_counts=True)
    n_possible = np.bincount(np.searchsorted(owners, m), weights=possible, minlength=owners.size)
    coherent = (n_spikes >= cfg.shared_mmsi_min_jumps) & (n_possible >= 0.5 * (n_spikes - 1))
    return owners[coherent]


#: The columns detection keeps of each position (the static fields go to :func:`shipwatch.vessels.vessel_info`).
TRACK_COLUMNS = [s.MMSI, s.TIMESTAMP, s.LAT, s.LON, s.SOG, s.COG]


def _store_order(
    df: pl.DataFrame, mmsi: np.ndarray, t_us: np.ndarray, *, store_runs: bool = False
) -> np.ndarray | None:
    """The row order (mmsi, timestamp, source_file, source_row) of ``df``: None when the rows already
    are in it (a store partition), else the permutation. O(n) checks; the sort itself is a stable
    sort of one packed integer, which merges the sorted runs of a store's partitions in near-linear
    time (ties stay in partition order, which is store order); anything else gets the full sort."""
    if _sorted(df, None, mmsi, t_us):
        return None
    seconds = t_us // 1_000_000
    key = (mmsi.astype(np.int64) << 33) | np.clip(seconds - seconds.min(), 0, 2**33 - 1)
    perm = np.argsort(key, kind="stable")
    if store_runs or _sorted(df, perm, mmsi[perm], t_us[perm]):
        return perm
    keys = [s.MMSI, s.TIMESTAMP, s.SOURCE_FILE, s.SOURCE_ROW]
    present = [k for k in keys if k in df.columns]
    return df.select(pl.arg_sort_by(present, nulls_last=True)).to_series().to_numpy()


def _sorted(df: pl.DataFrame, perm: np.ndarray | None, mmsi: np.ndarray, t_us: np.ndarray) -> bool:
    """Whether rows (in ``perm`` order) are sorted by mmsi, timestamp, then source_file, source_row."""
    if mmsi.size < 2:
        return True
    dm = np.diff(mmsi)
    dt = np.diff(t_us)
    if (dm < 0).any() or ((dm == 0) & (dt < 0)).any():
        return False
    ties = np.flatnonzero((dm == 0) & (dt == 0))
    if ties.size == 0:
        return True
    if s.SOURCE_FILE not in df.columns or s.SOURCE_ROW not in df.columns:
        return False
    rows_a = ties if perm is None else perm[ties]
    rows_b = ties + 1 if perm is None else perm[ties + 1]
    src = df.select(pl.col(s.SOURCE_FILE).cast(pl.String), s.SOURCE_ROW)
    a, b = src[rows_a], src[rows_b]
    if a[s.SOURCE_FILE].null_count() or b[s.SOURCE_FILE].null_count():
        return False
    fa, fb = a[s.SOURCE_FILE], b[s.SOURCE_FILE]
    ok = (fa < fb) | ((fa == fb) & (a[s.SOURCE_ROW].fill_null(0) <= b[s.SOURCE_ROW].fill_null(0)))
    return bool(ok.all())


def clean_tracks(
    positions: TableLike, *, settings: TrackSettings | None = None, store_runs: bool = False
) -> tuple[pl.DataFrame, CleanStats]:
    """Sort positions per vessel, drop single-fix teleports and flag/split shared MMSIs.

    Parameters
    ----------
    positions
        Canonical AIS table (validated: no null mmsi, time or position).
    settings
        Thresholds; see :class:`~shipwatch.settings.TrackSettings`.
    store_runs
        The rows are runs each already in store order (the part files of a store, one after another):
        the stable merge of the runs is store order, without checking ties on source file and row.

    Returns
    -------
    The cleaned table (:data:`TRACK_COLUMNS`) sorted by (mmsi, timestamp) with two more columns,
    ``identity`` (int) and ``shared_mmsi`` (bool), and the counts of what was removed or flagged.
    """
    cfg = settings or TrackSettings()
    positions = as_positions(positions)
    stats = CleanStats(positions_in=positions.height)
    df = positions.drop_nulls([s.MMSI, s.TIMESTAMP, s.LAT, s.LON])
    mmsi = df[s.MMSI].to_numpy()
    t_us = df[s.TIMESTAMP].dt.epoch("us").to_numpy()
    perm = _store_order(df, mmsi, t_us, store_runs=store_runs)
    df = df.select(TRACK_COLUMNS)  # only what detection reads; one gather at the end
    lat = df[s.LAT].to_numpy()
    lon = df[s.LON].to_numpy()
    if perm is not None:
        mmsi, t_us, lat, lon = mmsi[perm], t_us[perm], lat[perm], lon[perm]
    else:
        perm = np.arange(mmsi.size)

    # A teleport is a single fix both reached and left by impossible jumps, while its neighbours
    # are consistent with each other; at a track's ends, one impossible jump suffices. But when an
    # MMSI's "teleports" are many and consistent with one another, they are a second ship.
    spike = _teleports(mmsi, t_us, lat, lon, cfg)
    second_ship = _coherent_spikes(mmsi, t_us, lat, lon, spike, cfg)
    spike &= ~np.isin(mmsi, second_ship)
    stats.teleports_removed = int(spike.sum())
    if spike.any():
        perm = perm[~spike]
        mmsi, t_us, lat, lon = mmsi[~spike], t_us[~spike], lat[~spike], lon[~spike]
    if not (perm.size == df.height and (perm.size == 0 or (perm[0] == 0 and (np.diff(perm) == 1).all()))):
        df = df[perm]

    jumps = _jumps(mmsi, t_us, lat, lon, cfg)
    identity = np.zeros(mmsi.size, dtype=np.int16)
    shared = np.zeros(mmsi.size, dtype=bool)
    if jumps.any():
        owners, counts = np.unique(mmsi[jumps], return_counts=True)
        for m in owners[counts >= cfg.shared_mmsi_min_jumps]:  # loop over candidate MMSIs only
            if _split_shared(m, mmsi, t_us, lat, lon, jumps, identity, shared, cfg):
                stats.shared_mmsis.append(int(m))
    stats.positions_shared = int(shared.sum())
    df = df.with_columns(pl.Series(IDENTITY, identity), pl.Series(SHARED, shared))
    return df, stats


MAX_IDENTITIES = 4  # ships told apart behind one MMSI; more fragments go to the last identity
MAX_SEGMENTS = 2000  # beyond this many fragments in one window the MMSI is flagged, not split


def _split_shared(
    m: int,
    mmsi: np.ndarray,
    t_us: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    jumps: np.ndarray,
    identity: np.ndarray,
    shared: np.ndarray,
    cfg: TrackSettings,
) -> bool:
    """Flag the shared windows of MMSI ``m``; give each ship behind it its own identity number.

    Impossible jumps closer in time than twice ``shared_mmsi_pad_hours`` form one episode; an
    episode with at least ``shared_mmsi_min_jumps`` jumps is a shared window (padded on both sides).
    Isolated glitches months apart never join into one window. Inside a window, the segments
    between jumps are chained greedily to the identity whose last fix they can be reached from: a
    loop over segments, bounded by ``MAX_SEGMENTS`` and ``MAX_IDENTITIES``, never over positions.
    Returns whether any window was found.
    """
    rows = np.flatnonzero(mmsi == m)
    lo, hi = rows[0], rows[-1] + 1
    local_jumps = np.flatnonzero(jumps[lo:hi]) + lo
    pad = cfg.shared_mmsi_pad_hours * US_PER_HOUR
    breaks = np.flatnonzero(np.diff(t_us[local_jumps]) > 2 * pad) + 1
    found = False
    for episode in np.split(local_jumps, breaks):  # loop over episodes (a handful)
        if episode.size < cfg.shared_mmsi_min_jumps:
            continue
        found = True
        in_window = (t_us[lo:hi] >= t_us[episode[0]] - pad) & (t_us[lo:hi] <= t_us[episode[-1] + 1] + pad)
        w = np.flatnonzero(in_window) + lo
        a0, b0 = w[0], w[-1] + 1
        shared[a0:b0] = True
        cuts = episode + 1
        if cuts.size > MAX_SEGMENTS:
            identity[a0:b0] = 1
            continue
        _assign_identities(
            np.concatenate([[a0], cuts]), np.concatenate([cuts, [b0]]), t_us, lat, lon, identity, cfg
        )
    return found


def _assign_identities(
    starts: np.ndarray,
    ends: np.ndarray,
    t_us: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    identity: np.ndarray,
    cfg: TrackSettings,
) -> None:
    tails: list[int] = []  # index of the last fix of each identity so far
    limit = cfg.max_speed_kn * KM_PER_NM
    for a, b in zip(starts, ends, strict=True):
        chosen = None
        for k, tail in enumerate(tails):
            dist = float(haversine_km(lat[tail], lon[tail], lat[a], lon[a]))
            hours = max((t_us[a] - t_us[tail]) / US_PER_HOUR, 1.0 / 60.0)
            if dist <= cfg.min_jump_km or dist / hours <= limit:
                chosen = k
                break
        if chosen is None:
            if len(tails) < MAX_IDENTITIES:
                tails.append(b - 1)
            chosen = len(tails) - 1
        tails[chosen] = b - 1
        identity[a:b] = chosen + 1
