"""Detection bucket by bucket: bounded memory on one machine, and the same tasks on a Dask cluster.

Everything detection computes per vessel (cleaning, port labels and visits, gaps, candidate dark calls,
what each vessel is, where it was heard, which sightings it could explain) depends on that vessel's own
positions only. So a store is processed one *bucket* of vessels at a time, all dates of one set of MMSIs
together (``mmsi % buckets``): a vessel's whole history is in one bucket, and a gap spanning two daily
files is found once, exactly as if the data were one file. Each bucket gives a small
:class:`BucketResult`; :func:`combine` merges them (coverage from every bucket's presence runs, imagery
attribution, grades, the monthly summary) into the same :class:`~shipwatch.detection.Detection` the
in-memory :func:`shipwatch.detect` gives.

The buckets are chosen from the store's row-group statistics so that one holds about ``bucket_rows``
positions: peak memory is one bucket's, flat as days are added. A bucket is one of the store's
``BUCKETS`` part files of every day (one residue ``mmsi % BUCKETS``), cut into MMSI ranges when that
residue is too big (:func:`plan_buckets`).

Engines: ``local`` runs the buckets one after another in this process; ``dask`` sends the same
:func:`run_bucket` tasks to a ``distributed`` cluster (``pip install 'shipwatch[dask]'``) and combines
their results in bucket order, so its outputs are byte-identical to the local engine's.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from shipwatch.quality import cap_positions
from shipwatch.settings import Settings
from shipwatch.sightings import ais_candidates, match_sightings
from shipwatch.store import POSITIONS
from shipwatch.store_order import BUCKETS
from shipwatch.summary import month_range, monthly_summary
from shipwatch.tables import DARK_TRANSITS, IDENTITY, PORT, SHARED, TRACKS
from shipwatch.tracks import CleanStats, clean_tracks
from shipwatch.transits import dark_transits, plausible_speeds, round_trip_hours
from shipwatch.vessels import vessel_info
from shipwatch.visits import port_visits

#: Positions a bucket should hold at most (about 100–150 bytes each while detection runs).
BUCKET_ROWS = 1_000_000
ENGINES = ("local", "dask")
#: Columns read from a store: what detection uses.
READ_COLUMNS = [
    s.MMSI,
    s.TIMESTAMP,
    s.LAT,
    s.LON,
    s.SOG,
    s.COG,
    s.VESSEL_NAME,
    s.IMO,
    s.CALLSIGN,
    s.SHIP_TYPE,
    s.LENGTH_M,
]  # fmt: skip (no source_file/source_row: part files are in store order, see clean_tracks(store_runs=))


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
    tracks: pl.DataFrame | None = None  # the bucket's tracks, when the caller writes them


#: Compression of the tracks a run keeps (fast to write; tracks are for maps and analysts).
TRACKS_COMPRESSION = "lz4"


class TracksWriter:
    """Appends buckets' tracks to one Parquet file as they finish (bounded memory: one bucket at a time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: pq.ParquetWriter | None = None

    def write(self, tracks: pl.DataFrame) -> None:
        table = tracks.select(list(TRACKS)).to_arrow()
        if self._writer is None:
            # dictionaries only for the few-valued columns, times delta-coded: half the CPU of
            # dictionary-encoding every column, and the same size
            self._writer = pq.ParquetWriter(
                self.path,
                table.schema,
                compression=TRACKS_COMPRESSION,
                use_dictionary=[s.MMSI, IDENTITY, SHARED, PORT],
                column_encoding={s.TIMESTAMP: "DELTA_BINARY_PACKED"},
            )
        self._writer.write_table(table)

    def __enter__(self) -> TracksWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()


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
    store_runs: bool = False,
) -> tuple[BucketResult, pl.DataFrame]:
    """Every per-vessel stage on the positions of a set of vessels; returns the bucket's result and its
    cleaned, labelled tracks. ``store_runs``: the rows are a store's part files one after another."""
    clock = _Clock()
    cfg = settings
    # what is known of each vessel comes from all its reports (static fields are not kept per position)
    vessels = vessel_info(positions)
    capped = 0
    if cfg.tracks.max_positions_per_vessel:  # per vessel, so a bucket caps exactly what one table would
        positions, capped = cap_positions(positions, cfg.tracks.max_positions_per_vessel)
    tracks, cleaning = clean_tracks(positions, settings=cfg.tracks, store_runs=store_runs)
    cleaning.positions_capped = capped
    clock.lap("clean")
    labelled = label_ports(tracks, ports=ports, settings=cfg.visits)
    clock.lap("label_ports")
    visits = port_visits(
        labelled,
        ports=ports,
        settings=cfg.visits,
        vessels=vessels,
        split_hours=round_trip_hours(ports, cfg.transits),
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
    gaps = gaps.with_columns(coverage(gaps, [r.runs for r in results], cfg.gaps).alias("coverage_vessels"))
    transits = cat("transits").sort(["dark_start", s.MMSI, "call_port"])
    clock.lap("gaps")
    matched, imagery = match_sightings(
        sightings,
        pl.DataFrame(schema=TRACKS),
        transits=transits,
        vessels=vessels,
        ports=ports,
        settings=cfg.sightings,
        ais=cat("ais"),
    )
    transits = grade_transits(transits, imagery=imagery, settings=cfg.transits).select(list(DARK_TRANSITS))
    clock.lap("sightings")
    visits = _within(visits, "arrival", start, end)
    gaps = _within(gaps, "start_time", start, end)
    transits = _within(transits, "dark_start", start, end)
    matched = _within(matched, "observed_at", start, end)
    t_min = min((r.t_min for r in results if r.t_min is not None), default=None)
    t_max = max((r.t_max for r in results if r.t_max is not None), default=None)
    times = [
        t for t in (t_min, t_max, matched["observed_at"].min(), matched["observed_at"].max()) if t is not None
    ]
    from datetime import timedelta

    if start is not None:
        times = [t for t in times if t >= start] + [start]
    if end is not None:
        times = [t for t in times if t < end] + [end - timedelta(microseconds=1)]
    months = (
        month_range(min(times).strftime("%Y-%m"), max(times).strftime("%Y-%m")) if t_min is not None else []
    )
    summary = monthly_summary(transits, sightings=matched, visits=visits, ports=ports, months=months)
    clock.lap("summary")
    cleaning = CleanStats(
        positions_in=sum(r.cleaning.positions_in for r in results),
        teleports_removed=sum(r.cleaning.teleports_removed for r in results),
        shared_mmsis=sorted(m for r in results for m in r.cleaning.shared_mmsis),
        positions_shared=sum(r.cleaning.positions_shared for r in results),
        positions_capped=sum(r.cleaning.positions_capped for r in results),
    )
    stats = {
        "positions": sum(r.positions for r in results),
        "vessels": sum(r.vessels.height for r in results if r.t_min is not None),
        "cleaning": cleaning.to_dict(),
        "port_visits": visits.height,
        "gaps": gaps.height,
        "gaps_open": int(gaps["open"].sum()) if gaps.height else 0,
        "dark_transits": transits.group_by("evidence").len().sort("evidence").rows()
        if transits.height
        else [],
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


@dataclass(frozen=True)
class Bucket:
    """One set of vessels: the MMSIs of part file ``part`` with ``low <= mmsi < high``."""

    part: int
    low: int
    high: int


def plan_buckets(
    stores: Sequence[Path], *, lo: datetime | None, hi: datetime | None, bucket_rows: int
) -> list[Bucket]:
    """Buckets of vessels that each hold about ``bucket_rows`` positions at most (more only when one
    vessel alone has more).

    Each of the store's ``BUCKETS`` part files (per day) holds one residue ``mmsi % BUCKETS`` and is
    sorted by MMSI. When a residue holds more than ``bucket_rows`` rows over the window, it is cut into
    MMSI ranges from its positions per MMSI (one streaming pass over the MMSI column only: a few bytes a
    row, memory bounded by the number of vessels), so a bucket then reads only the row groups that
    overlap its range: reading stays near one pass whatever the number of buckets.
    """
    target = max(bucket_rows, 1)
    files = _day_files(stores, lo, hi)
    out: list[Bucket] = []
    for part in range(BUCKETS):
        mine = [f for f in files if f.name == f"part-{part:02d}.parquet"]
        rows = sum(pq.read_metadata(f).num_rows for f in mine)
        if rows <= target:
            if rows:
                out.append(Bucket(part, 0, 2**62))
            continue
        counts = (
            pl.scan_parquet(mine, hive_partitioning=False, schema=s.CANONICAL_SCHEMA)
            .select(s.MMSI)
            .group_by(s.MMSI)
            .len()
            .sort(s.MMSI)
            .collect(engine="streaming")
        )
        mmsi, n = counts[s.MMSI].to_numpy(), counts["len"].to_numpy()
        cuts, acc = [], 0
        for m, k in zip(mmsi, n, strict=True):  # a loop over vessels of one residue, not positions
            if acc and acc + k > target:
                cuts.append(int(m))
                acc = 0
            acc += int(k)
        bounds = [0, *cuts, 2**62]
        out += [Bucket(part, a, b) for a, b in itertools.pairwise(bounds)]
    return out


@dataclass
class BucketTask:
    """One bucket of vessels to detect on: what a worker needs, and nothing it must share."""

    stores: list[str]
    bucket: Bucket
    lo: datetime | None
    hi: datetime | None
    data_end: datetime | None
    ports: list[Port]
    settings: Settings
    sightings: pl.DataFrame
    tracks_file: str | None


def read_bucket(task: BucketTask) -> pl.DataFrame:
    """The positions of one bucket of vessels: its part file of every day, its MMSI range (row groups
    outside it are skipped by their statistics)."""
    b = task.bucket
    part = f"part-{b.part:02d}.parquet"
    files = [f for f in _day_files([Path(p) for p in task.stores], task.lo, task.hi) if f.name == part]
    if not files:
        return s.empty().select(READ_COLUMNS)
    lf = pl.scan_parquet(files, hive_partitioning=False, schema=s.CANONICAL_SCHEMA).select(READ_COLUMNS)
    if b.low > 0 or b.high < 2**62:
        lf = lf.filter((pl.col(s.MMSI) >= b.low) & (pl.col(s.MMSI) < b.high))
    if task.lo is not None:
        lf = lf.filter(pl.col(s.TIMESTAMP) >= task.lo)
    if task.hi is not None:
        lf = lf.filter(pl.col(s.TIMESTAMP) < task.hi)
    return lf.collect()


def run_bucket(task: BucketTask) -> BucketResult:
    """Read one bucket, run every per-vessel stage, write its tracks; the task a worker runs."""
    t0 = time.perf_counter()
    positions = read_bucket(task)
    read_s = time.perf_counter() - t0
    result, tracks = detect_vessels(
        positions,
        ports=task.ports,
        settings=task.settings,
        sightings=task.sightings,
        data_end=task.data_end,
        store_runs=True,
    )
    t1 = time.perf_counter()
    result.tracks = tracks.select(list(TRACKS))
    if task.tracks_file is not None:  # a worker elsewhere: its tracks go to a file, not over the wire
        result.tracks.write_parquet(task.tracks_file, compression=TRACKS_COMPRESSION, statistics=False)
        result.tracks = None
    result.timings["read"] = read_s
    result.timings["write_tracks"] = time.perf_counter() - t1
    return result


def data_span_of(
    stores: Sequence[Path], lo: datetime | None, hi: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The first and last position time in the stores' window (the last is the end open gaps run to),
    from the files' row-group statistics where they settle it (no data read), else from the timestamps."""
    files = _day_files(stores, lo, hi)
    first: datetime | None = None
    last: datetime | None = None
    unsettled = []
    for f in files:
        meta = pq.read_metadata(f)
        col = meta.schema.names.index(s.TIMESTAMP)
        stats = [meta.row_group(g).column(col).statistics for g in range(meta.num_row_groups)]
        if stats and all(st is not None and st.has_min_max for st in stats):
            a, b = min(st.min for st in stats), max(st.max for st in stats)
            if isinstance(a, datetime) and isinstance(b, datetime):
                a, b = (x if x.tzinfo else x.replace(tzinfo=UTC) for x in (a, b))
                if (lo is None or a >= lo) and (hi is None or b < hi):  # wholly inside the window
                    first = a if first is None else min(first, a)
                    last = b if last is None else max(last, b)
                    continue
        unsettled.append(f)
    if unsettled:
        lf = pl.scan_parquet(unsettled, hive_partitioning=False, schema=s.CANONICAL_SCHEMA).select(
            s.TIMESTAMP
        )
        if lo is not None:
            lf = lf.filter(pl.col(s.TIMESTAMP) >= lo)
        if hi is not None:
            lf = lf.filter(pl.col(s.TIMESTAMP) < hi)
        row = lf.select(pl.col(s.TIMESTAMP).min().alias("a"), pl.col(s.TIMESTAMP).max().alias("b")).collect(
            engine="streaming"
        )
        a, b = row["a"][0], row["b"][0]
        if a is not None:
            first = a if first is None else min(first, a)
            last = b if last is None else max(last, b)
    return first, last


def run_buckets(
    tasks: Sequence[BucketTask],
    *,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    tracks_sink: Callable[[pl.DataFrame], None] | None = None,
) -> list[BucketResult]:
    """Run the tasks on an engine; results in task order (the same whatever ran them, wherever).

    With the local engine, each bucket's tracks are handed to ``tracks_sink`` as it finishes (when its
    task names no ``tracks_file``); Dask workers write theirs to their task's ``tracks_file``."""
    if engine == "local":
        out = []
        for i, task in enumerate(tasks):
            result = run_bucket(task)
            if tracks_sink is not None and result.tracks is not None:
                tracks_sink(result.tracks)
                result.tracks = None
            out.append(result)
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
        LocalCluster(
            n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        return client.gather(client.map(run_bucket, list(tasks), pure=False))
