from __future__ import annotations

from pathlib import Path

import pytest
from report_helpers import run_cli, write_config

from shipwatch.errors import ConfigError
from shipwatch.report.config import load_config

GOOD = """
[inputs]
sample = true
[period]
relative = "previous calendar month"
"""


def test_paths_are_relative_to_the_config(tmp_path):
    cfg = load_config(write_config(tmp_path / "sub" / "r.toml", GOOD + '[output]\ndir = "out"\n'))
    assert cfg.out_dir == (tmp_path / "sub" / "out").resolve()
    assert cfg.period(__import__("datetime").date(2023, 11, 5)).label == "2023-10"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[output]\ndirr = 'x'\n", "unknown key output.dirr"),
        ("[colour]\nx = 1\n", r"unknown section \[colour\]"),
        ("[thresholds]\nmax_rejected_pct = 'five'\n", "thresholds.max_rejected_pct must be a number"),
        ("[thresholds]\nmax_missing_days = true\n", "thresholds.max_missing_days must be a whole number"),
        ("[parameters.gaps]\nmin_hourz = 3\n", "unknown setting gaps.min_hourz"),
        ("[parameters.gaps]\nmin_hours = 'x'\n", "gaps.min_hours: expected a number"),
        ("[output]\nlatest = '../../etc'\n", "output.latest"),
        ("[output]\nlatest = '.hidden'\n", "output.latest"),
    ],
)
def test_bad_configs_are_one_line_errors_naming_the_key(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path / "r.toml", GOOD + extra))


def test_period_needs_dates_or_relative(tmp_path):
    with pytest.raises(ConfigError, match=r"period\.relative cannot be given with"):
        load_config(write_config(tmp_path / "r.toml", GOOD + "start = 2023-10-01\n"))
    text = "[inputs]\nsample = true\n[period]\nstart = 2023-10-08\nend = 2023-10-01\n"
    with pytest.raises(ConfigError, match=r"before period\.start"):
        load_config(write_config(tmp_path / "r.toml", text))


def test_missing_inputs(tmp_path):
    text = "[inputs]\npaths = ['nothing/*.csv']\n[period]\nrelative = 'last 7 days'\n"
    with pytest.raises(ConfigError, match="matches no file"):
        load_config(write_config(tmp_path / "r.toml", text))


def test_cli_bad_config_exit_2_one_line(tmp_path: Path):
    cfg = write_config(tmp_path / "r.toml", GOOD + "[output]\ndirr = 'x'\n")
    done = run_cli("report", "--config", str(cfg))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "output.dirr" in done.stderr
    assert run_cli("report", "--config", str(tmp_path / "nope.toml")).returncode == 2
    assert run_cli("report", "--config", str(cfg), "--as-of", "someday").returncode == 2
