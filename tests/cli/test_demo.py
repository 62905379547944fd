"""`shipwatch demo` reproduces the documented pattern from the AIS in the bundled sample.

The numbers are read from the pipeline's monthly_summary.csv, never from the events table.
"""

import json

import polars as pl
import pytest

from shipwatch.cli import main

AUG_DEC = ["2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out)]) == 0
    return out


def _total(summary: pl.DataFrame, ports: list[str], column: str, months: list[str]) -> int:
    return int(summary.filter(pl.col("port").is_in(ports) & pl.col("month").is_in(months))[column].sum())


def test_documented_pattern(demo):
    s = pl.read_csv(demo / "monthly_summary.csv", schema_overrides={"month": pl.String})
    assert _total(s, ["Najin"], "dark_calls", AUG_DEC) == 25
    assert _total(s, ["Dunai", "Vostochny"], "dark_arrivals", AUG_DEC) == 25
    assert _total(s, ["Vostochny"], "unidentified_calls", AUG_DEC) == 19
    assert _total(s, ["Najin"], "dark_calls", ["2024-01", "2024-02"]) == 0


def test_monthly_spread_follows_the_chronology(demo):
    s = pl.read_csv(demo / "monthly_summary.csv", schema_overrides={"month": pl.String})
    najin = dict(s.filter(pl.col("port") == "Najin").select("month", "dark_calls").iter_rows())
    assert set(najin) == {*AUG_DEC, "2024-01", "2024-02"}  # every month of the data, zeros included
    assert 1 <= najin["2023-08"] <= 2  # the first run in late August
    assert najin["2023-10"] >= 8 and najin["2023-11"] >= 8  # a call every few days
    assert najin["2023-10"] > najin["2023-09"] > najin["2023-08"]


def test_demo_prints_table_and_published_counts(demo, capsys):
    assert main(["summary", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "monthly summary:" in out and "published counts beside detected totals" in out
    line = next(row for row in out.splitlines() if row.startswith("user's claim") and "unidentified" in row)
    assert " 19 " in line


def test_outputs_are_deterministic(demo, tmp_path):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    for name in ("port_visits.csv", "gaps.csv", "dark_transits.csv", "sightings.csv", "monthly_summary.csv"):
        assert (tmp_path / name).read_bytes() == (demo / name).read_bytes(), name
    # run.json differs only in when the run happened and how long it took
    a, b = (json.loads((d / "run.json").read_text()) for d in (demo, tmp_path))
    for run in (a, b):
        run.pop("created_at")
        run.pop("timings_s")
    assert a == b
