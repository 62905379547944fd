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
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from shipwatch import __version__
from shipwatch import schema as s
from shipwatch.detection import Detection
from shipwatch.export import write_json
from shipwatch.frames import TableLike, as_positions, to_polars
from shipwatch.gaps import find_gaps
from shipwatch.grades import grade_transits
from shipwatch.ingest import load_positions
from shipwatch.port_labels import label_ports
from shipwatch.ports import Port, load_ports
from shipwatch.results import write_outputs
from shipwatch.settings import Settings
from shipwatch.sightings import match_sightings, read_sightings
from shipwatch.summary import month_range, monthly_summary
from shipwatch.tables import DARK_TRANSITS, MANIFEST_FILE, SIGHTINGS_IN, empty
from shipwatch.times import to_utc
from shipwatch.tracks import clean_tracks
from shipwatch.transits import dark_transits, plausible_speeds, round_trip_hours
from shipwatch.vessels import vessel_info
from shipwatch.visits import port_visits


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
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    start, end = to_utc(since), to_utc(until)
    # Positions a little beyond the period are read too (context), so that a gap or a dark transit
    # crossing --since/--until is whole; results are then kept by when they start.
    context = timedelta(days=cfg.gaps.context_days)
    if start is not None:
        positions = positions.filter(pl.col(s.TIMESTAMP) >= start - context)
    if end is not None:
        positions = positions.filter(pl.col(s.TIMESTAMP) < end + context)
    # what is known of each vessel comes from all its reports (static fields are not kept per position)
    vessels = vessel_info(positions)
    tracks, clean_stats = clean_tracks(positions, settings=cfg.tracks)
    lap("clean")
    labelled = label_ports(tracks, ports=ports, settings=cfg.visits)
    lap("label_ports")
    visits = port_visits(
        labelled,
        ports=ports,
        settings=cfg.visits,
        vessels=vessels,
        split_hours=round_trip_hours(ports, cfg.transits),
    )
    lap("port_visits")
    data_end = labelled[s.TIMESTAMP].max() if labelled.height else None
    if end is not None and data_end is not None:
        data_end = min(data_end, end + context)
    gaps = find_gaps(
        labelled, settings=cfg.gaps, data_end=data_end, entry_km=cfg.visits.entry_km, vessels=vessels
    )
    lap("gaps")
    transits = dark_transits(
        gaps,
        visits=visits,
        speeds=plausible_speeds(labelled, settings=cfg.transits),
        vessels=vessels,
        ports=ports,
        settings=cfg.transits,
    )
    lap("dark_transits")
    sightings = empty(SIGHTINGS_IN) if sightings is None else to_polars(sightings, what="sightings")
    matched, imagery = match_sightings(
        sightings, labelled, transits=transits, vessels=vessels, ports=ports, settings=cfg.sightings
    )
    transits = grade_transits(transits, imagery=imagery, settings=cfg.transits).select(list(DARK_TRANSITS))
    lap("sightings")
    visits = _within(visits, "arrival", start, end)
    gaps = _within(gaps, "start_time", start, end)
    transits = _within(transits, "dark_start", start, end)
    matched = _within(matched, "observed_at", start, end)
    times = [
        t
        for t in (labelled[s.TIMESTAMP], matched["observed_at"])
        for t in (t.min(), t.max())
        if t is not None
    ]
    if start is not None:
        times = [t for t in times if t >= start] + [start]
    if end is not None:
        times = [t for t in times if t < end] + [end - timedelta(microseconds=1)]
    months = (
        month_range(min(times).strftime("%Y-%m"), max(times).strftime("%Y-%m")) if labelled.height else []
    )
    summary = monthly_summary(transits, sightings=matched, visits=visits, ports=ports, months=months)
    lap("summary")
    stats = {
        "positions": positions.height,
        "vessels": labelled[s.MMSI].n_unique() if labelled.height else 0,
        "cleaning": clean_stats.to_dict(),
        "port_visits": visits.height,
        "gaps": gaps.height,
        "gaps_open": int(gaps["open"].sum()) if gaps.height else 0,
        "dark_transits": transits.group_by("evidence").len().sort("evidence").rows()
        if transits.height
        else [],
        "sightings": matched.group_by("match").len().sort("match").rows() if matched.height else [],
    }
    return Detection(
        labelled, visits, gaps, transits, matched, summary, stats, timings, ports=ports, settings=cfg,
        vessels=vessels,
    )


def _within(df: pl.DataFrame, column: str, start: datetime | None, end: datetime | None) -> pl.DataFrame:
    """Rows whose ``column`` falls in [start, end)."""
    if start is not None:
        df = df.filter(pl.col(column) >= start)
    if end is not None:
        df = df.filter(pl.col(column) < end)
    return df


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
) -> tuple[Detection, dict[str, Any]]:
    """Load inputs, detect, and write ``out_dir`` with the five tables and ``run.json``."""
    t0 = time.perf_counter()
    settings = Settings.from_toml(config) if config else Settings()
    port_list = load_ports(ports)
    sight = read_sightings(sightings) if sightings else None
    start, end = to_utc(since), to_utc(until)
    context = timedelta(days=settings.gaps.context_days)

    def fingerprints() -> list[dict[str, Any]]:
        inputs = [file_fingerprint(Path(p)) for p in paths]
        if sightings:
            inputs.append({**file_fingerprint(Path(sightings)), "role": "sightings"})
        return inputs

    # The inputs are hashed in a background thread while they are read (hashlib releases the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashed = pool.submit(fingerprints)
        positions, accounting = load_positions(
            paths,
            mapping=mapping,
            since=start - context if start is not None else None,
            until=end + context if end is not None else None,
        )
        load_s = time.perf_counter() - t0
        result = detect(positions, ports=port_list, sightings=sight, settings=settings, since=start, until=end)
        written = write_outputs(result, out_dir)
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
            "total": round(time.perf_counter() - t0, 3),
        },
    }
    write_json(manifest, Path(out_dir) / MANIFEST_FILE)
    return result, manifest
