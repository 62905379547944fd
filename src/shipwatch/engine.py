"""Detection bucket by bucket: bounded memory on one machine, and the same tasks on a Dask cluster.

Everything detection computes per vessel (cleaning, port labels and visits, gaps, candidate dark calls,
what each vessel is, where it was heard, which sightings it could explain) depends on that vessel's own
positions only. So a store is processed one *bucket* of vessels at a time, all dates of one set of MMSIs
together (``mmsi % buckets``): a vessel's whole history is in one bucket, and a gap spanning two daily
files is found once, exactly as if the data were one file. Each bucket gives a small
:class:`BucketResult`; :func:`combine` merges them (coverage from every bucket's presence runs, imagery
attribution, grades, the monthly summary) into the same :class:`~shipwatch.detection.Detection` the
in-memory :func:`shipwatch.detect` gives.

The number of buckets is chosen from the store's row count so that one bucket holds about
``bucket_rows`` positions: peak memory is one bucket's, flat as days are added. A bucket ``b`` of a
store written with ``BUCKETS`` part files per day lives in part file ``b % BUCKETS`` of every day.

Engines: ``local`` runs the buckets one after another in this process; ``dask`` sends the same
:func:`run_bucket` tasks to a ``distributed`` cluster (``pip install 'shipwatch[dask]'``) and combines
their results in bucket order, so its outputs are byte-identical to the local engine's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from shipwatch import schema as s
from shipwatch.errors import ShipwatchError
from shipwatch.gaps import coverage, find_gaps, presence_runs
from shipwatch.grades import grade_transits
from shipwatch.port_labels import label_ports
from shipwatch.ports import Port
from shipwatch.settings import Settings
from shipwatch.sightings import ais_candidates, match_sightings
from shipwatch.store import POSITIONS
from shipwatch.store_order import BUCKETS
from shipwatch.summary import month_range, monthly_summary
from shipwatch.tables import DARK_TRANSITS, IDENTITY, TRACKS
from shipwatch.tracks import CleanStats, clean_tracks
from shipwatch.transits import dark_transits, plausible_speeds, round_trip_hours
from shipwatch.vessels import vessel_info
from shipwatch.visits import port_visits

#: Positions a bucket should hold at most (about 100–150 bytes each while detection runs).
BUCKET_ROWS = 1_000_000
ENGINES = ("local", "dask")
#: Columns read from a store: what detection uses.
READ_COLUMNS = [
    s.MMSI, s.TIMESTAMP, s.LAT, s.LON, s.SOG, s.COG, s.VESSEL_NAME, s.IMO, s.CALLSIGN, s.SHIP_TYPE,
    s.LENGTH_M, s.SOURCE_FILE, s.SOURCE_ROW,
]  # fmt: skip


@dataclass
class BucketResult:
    """What one bucket of vessels gives: small tables, merged by :func:`combine`."""

    vessels: pl.DataFrame
    visits: pl.DataFrame
    gaps: pl.DataFrame
    transits: pl.DataFrame
    runs: pl.DataFrame
    ais: pl.DataFrame
    positions: int
    cleaning: CleanStats
    t_min: datetime | None
    t_max: datetime | None
    timings: dict[str, float] = field(default_factory=dict)


class _Clock:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.t
        self.t = now


def detect_vessels(
    positions: pl.DataFrame,
    *,
    ports: list[Port],
    settings: Settings,
    sightings: pl.DataFrame,
    data_end: datetime | None,
) -> tuple[BucketResult, pl.DataFrame]:
    """Every per-vessel stage on the positions of a set of vessels; returns the bucket's result and its
    cleaned, labelled tracks."""
    clock = _Clock()
    cfg = settings
    # what is known of each vessel comes from all its reports (static fields are not kept per position)
    vessels = vessel_info(positions)
    tracks, cleaning = clean_tracks(positions, settings=cfg.tracks)
    clock.lap("clean")
    labelled = label_ports(tracks, ports=ports, settings=cfg.visits)
    clock.lap("label_ports")
    visits = port_visits(
        labelled, ports=ports, settings=cfg.visits, vessels=vessels, split_hours=round_trip_hours(ports, cfg.transits)
    )
    clock.lap("port_visits")
    gaps = find_gaps(
        labelled,
        settings=cfg.gaps,
        data_end=data_end,
        entry_km=cfg.visits.entry_km,
        vessels=vessels,
        with_coverage=False,
    )
    runs = presence_runs(labelled, cfg.gaps)
    clock.lap("gaps")
    transits = dark_transits(
        gaps,
        visits=visits,
        speeds=plausible_speeds(labelled, settings=cfg.transits),
        vessels=vessels,
        ports=ports,
        settings=cfg.transits,
    )
    clock.lap("dark_transits")
    ais = ais_candidates(sightings, labelled, vessels, cfg.sightings)
    clock.lap("sightings")
    times = labelled[s.TIMESTAMP]
    result = BucketResult(
        vessels=vessels,
        visits=visits,
        gaps=gaps,
        transits=transits,
        runs=runs,
        ais=ais,
        positions=positions.height,
        cleaning=cleaning,
        t_min=times.min() if labelled.height else None,
        t_max=times.max() if labelled.height else None,
        timings=clock.laps,
    )
    return result, labelled


def combine(
    results: Sequence[BucketResult],
    *,
    ports: list[Port],
    settings: Settings,
    sightings: pl.DataFrame,
    start: datetime | None,
    end: datetime | None,
) -> dict[str, Any]:
    """Merge bucket results (in bucket order) into the result tables, as if they were one table.

    Returns the keyword arguments of :class:`~shipwatch.detection.Detection` except ``tracks``.
    """
    cfg = settings
    clock = _Clock()

    def cat(name: str) -> pl.DataFrame:
        return pl.concat([getattr(r, name) for r in results], how="vertical")

    vessels = cat("vessels").sort(s.MMSI)
    visits = cat("visits").sort([s.MMSI, "arrival", IDENTITY])
    gaps = cat("gaps").sort(["start_time", s.MMSI])
    gaps = gaps.with_columns(coverage(gaps, cat("runs"), cfg.gaps).alias("coverage_vessels"))
    transits = cat("transits").sort(["dark_start", s.MMSI, "call_port"])
    clock.lap("gaps")
    matched, imagery = match_sightings(
        sightings, pl.DataFrame(schema=TRACKS), transits=transits, vessels=vessels, ports=ports,
        settings=cfg.sightings, ais=cat("ais"),
    )
    transits = grade_transits(transits, imagery=imagery, settings=cfg.transits).select(list(DARK_TRANSITS))
    clock.lap("sightings")
    visits = _within(visits, "arrival", start, end)
    gaps = _within(gaps, "start_time", start, end)
    transits = _within(transits, "dark_start", start, end)
    matched = _within(matched, "observed_at", start, end)
    t_min = min((r.t_min for r in results if r.t_min is not None), default=None)
    t_max = max((r.t_max for r in results if r.t_max is not None), default=None)
    times = [t for t in (t_min, t_max, matched["observed_at"].min(), matched["observed_at"].max()) if t is not None]
    from datetime import timedelta

    if start is not None:
        times = [t for t in times if t >= start] + [start]
    if end is not None:
        times = [t for t in times if t < end] + [end - timedelta(microseconds=1)]
    months = month_range(min(times).strftime("%Y-%m"), max(times).strftime("%Y-%m")) if t_min is not None else []
    summary = monthly_summary(transits, sightings=matched, visits=visits, ports=ports, months=months)
    clock.lap("summary")
    cleaning = CleanStats(
        positions_in=sum(r.cleaning.positions_in for r in results),
        teleports_removed=sum(r.cleaning.teleports_removed for r in results),
        shared_mmsis=sorted(m for r in results for m in r.cleaning.shared_mmsis),
        positions_shared=sum(r.cleaning.positions_shared for r in results),
    )
    stats = {
        "positions": sum(r.positions for r in results),
        "vessels": sum(r.vessels.height for r in results if r.t_min is not None),
        "cleaning": cleaning.to_dict(),
        "port_visits": visits.height,
        "gaps": gaps.height,
        "gaps_open": int(gaps["open"].sum()) if gaps.height else 0,
        "dark_transits": transits.group_by("evidence").len().sort("evidence").rows() if transits.height else [],
        "sightings": matched.group_by("match").len().sort("match").rows() if matched.height else [],
    }
    timings: dict[str, float] = {}
    for r in results:
        for k, v in r.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    for k, v in clock.laps.items():
        timings[k] = timings.get(k, 0.0) + v
    return {
        "port_visits": visits,
        "gaps": gaps,
        "dark_transits": transits,
        "sightings": matched,
        "monthly_summary": summary,
        "stats": stats,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "ports": ports,
        "settings": cfg,
        "vessels": vessels,
    }


def _within(df: pl.DataFrame, column: str, start: datetime | None, end: datetime | None) -> pl.DataFrame:
    """Rows whose ``column`` falls in [start, end)."""
    if start is not None:
        df = df.filter(pl.col(column) >= start)
    if end is not None:
        df = df.filter(pl.col(column) < end)
    return df


# --- stores, bucket by bucket --------------------------------------------------------------------------
def _day_files(stores: Sequence[Path], lo: datetime | None, hi: datetime | None) -> list[Path]:
    files = []
    for store in stores:
        for day_dir in sorted((store / POSITIONS).glob("date=*")):
            day = datetime.fromisoformat(day_dir.name.removeprefix("date=")).date()
            if (lo is not None and day < lo.date()) or (hi is not None and day > hi.date()):
                continue
            files.extend(sorted(day_dir.glob("part-*.parquet")))
    return files


def plan_buckets(stores: Sequence[Path], *, lo: datetime | None, hi: datetime | None, bucket_rows: int) -> int:
    """How many buckets (a multiple of the store's ``BUCKETS``) keep one under ``bucket_rows`` rows."""
    rows = sum(pq.read_metadata(f).num_rows for f in _day_files(stores, lo, hi))
    per_part = max(1, math.ceil(rows / (BUCKETS * max(bucket_rows, 1))))
    return BUCKETS * per_part


@dataclass
class BucketTask:
    """One bucket of vessels to detect on: what a worker needs, and nothing it must share."""

    stores: list[str]
    bucket: int
    buckets: int
    lo: datetime | None
    hi: datetime | None
    data_end: datetime | None
    ports: list[Port]
    settings: Settings
    sightings: pl.DataFrame
    tracks_file: str | None


def read_bucket(task: BucketTask) -> pl.DataFrame:
    """The positions of one bucket of vessels: part file ``bucket % BUCKETS`` of every day, those MMSIs."""
    part = f"part-{task.bucket % BUCKETS:02d}.parquet"
    files = [f for f in _day_files([Path(p) for p in task.stores], task.lo, task.hi) if f.name == part]
    if not files:
        return s.empty().select(READ_COLUMNS)
    lf = pl.scan_parquet(files, hive_partitioning=False, schema=s.CANONICAL_SCHEMA).select(READ_COLUMNS)
    if task.lo is not None:
        lf = lf.filter(pl.col(s.TIMESTAMP) >= task.lo)
    if task.hi is not None:
        lf = lf.filter(pl.col(s.TIMESTAMP) < task.hi)
    if task.buckets != BUCKETS:
        lf = lf.filter(pl.col(s.MMSI) % task.buckets == task.bucket)
    return lf.collect()


def run_bucket(task: BucketTask) -> BucketResult:
    """Read one bucket, run every per-vessel stage, write its tracks; the task a worker runs."""
    positions = read_bucket(task)
    result, tracks = detect_vessels(
        positions, ports=task.ports, settings=task.settings, sightings=task.sightings, data_end=task.data_end
    )
    if task.tracks_file is not None:
        tracks.select(list(TRACKS)).write_parquet(task.tracks_file, compression="zstd", statistics=False)
    return result


def data_end_of(stores: Sequence[Path], lo: datetime | None, hi: datetime | None) -> datetime | None:
    """The last position time in the stores' window (the end open gaps run to)."""
    files = _day_files(stores, lo, hi)
    if not files:
        return None
    lf = pl.scan_parquet(files, hive_partitioning=False, schema=s.CANONICAL_SCHEMA).select(s.TIMESTAMP)
    if lo is not None:
        lf = lf.filter(pl.col(s.TIMESTAMP) >= lo)
    if hi is not None:
        lf = lf.filter(pl.col(s.TIMESTAMP) < hi)
    return lf.select(pl.col(s.TIMESTAMP).max()).collect().item()


def run_buckets(
    tasks: Sequence[BucketTask],
    *,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[BucketResult]:
    """Run the tasks on an engine; results in task order (the same whatever ran them, wherever)."""
    if engine == "local":
        out = []
        for i, task in enumerate(tasks):
            out.append(run_bucket(task))
            if progress is not None:
                progress(i + 1, len(tasks))
        return out
    if engine != "dask":
        raise ShipwatchError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise ShipwatchError("--engine dask needs dask's distributed: pip install 'shipwatch[dask]'") from err
    if scheduler:
        with Client(scheduler) as client:
            return client.gather(client.map(run_bucket, list(tasks), pure=False))
    with (
        LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        return client.gather(client.map(run_bucket, list(tasks), pure=False))
