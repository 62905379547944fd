from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).parent))

from report_helpers import run_cli, small_config, write_hostile_inputs

from conftest import ROOT


@pytest.fixture(scope="session")
def hostile_inputs(tmp_path_factory) -> Path:
    """Sample days 20 Sep – 31 Oct 2023 with two dark-transit vessels renamed to hostile text."""
    return write_hostile_inputs(tmp_path_factory.mktemp("hostile") / "ais", dt.date(2023, 9, 20), dt.date(2023, 10, 31))


@pytest.fixture(scope="session")
def small_report(tmp_path_factory, hostile_inputs) -> Path:
    """A finished two-week report (8–21 Oct 2023) on the hostile inputs; returns the config's folder."""
    folder = tmp_path_factory.mktemp("small")
    cfg = small_config(folder, hostile_inputs)
    done = run_cli("report", "--config", str(cfg))
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory) -> tuple[Path, object]:
    """examples/report.toml run on the bundled sample (the config copied, so its output lands in tmp)."""
    folder = tmp_path_factory.mktemp("example")
    (folder / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "report.toml", folder / "examples" / "report.toml")
    done = run_cli("report", "--config", str(folder / "examples" / "report.toml"))
    return folder, done
