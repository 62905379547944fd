"""Fixtures for the maps tests: one run of the bundled sample (shared), a copy with hostile vessel names, and
headless Chromium (installed when missing; the tests using it skip cleanly when it cannot be had)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="package")
def sample_run(tmp_path_factory):
    """(Detection, run folder) of the bundled sample with its sightings, run once for all maps tests."""
    import shipwatch
    from shipwatch.resources import SAMPLE_DIR, SAMPLE_SIGHTINGS

    out = tmp_path_factory.mktemp("maps-run")
    days = sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
    det, _ = shipwatch.run(days, out, sightings=SAMPLE_SIGHTINGS)
    return det, out


@pytest.fixture(scope="package")
def det(sample_run):
    return sample_run[0]


@pytest.fixture(scope="package")
def run_dir(sample_run):
    return sample_run[1]


@pytest.fixture(scope="package")
def hostile(det):
    """The sample with the first dark transit's vessel named ``<script>alert(1)</script>``, the second
    ``=HYPERLINK(...)``, and a sighting whose source is hostile too."""
    names = det.dark_transits["vessel_name"].to_list()
    names[0], names[1] = HOSTILE, FORMULA
    sg = det.sightings.with_columns(pl.lit(HOSTILE).alias("source"))
    out = replace(
        det, dark_transits=det.dark_transits.with_columns(pl.Series("vessel_name", names)), sightings=sg
    )
    out.__dict__.pop("_maps_cache", None)
    return out


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium; installed with apt-get when missing, else the test is skipped."""
    if not CHROMIUM.exists() and shutil.which("apt-get"):
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, timeout=600, check=False
            )
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not available (apt-get install -y chromium)")
    return lambda tmp, url, *extra, timeout=90: _run_chromium(CHROMIUM, tmp, url, *extra, timeout=timeout)


def _run_chromium(
    chromium: Path, tmp: Path, url: str, *extra: str, timeout: float = 90
) -> subprocess.CompletedProcess:
    """Chromium headless on ``url`` with the background services off and a net log in ``tmp/net.json``."""
    args = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--no-pings",
        "--hide-scrollbars",
        f"--user-data-dir={tmp / 'profile'}",
        f"--log-net-log={tmp / 'net.json'}",
        "--virtual-time-budget=8000",
        "--window-size=1400,900",
        *extra,
        url,
    ]
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False, text=True)
    except subprocess.TimeoutExpired:
        pytest.skip("headless Chromium did not finish in time")
