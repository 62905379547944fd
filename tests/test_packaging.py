"""What `pip install .` gives: a package that finds its data wherever it is installed, and no simulator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_under_src_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src").rglob("__init__.py")}
    assert found | {"shipwatch.data"} == listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of the tree (a stale build/ folder must not leak into it)."""
    out = tmp_path_factory.mktemp("wheel")
    tree = tmp_path_factory.mktemp("tree")
    for part in ("pyproject.toml", "README.md", "src", "data"):
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / part, tree / part)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(tree),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=out,
    )
    (whl,) = out.glob("shipwatch-*.whl")
    return whl


def test_the_wheel_carries_the_data_and_no_simulator(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "shipwatch/data/ports/ports.geojson" in names
    assert "shipwatch/data/reference/published_counts.csv" in names
    assert sum(n.startswith("shipwatch/data/sample_ais/AIS_") for n in names) == len(
        list((ROOT / "data" / "sample_ais").glob("AIS_*.csv.gz"))
    )
    assert not [n for n in names if n.startswith(("shipwatch/scenario", "sim/", "tools/"))]


@pytest.mark.slow
def test_an_installed_wheel_runs_the_demo_from_anywhere(wheel, tmp_path):
    """`pip install .` (not editable), then `shipwatch demo` from an empty folder: same monthly table."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}  # the installed copy comes before the editable one
    code = "import sys, shipwatch.cli; sys.exit(shipwatch.cli.main(['demo', '--out', 'X']))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import shipwatch; print(shipwatch.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))
    editable = tmp_path / "editable"
    from shipwatch.cli import main

    assert main(["demo", "--out", str(editable)]) == 0
    assert (elsewhere / "X" / "monthly_summary.csv").read_bytes() == (
        editable / "monthly_summary.csv"
    ).read_bytes()
