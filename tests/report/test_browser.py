"""report.html in a real browser (headless Chromium), offline: the map image loads and the monthly table is there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        try:
            subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, timeout=600, check=True)
        except (OSError, subprocess.SubprocessError):
            pytest.skip("chromium is not installed and cannot be installed here")
        found = shutil.which("chromium")
    if found is None:
        pytest.skip("chromium is not installed")
    return found


def _browse(report: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, report.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )


def test_report_opens_offline_in_chromium(sample_report, tmp_path):
    folder, done = sample_report
    assert done.returncode == 0, done.stderr
    report = folder / "reports" / "latest" / "report.html"
    dom = _browse(report, tmp_path, "--dump-dom").stdout
    assert 'id="monthly-table"' in dom and "<td>2023-10</td>" in dom
    assert 'id="transit-map"' in dom and 'src="data:image/png;base64,' in dom
    shot = tmp_path / "report.png"
    _browse(report, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.is_file()
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)[..., :3]
    assert img.shape[:2] == (2000, 1280)
    dark = (img.mean(axis=2) < 0.9).mean()
    assert dark > 0.02, "the page looks blank"
    # the monthly chart (an embedded PNG with coloured bars) is drawn in the first screen: red/orange pixels
    reddish = ((img[..., 0] > 0.6) & (img[..., 1] < 0.5) & (img[..., 2] < 0.45)).sum()
    assert reddish > 500, "no chart bars rendered"
    # the static map (an embedded PNG) is drawn beside the headline: its land (beige) and sea (light blue)
    top = img[:1200]
    r, g, b = top[..., 0], top[..., 1], top[..., 2]
    land = (r > 0.8) & (g > 0.75) & (r - b > 0.05) & (r >= g)
    sea = (b > 0.8) & (b - r > 0.04)
    assert land.sum() > 3000 and sea.sum() > 3000, "the map image did not load"
    colours = np.unique((img[::4, ::4] * 31).astype(int).reshape(-1, 3), axis=0)
    assert len(colours) > 50
