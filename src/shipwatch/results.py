"""The run folder: what :func:`shipwatch.pipeline.run` writes, and :func:`read_results` loads back.

A run folder holds the five result tables as CSV (:data:`shipwatch.tables.CSV_FILES`), the cleaned
positions as ``tracks.parquet``, the port registry used as ``ports.geojson`` and the manifest
``run.json``. :func:`read_results` gives back the same :class:`~shipwatch.detection.Detection` that
:func:`shipwatch.detect` returned (floats as written: 6 decimals).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from shipwatch.detection import Detection
from shipwatch.errors import InputError
from shipwatch.export import FORMULA_START, write_csv, write_error, write_json, write_parquet_lazy
from shipwatch.ports import load_ports, to_geojson
from shipwatch.settings import Settings
from shipwatch.tables import (
    CSV_FILES,
    DARK_TRANSITS,
    MANIFEST_FILE,
    MONTHLY_SUMMARY,
    PORT_VISITS,
    SIGHTINGS_IN,
    SIGHTINGS_OUT,
    TRACKS,
    TRACKS_FILE,
    VESSELS,
    gaps_schema,
)

PORTS_FILE = "ports.geojson"


def write_outputs(result: Detection, out_dir: str | Path, *, tracks_written: bool = False) -> list[Path]:
    """Write the result tables (CSV), ``tracks.parquet`` (unless ``tracks_written``: the local engine
    wrote it bucket by bucket) and ``ports.geojson`` into ``out_dir``."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise write_error(out, err) from err
    # Each file goes to a temporary name and is renamed into place (export._atomic); when one fails,
    # the files this call already renamed are removed too, so a run folder is never half new.
    written: list[Path] = []
    try:
        for name, file in CSV_FILES.items():
            written.append(write_csv(getattr(result, name), out / file))
        if not tracks_written:  # streamed: a bucketed run's tracks are never all in memory here
            tracks = result.tracks_lazy.select(list(TRACKS))
            written.append(
                write_parquet_lazy(tracks, out / TRACKS_FILE, compression="lz4", statistics=False)
            )
        else:
            written.append(out / TRACKS_FILE)
        written.append(write_json(to_geojson(result.ports), out / PORTS_FILE))
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return written


def _typed(raw: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """Text columns read from a CSV turned back into their types (and formulas un-neutralized)."""
    exprs = []
    for name in raw.columns:
        col = pl.col(name)
        dtype = columns.get(name, pl.String())
        if isinstance(dtype, pl.Datetime):
            exprs.append(col.str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_unit="us", time_zone="UTC"))
        elif dtype == pl.Boolean:
            exprs.append(col.replace_strict({"true": True, "false": False}, return_dtype=pl.Boolean))
        elif dtype == pl.String:
            pattern = "^'[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_START) + "]"
            exprs.append(pl.when(col.str.contains(pattern)).then(col.str.slice(1)).otherwise(col))
        else:
            exprs.append(col.cast(dtype))
    return raw.select(exprs)


def _read_csv(path: Path, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError as err:
        raise InputError(f"{path}: not found; is this a shipwatch run folder?") from err
    except (pl.exceptions.PolarsError, OSError) as err:
        raise InputError(f"{path}: not a readable CSV ({err})") from err
    if raw.width == 0:
        raw = pl.DataFrame(schema={c: pl.String for c in columns})
    try:
        return _typed(raw, columns)
    except pl.exceptions.PolarsError as err:
        raise InputError(f"{path}: a value does not fit its column ({str(err).splitlines()[0]})") from err


def read_manifest(run_dir: str | Path) -> dict[str, Any]:
    """``run.json`` of a run folder."""
    path = Path(run_dir) / MANIFEST_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError(
            f"{run_dir}: no {MANIFEST_FILE} here; give the folder written by 'shipwatch detect --out'"
        ) from err
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: not readable as JSON ({err})") from err


def read_results(run_dir: str | Path) -> Detection:
    """Load a finished run folder back into the :class:`~shipwatch.detection.Detection` that
    :func:`shipwatch.detect` returned.

    Raises
    ------
    InputError
        If ``run_dir`` is not a run folder, or a file in it is unreadable.
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    settings = Settings.from_dict(manifest.get("parameters") or {}, source=str(run_dir / MANIFEST_FILE))
    ports_file = run_dir / PORTS_FILE
    ports = load_ports(ports_file) if ports_file.exists() else load_ports()
    sightings_raw = _read_csv(run_dir / CSV_FILES["sightings"], {**SIGHTINGS_IN, **SIGHTINGS_OUT})
    tables = {
        "port_visits": _read_csv(run_dir / CSV_FILES["port_visits"], PORT_VISITS),
        "gaps": _read_csv(run_dir / CSV_FILES["gaps"], gaps_schema(settings.gaps.before_hours)),
        "dark_transits": _read_csv(run_dir / CSV_FILES["dark_transits"], DARK_TRANSITS),
        "sightings": sightings_raw,
        "monthly_summary": _read_csv(run_dir / CSV_FILES["monthly_summary"], MONTHLY_SUMMARY),
    }
    vessels_file = run_dir / CSV_FILES["vessels"]
    vessels = _read_csv(vessels_file, VESSELS) if vessels_file.exists() else pl.DataFrame(schema=VESSELS)
    tracks_file = run_dir / TRACKS_FILE
    tracks = pl.read_parquet(tracks_file) if tracks_file.exists() else pl.DataFrame(schema=TRACKS)
    return Detection(
        tracks,
        **tables,
        stats=manifest.get("results") or {},
        timings=(manifest.get("timings_s") or {}),
        ports=ports,
        settings=settings,
        vessels=vessels,
    )
