"""The whole detection run: positions (and sightings) in, every result table out.

:func:`detect` is pure (DataFrames in, DataFrames out); :func:`run` loads inputs, calls it and
writes the output folder with its ``run.json`` manifest. Each stage can also be used alone:
:func:`~shipwatch.tracks.clean_tracks`, :func:`~shipwatch.visits.label_ports`,
:func:`~shipwatch.visits.port_visits`, :func:`~shipwatch.gaps.find_gaps`,
:func:`~shipwatch.transits.dark_transits`, :func:`~shipwatch.sightings.match_sightings`,
:func:`~shipwatch.summary.monthly_summary`.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from shipwatch import __version__, quality
from shipwatch import schema as s
from shipwatch.detection import Detection
from shipwatch.engine import (
    BUCKET_ROWS,
    BucketTask,
    TracksWriter,
    combine,
    data_span_of,
    detect_vessels,
    plan_buckets,
    run_buckets,
)
from shipwatch.errors import InputError, InputNotFoundError
from shipwatch.export import write_json
from shipwatch.frames import TableLike, as_positions, to_polars
from shipwatch.ingest import Accounting, ingest, load_positions
from shipwatch.ports import Port, load_ports
from shipwatch.results import write_outputs
from shipwatch.settings import Settings
from shipwatch.sightings import read_sightings
from shipwatch.store import is_store
from shipwatch.tables import MANIFEST_FILE, SIGHTINGS_IN, TRACKS, TRACKS_FILE, empty
from shipwatch.times import to_utc


def detect(
    positions: TableLike,
    *,
    ports: list[Port] | None = None,
    sightings: pl.DataFrame | None = None,
    settings: Settings | None = None,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
) -> Detection:
    """Run every detection stage on canonical positions.

    Parameters
    ----------
    positions
        AIS positions: a polars, pandas or GeoPandas DataFrame or a pyarrow Table with the canonical
        columns (:mod:`shipwatch.schema`; at least mmsi, timestamp, lat, lon, or a point geometry in
        EPSG:4326), already validated (:func:`shipwatch.ingest.load_positions` gives them).
    ports
        Port registry; default the bundled ``data/ports/ports.geojson``.
    sightings
        Imagery sightings (:func:`shipwatch.sightings.parse_sightings`), optional.
    settings
        Thresholds; default :class:`~shipwatch.settings.Settings`.
    since, until
        Keep positions with ``since <= timestamp < until`` (UTC; dates mean midnight).
    """
    cfg = settings or Settings()
    positions = as_positions(positions)
    ports = ports if ports is not None else load_ports()
    start, end = to_utc(since), to_utc(until)
    quality.check_period(start, end)
    # Positions a little beyond the period are read too (context), so that a gap or a dark transit
    # crossing --since/--until is whole; results are then kept by when they start.
    context = timedelta(days=cfg.gaps.context_days)
    if start is not None:
        positions = positions.filter(pl.col(s.TIMESTAMP) >= start - context)
    if end is not None:
        positions = positions.filter(pl.col(s.TIMESTAMP) < end + context)
    sightings = empty(SIGHTINGS_IN) if sightings is None else to_polars(sightings, what="sightings")
    if positions.height:  # a sighting outside the data's span (a mistyped year) can match nothing
        sightings, _ = quality.sightings_outside(
            sightings,
            positions[s.TIMESTAMP].min(),
            positions[s.TIMESTAMP].max(),
            context_days=cfg.gaps.context_days,
        )
    # One bucket holding every vessel: the same stages the bucketed engine runs (shipwatch.engine).
    bucket, tracks = detect_vessels(
        positions, ports=ports, settings=cfg, sightings=sightings, data_end=positions[s.TIMESTAMP].max()
    )
    parts = combine([bucket], ports=ports, settings=cfg, sightings=sightings, start=start, end=end)
    return Detection(tracks, **parts)


def file_fingerprint(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of a file, or of every file under a folder.

    A shipwatch store is identified by its manifest (which holds the content key of every file ingested
    into it) rather than by re-reading all its Parquet files.
    """
    from shipwatch.store import is_store

    if path.is_dir() and is_store(path) and (path / "manifest.json").is_file():
        return {**file_fingerprint(path / "manifest.json"), "path": str(path), "kind": "store manifest"}
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    size = 0
    for p in files:
        size += p.stat().st_size
        with p.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
    return {"path": str(path), "bytes": size, "files": len(files), "sha256": digest.hexdigest()}


#: Raw inputs larger than this (bytes on disk) stream through a temporary store, bucket by bucket;
#: smaller ones are read into memory at once (the results are the same).
RAW_IN_MEMORY_BYTES = 256 * 2**20
#: Rows the temporary store of raw inputs holds in memory before setting them aside on disk: while a
#: CSV file is read it is also mapped into memory whole, so this stays well below an ingest's default.
RUN_STAGING_BYTES = 256 * 2**20


def run(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    sightings: str | Path | None = None,
    ports: str | Path | None = None,
    config: str | Path | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    mapping: Any = None,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    bucket_rows: int = BUCKET_ROWS,
) -> tuple[Detection, dict[str, Any]]:
    """Load inputs, detect, and write ``out_dir`` with the result tables and ``run.json``.

    Stores, and raw inputs over :data:`RAW_IN_MEMORY_BYTES` (ingested into a temporary store first),
    are detected bucket by bucket (:mod:`shipwatch.engine`): memory stays bounded by one bucket of about
    ``bucket_rows`` positions. ``engine="dask"`` runs the buckets on a ``distributed`` cluster: a
    ``LocalCluster`` of ``workers`` processes, or the scheduler at ``scheduler`` (its workers must see
    the store and ``out_dir``). Every way gives the same bytes.
    """
    t0 = time.perf_counter()
    settings = Settings.from_toml(config) if config else Settings()
    port_list = load_ports(ports)
    sight = read_sightings(sightings) if sightings else None
    start, end = to_utc(since), to_utc(until)
    context = timedelta(days=settings.gaps.context_days)
    lo = start - context if start is not None else None
    hi = end + context if end is not None else None
    given = [Path(p) for p in paths]
    for p in given:
        if not p.exists():
            raise InputNotFoundError(f"{p}: no such file or directory; check the path")
    stores = [p for p in given if is_store(p)]
    raw_bytes = 0 if stores else sum(
        f.stat().st_size for p in given for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()
    )
    bucketed = bool(stores) or engine != "local" or raw_bytes > RAW_IN_MEMORY_BYTES

    def fingerprints() -> list[dict[str, Any]]:
        inputs = [file_fingerprint(Path(p)) for p in paths]
        if sightings:
            inputs.append({**file_fingerprint(Path(sightings)), "role": "sightings"})
        return inputs

    out = Path(out_dir)
    # The inputs are hashed in a background thread while they are read (hashlib releases the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool, tempfile.TemporaryDirectory(prefix="shipwatch-run-") as tmp:
        hashed = pool.submit(fingerprints)
        if not bucketed:
            positions, accounting = load_positions(paths, mapping=mapping, since=lo, until=hi)
            load_s = time.perf_counter() - t0
            result = detect(positions, ports=port_list, sightings=sight, settings=settings, since=start, until=end)
        else:
            if stores and len(stores) != len(given):
                raise InputError("pass either shipwatch stores or raw AIS files, not both")
            if not stores:  # raw files stream through a temporary store
                report = ingest(paths, Path(tmp) / "store", mapping=mapping, staging_bytes=RUN_STAGING_BYTES)
                accounting: dict = Accounting(report.to_dict(), report)
                stores = [Path(tmp) / "store"]
            else:
                accounting = {"source": "store", "stores": [str(p) for p in stores]}
            load_s = time.perf_counter() - t0
            result = _detect_buckets(
                stores, out, ports=port_list, sightings=sight, settings=settings, start=start, end=end,
                lo=lo, hi=hi, engine=engine, workers=workers, scheduler=scheduler, bucket_rows=bucket_rows,
            )
            accounting.setdefault("rows", result.stats["positions"])
        t_write = time.perf_counter()
        local_tracks = bucketed and engine == "local" and (out / TRACKS_FILE).exists()
        written = write_outputs(result, out, tracks_written=local_tracks)
        write_s = time.perf_counter() - t_write
        if bucketed:  # the pieces are gone: the tracks are read from the run folder when asked for
            shutil.rmtree(out / ".tracks", ignore_errors=True)
            result.tracks = pl.scan_parquet(out / TRACKS_FILE)
        inputs = hashed.result()
    manifest = {
        "shipwatch_version": __version__,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inputs": inputs,
        "ports": str(ports) if ports else "bundled data/ports/ports.geojson",
        "config": str(config) if config else None,
        "since": str(since) if since else None,
        "until": str(until) if until else None,
        "row_accounting": accounting,
        "parameters": settings.to_dict(),
        "results": result.stats,
        "outputs": [p.name for p in written],
        "timings_s": {
            "load": round(load_s, 3),
            **result.timings,
            "write": round(write_s, 3),
            "total": round(time.perf_counter() - t0, 3),
        },
    }
    write_json(manifest, out / MANIFEST_FILE)
    return result, manifest


def _detect_buckets(
    stores: list[Path],
    out: Path,
    *,
    ports: list[Port],
    sightings: pl.DataFrame | None,
    settings: Settings,
    start: datetime | None,
    end: datetime | None,
    lo: datetime | None,
    hi: datetime | None,
    engine: str,
    workers: int | None,
    scheduler: str | None,
    bucket_rows: int,
) -> Detection:
    """Detection over stores, one bucket of vessels at a time (see :mod:`shipwatch.engine`)."""
    sight = empty(SIGHTINGS_IN) if sightings is None else to_polars(sightings, what="sightings")
    data_start, data_last = data_span_of(stores, lo, hi)
    if data_start is not None:
        sight, _ = quality.sightings_outside(sight, data_start, data_last, context_days=settings.gaps.context_days)
    buckets = plan_buckets(stores, lo=lo, hi=hi, bucket_rows=bucket_rows)
    pieces = out / ".tracks"
    shutil.rmtree(pieces, ignore_errors=True)
    pieces.mkdir(parents=True, exist_ok=True)
    local = engine == "local"
    tasks = [
        BucketTask(
            stores=[str(p.resolve()) for p in stores], bucket=b, lo=lo, hi=hi, data_end=data_last,
            ports=ports, settings=settings, sightings=sight,
            tracks_file=None if local else str((pieces / f"{i:05d}.parquet").resolve()),
        )
        for i, b in enumerate(buckets)
    ]
    with TracksWriter(out / TRACKS_FILE) as sink:
        results = run_buckets(
            tasks, engine=engine, workers=workers, scheduler=scheduler, tracks_sink=sink.write if local else None
        )
    parts = combine(results, ports=ports, settings=settings, sightings=sight, start=start, end=end)
    files = [out / TRACKS_FILE] if local else sorted(pieces.glob("*.parquet"))
    files = [f for f in files if f.exists()]
    tracks = pl.scan_parquet(files) if files else pl.DataFrame(schema=TRACKS).lazy()
    return Detection(tracks, **parts)
