"""Shared helpers of the report tests: small inputs (with hostile vessel names), configs, CLI runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from conftest import ROOT
from shipwatch.resources import SAMPLE_DIR

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
#: Sample vessels with dark transits in October 2023, renamed in the small inputs.
RENAMED = {273997333: SCRIPT, 273997425: FORMULA}


def sample_days(first: dt.date, last: dt.date) -> list[Path]:
    out = []
    d = first
    while d <= last:
        out.append(SAMPLE_DIR / f"AIS_{d:%Y_%m_%d}.csv.gz")
        d += dt.timedelta(days=1)
    return out


def write_hostile_inputs(folder: Path, first: dt.date, last: dt.date) -> Path:
    """Sample days ``first`` … ``last`` as plain CSV, with two vessels renamed to hostile text."""
    folder.mkdir(parents=True, exist_ok=True)
    for src in sample_days(first, last):
        df = pl.read_csv(src, infer_schema=False)
        for mmsi, name in RENAMED.items():
            df = df.with_columns(
                pl.when(pl.col("MMSI") == str(mmsi)).then(pl.lit(name)).otherwise(pl.col("VesselName")).alias("VesselName")
            )
        df.write_csv(folder / src.name.removesuffix(".gz"), line_terminator="\n")
    return folder


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def small_config(folder: Path, inputs: Path, *, start: str = "2023-10-08", end: str = "2023-10-21",
                 extra: str = "") -> Path:
    """A two-week report on the hostile inputs, written to ``folder/report.toml`` (output ``folder/reports``)."""
    return write_config(
        folder / "report.toml",
        f"""
[inputs]
paths = ["{inputs.as_posix()}/*.csv"]
sightings = "{(SAMPLE_DIR / 'sightings.csv').as_posix()}"
[period]
start = {start}
end = {end}
[thresholds]
min_port_positions = 0   # the simulated sample hears nobody near Najin in most fortnights
[output]
dir = "reports"
{extra}
""",
    )


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tools")])
    return e


def cli(*args: str, cwd: Path | None = None) -> list[str]:
    return [sys.executable, "-m", "shipwatch.cli", *args]


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), capture_output=True, text=True, env=env(), cwd=cwd or ROOT, timeout=timeout)


def tree_digest(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """{relative path: sha256} of every file under ``folder`` (following its symlink)."""
    folder = folder.resolve()
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }
