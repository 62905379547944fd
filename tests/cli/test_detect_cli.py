import json

import polars as pl
import pytest

from conftest import shuttle
from shipwatch.cli import COMMANDS, build_parser, main
from shipwatch.export import for_csv

HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"


def _write_noaa(df: pl.DataFrame, path):
    """Write canonical positions as a MarineCadastre CSV (the layout analysts download)."""
    out = df.select(
        pl.col("mmsi").alias("MMSI"),
        pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime"),
        pl.col("lat").round(5).alias("LAT"),
        pl.col("lon").round(5).alias("LON"),
        pl.col("sog").alias("SOG"),
        pl.lit(0.0).alias("COG"),
        pl.lit(511).alias("Heading"),
        pl.col("vessel_name").alias("VesselName"),
        pl.lit(None, pl.String).alias("IMO"),
        pl.lit(None, pl.String).alias("CallSign"),
        pl.lit(70).alias("VesselType"),
        pl.lit(0).alias("Status"),
        pl.col("length_m").alias("Length"),
        pl.lit(18).alias("Width"),
        pl.lit(6.5).alias("Draft"),
        pl.lit(70).alias("Cargo"),
        pl.lit("A").alias("TransceiverClass"),
    )
    out.write_csv(path)
    assert path.read_text().splitlines()[0] == HEADER


@pytest.fixture
def shuttle_csv(tmp_path, t0):
    df = shuttle(t0, name="=cmd|' /C calc'!A0")
    path = tmp_path / "AIS_2023_09_01.csv"
    _write_noaa(df, path)
    return path


def test_detect_writes_every_output(tmp_path, shuttle_csv, capsys):
    out = tmp_path / "out"
    assert main(["detect", str(shuttle_csv), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "dark transits: 0 confirmed, 1 probable, 0 possible" in printed
    for name in (
        "port_visits.csv",
        "gaps.csv",
        "dark_transits.csv",
        "sightings.csv",
        "monthly_summary.csv",
        "run.json",
    ):
        assert (out / name).exists(), name
    t = pl.read_csv(out / "dark_transits.csv", infer_schema=False)
    for col in (
        "transit_id",
        "mmsi",
        "vessel_name",
        "dark_start",
        "dark_end",
        "departure_port",
        "call_port",
        "arrival_port",
        "evidence",
        "sighting_ids",
        "month",
    ):
        assert col in t.columns
    assert t["evidence"].to_list() == ["probable"] and t["month"][0] == "2023-09"
    assert t["dark_start"][0].endswith("Z")
    assert t["vessel_name"][0].startswith("'=")  # a formula in a vessel name is neutralized
    run = json.loads((out / "run.json").read_text())
    assert run["inputs"][0]["sha256"] and run["parameters"]["gaps"]["min_hours"] == 6.0
    assert run["row_accounting"]["rows_read"] == run["row_accounting"]["rows_accepted"] > 0
    v = pl.read_csv(out / "port_visits.csv", infer_schema=False)
    assert v.columns[:7] == ["mmsi", "vessel_name", "port", "arrival", "departure", "hours", "confidence"]


def test_detect_on_a_store_equals_detect_on_files(tmp_path, shuttle_csv):
    store = tmp_path / "store"
    assert main(["ingest", str(shuttle_csv), "--store", str(store)]) == 0
    assert main(["detect", str(shuttle_csv), "--out", str(tmp_path / "a")]) == 0
    assert main(["detect", str(store), "--out", str(tmp_path / "b")]) == 0
    for name in ("gaps.csv", "dark_transits.csv", "port_visits.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_since_until_and_config(tmp_path, shuttle_csv):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[transits]\nmin_dwell_hours = 100\nmax_dwell_hours = 200\n")
    assert main(["detect", str(shuttle_csv), "--out", str(tmp_path / "o"), "--config", str(cfg)]) == 0
    assert pl.read_csv(tmp_path / "o" / "dark_transits.csv").height == 0
    assert main(["detect", str(shuttle_csv), "--out", str(tmp_path / "p"), "--until", "2023-09-02"]) == 0
    assert pl.read_csv(tmp_path / "p" / "gaps.csv").height == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sightings", "missing.csv"], "missing.csv: sightings file not found"),
        (["--ports", "nowhere.geojson"], "nowhere.geojson: ports file not found"),
        (["--config", "nope.toml"], "nope.toml: config file not found"),
        (["--since", "last tuesday"], "not a date: 'last tuesday'"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(tmp_path, shuttle_csv, capsys, extra, message):
    assert main(["detect", str(shuttle_csv), "--out", str(tmp_path / "o"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("shipwatch detect: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_input_is_exit_2(tmp_path, capsys):
    assert main(["detect", str(tmp_path / "nothing.csv"), "--out", str(tmp_path / "o")]) == 2
    assert "nothing.csv" in capsys.readouterr().err


def test_every_command_has_help_and_is_in_the_readme():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name, parser in sub.choices.items():
        assert parser.description and len(parser.format_help()) > 200, name
        assert f"### `shipwatch {name}" in readme, name


def test_for_csv_keeps_negative_numbers():
    assert for_csv(pl.DataFrame({"x": [-1.5]}))["x"][0] == -1.5
