"""One catalogue of invalid inputs per command (issue 14): exit code and the exact one-line message."""

from __future__ import annotations

import errno
import json
import os

import pytest

from conftest import DATA, real_file
from shipwatch import quality
from shipwatch.cli import main
from shipwatch.errors import InputError
from shipwatch.export import safe_name, write_csv

SAMPLE = DATA / "sample_ais"
DAY = SAMPLE / "AIS_2023_08_01.csv.gz"
MIN_PORTS = {
    "type": "FeatureCollection",
    "features": [{"type": "Feature", "properties": {"name": "X"}, "geometry": {"type": "Polygon", "coordinates": [
        [[130.28, 42.22], [130.30, 42.22], [130.30, 42.24], [130.28, 42.24], [130.28, 42.22]]]}}],
}


def _err(capsys) -> list[str]:
    lines = capsys.readouterr().err.strip().splitlines()
    assert not any("Traceback" in ln or "internal error" in ln for ln in lines), lines
    return lines


def test_detect_ports_with_name_and_polygon_only(tmp_path, capsys):
    ports = tmp_path / "p.geojson"
    ports.write_text(json.dumps(MIN_PORTS))
    assert main(["detect", str(DAY), "--out", str(tmp_path / "o"), "--ports", str(ports)]) == 1
    assert "shipwatch detect: warning: the ports file has no port with role 'watch': no dark transits can be found" in _err(capsys)
    assert (tmp_path / "o" / "monthly_summary.csv").exists()


def test_detect_out_under_a_file(tmp_path, capsys):
    f = tmp_path / "somefile"
    f.write_text("x")
    assert main(["detect", str(DAY), "--out", str(f / "x")]) == 2
    assert _err(capsys) == [
        f"shipwatch detect: error: {f / 'x'}: cannot write (a part of the path is a file, not a folder); "
        "choose another --out or free some space"
    ]


@pytest.mark.parametrize(("code", "cause"), [(errno.EROFS, "read-only file system"), (errno.ENOSPC, "disk full")])
def test_detect_write_failure_leaves_nothing_half_written(tmp_path, capsys, monkeypatch, code, cause):
    real = os.replace
    calls = []

    def failing(a, b):
        calls.append(b)
        if len(calls) == 3:
            raise OSError(code, os.strerror(code))
        return real(a, b)

    monkeypatch.setattr(os, "replace", failing)
    out = tmp_path / "o"
    assert main(["detect", str(DAY), "--out", str(out)]) == 2
    lines = _err(capsys)
    assert lines == [f"shipwatch detect: error: {calls[2]}: cannot write ({cause}); choose another --out or free some space"]
    assert list(out.iterdir()) == []  # no temporaries, no half of a run folder


def test_ingest_report_unwritable_fails_before_the_store(tmp_path, capsys):
    f = tmp_path / "somefile"
    f.write_text("x")
    store = tmp_path / "store"
    assert main(["ingest", str(DAY), "--store", str(store), "--report", str(f / "r.json")]) == 2
    assert _err(capsys) == [
        f"shipwatch ingest: error: {f / 'r.json'}: cannot write (a part of the path is a file, not a folder); "
        "choose another --out or free some space"
    ]
    assert not store.exists()


def test_detect_the_sample_folder_skips_and_lists_non_ais(tmp_path, capsys):
    assert main(["detect", str(SAMPLE), "--out", str(tmp_path / "o"), "--until", "2023-08-05"]) == 1
    err = _err(capsys)
    assert len(err) == 1 and err[0].startswith("shipwatch detect: warning: skipped 2 files that are not AIS (first: ")  # events.csv, sightings.csv (README.md is not looked at)
    assert (tmp_path / "o" / "dark_transits.csv").exists()


def test_detect_since_after_until(tmp_path, capsys):
    assert main(["detect", str(DAY), "--out", str(tmp_path / "o"), "--since", "2023-09-01", "--until", "2023-08-01"]) == 2
    assert _err(capsys) == [
        "shipwatch detect: error: --since 2023-09-01T00:00:00Z is not before --until 2023-08-01T00:00:00Z; "
        "swap them or widen the period"
    ]


def test_detect_window_outside_the_data(tmp_path, capsys):
    assert main(["detect", str(DAY), "--out", str(tmp_path / "o"), "--since", "2024-05-01", "--until", "2024-06-01"]) == 1
    assert _err(capsys) == [
        "shipwatch detect: warning: no positions in the period asked for (--since/--until); no positions were read"
    ]


def test_detect_data_from_another_region(tmp_path, capsys):
    path = real_file("noaa/AIS_2023_01_11_sample1000.csv")
    assert main(["detect", str(path), "--out", str(tmp_path / "o")]) == 1
    assert _err(capsys) == [
        "shipwatch detect: warning: no position within 100 km of any watched or destination port "
        "(Najin, Vostochny, Dunai): is this data from another region? pass its ports with --ports"
    ]


def test_detect_bad_sighting_time_names_file_line_and_value(tmp_path, capsys):
    s = tmp_path / "s.csv"
    s.write_text("observed_at,lat,lon\n2023-08-01T10:00:00Z,42.23,130.28\n2023-08-32T10:00:00Z,42.23,130.28\n")
    assert main(["detect", str(DAY), "--out", str(tmp_path / "o"), "--sightings", str(s)]) == 2
    assert _err(capsys) == [
        f"shipwatch detect: error: {s}: line 3: bad observed_at '2023-08-32T10:00:00Z'; "
        "observed_at must be UTC ISO 8601, e.g. 2023-10-14T02:31:00Z"
    ]


def test_detect_sighting_with_a_mistyped_year(tmp_path, capsys):
    s = tmp_path / "s.csv"
    s.write_text("observed_at,lat,lon,sighting_id\n2030-08-01T10:00:00Z,42.23,130.28,S9\n")
    assert main(["detect", str(DAY), "--out", str(tmp_path / "o"), "--sightings", str(s)]) == 1
    err = _err(capsys)
    assert len(err) == 1 and err[0].startswith("shipwatch detect: warning: 1 sighting outside the AIS data's time span (2023-08-01 to 2023-08-0")
    assert err[0].endswith("left out of matching (first: S9 at 2030-08-01T10:00:00Z); check the years")


def test_detect_map_id_on_suez(tmp_path, capsys):
    path = real_file("other/suez_boat_positions.csv")
    spec = "time=ais_pos_timestamp,id=ID,lat=latitude,lon=longitude,time_format=%d/%m/%Y %H:%M"
    rc = main(["detect", str(path), "--out", str(tmp_path / "o"), "--map", spec])
    assert rc in (0, 1)
    assert (tmp_path / "o" / "tracks.parquet").exists()
    assert all("error" not in ln for ln in _err(capsys))


@pytest.mark.parametrize(("toml", "message"), [
    ("[gaps]\nmin_hours = nan\n", "gaps.min_hours: must be a finite number, got nan"),
    ("[gaps]\nmin_hours = inf\n", "gaps.min_hours: must be a finite number, got inf"),
    ("[gaps]\nmin_hours = true\n", "gaps.min_hours: expected a number, got True"),
    ("[gaps]\nmin_hours = -1\n", "gaps.min_hours: must not be negative, got -1"),
    ("[sightings]\ncall_link_days = 1.5\n", "sightings.call_link_days: expected a whole number, got 1.5"),
    ("[gaps]\nbefore_hours = [1, nan]\n", "gaps.before_hours: expected a list of finite numbers, got [1, nan]"),
    ("[nope]\nx = 1\n", "unknown section [nope]"),
])
def test_detect_bad_config(tmp_path, capsys, toml, message):
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    assert main(["detect", str(DAY), "--out", str(tmp_path / "o"), "--config", str(cfg)]) == 2
    err = _err(capsys)
    assert len(err) == 1 and err[0].startswith(f"shipwatch detect: error: {cfg}: ") and message in err[0]


def test_ingest_every_row_rejected(tmp_path, capsys):
    bad = tmp_path / "AIS_2023_01_01.csv"
    bad.write_text("MMSI,BaseDateTime,LAT,LON\n1,2023-01-01T00:00:00,99,999\n")
    assert main(["ingest", str(bad), "--store", str(tmp_path / "s")]) == 1
    err = _err(capsys)
    assert len(err) == 1 and err[0].startswith("shipwatch ingest: warning: every one of the 1 rows read was rejected")


def test_check_period_library():
    from datetime import UTC, datetime

    with pytest.raises(InputError, match="is not before"):
        quality.check_period(datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC])
def test_write_csv_library_failure_removes_the_temporary(tmp_path, monkeypatch, code):
    import polars as pl

    def boom(self, *a, **k):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(pl.DataFrame, "write_csv", boom)
    with pytest.raises(InputError, match="cannot write"):
        write_csv(pl.DataFrame({"a": ["=1"]}), tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


def test_csv_cells_are_neutralized(tmp_path):
    import polars as pl

    path = write_csv(pl.DataFrame({"name": ["=cmd", "+1", "-1", "@x", "\tx", "\rx", "ok"]}), tmp_path / "n.csv")
    assert pl.read_csv(path)["name"].to_list() == ["'=cmd", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok"]


@pytest.mark.parametrize(("text", "name"), [("../../etc/passwd", "etc_passwd"), ("..", "unnamed"), ("a/b\\c", "a_b_c"),
                                            ("/abs", "abs"), ("-rf", "rf"), ("x\x00y", "x_y")])
def test_safe_name(text, name):
    assert safe_name(text) == name
