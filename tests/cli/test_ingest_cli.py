"""`shipwatch ingest`: exit codes and the words a user sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shipwatch.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


def test_help_describes_the_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for words in ("--store DIR", "--map SPEC", "--report FILE.json", "without losing a row"):
        assert words in out


def test_success_summary_and_report(tmp_path, capsys):
    report = tmp_path / "r.json"
    code = main(
        [
            "ingest",
            str(DATA / "marinecadastre_2020.csv"),
            str(DATA / "dma_22col.csv"),
            "--store",
            str(tmp_path / "s"),
            "--report",
            str(report),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    out = captured.out
    assert out.startswith(f"ingested 2 files into {tmp_path / 's'}\n")
    assert "  rows read             27\n" in out
    assert "  accepted               8\n" in out
    assert "  rejected              18\n" in out
    assert "  duplicate              1\n" in out
    assert "top reject reasons:\n" in out
    assert f"  marinecadastre                 20 rows  {DATA / 'marinecadastre_2020.csv'}\n" in out
    assert f"  dma                             7 rows  {DATA / 'dma_22col.csv'}\n" in out
    assert f"rejected rows and their reasons are in {tmp_path / 's' / 'rejects'}" in out
    d = json.loads(report.read_text())
    assert (d["rows_read"], d["rows_accepted"], d["rows_rejected"], d["rows_duplicate"]) == (27, 8, 18, 1)
    assert d["files"][1] == {
        "path": str(DATA / "dma_22col.csv"),
        "dialect": "dma",
        "rows": 7,
        "rejected": 3,
        "already_ingested": False,
        "note": None,
    }
    assert sum(d["rejected_by_reason"].values()) == 18


def test_second_ingest_says_already_ingested(tmp_path, capsys):
    args = ["ingest", str(DATA / "dma_26col.csv"), "--store", str(tmp_path / "s")]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "  accepted               0\n" in out and "  duplicate              2\n" in out
    assert "(already ingested: same content)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.csv"], "shipwatch ingest: error: nope.csv: no such file or directory; check the path\n"),
        (
            [str(DATA / "other_layout.csv")],
            f"shipwatch ingest: error: {DATA / 'other_layout.csv'}: unknown AIS layout (columns: Time, MMSI, "
            "Latitude_degrees, Longitude_degrees, COG_degrees, SOG_knots); give a column mapping, "
            "e.g. --map time=<col>,mmsi=<col>,lat=<col>,lon=<col>\n",
        ),
        (
            [str(DATA / "other_layout.csv"), "--map", "time=Time,mmsi=MMSI,lat=Latitude_degrees"],
            "shipwatch ingest: error: --map: missing lon; e.g. --map time=Time,mmsi=MMSI,lat=Latitude,"
            "lon=Longitude[,time_format=%d/%m/%Y %H:%M][,tz=UTC]\n",
        ),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    code = main(["ingest", *args, "--store", str(tmp_path / "s")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == message
    assert captured.out == ""


def test_corrupt_gzip_exits_2(tmp_path, capsys):
    bad = tmp_path / "day.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert main(["ingest", str(bad), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"shipwatch ingest: error: {bad}: cannot be read or decompressed")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_mapping_makes_an_unknown_layout_usable(tmp_path, capsys):
    code = main(
        [
            "ingest",
            str(DATA / "other_layout.csv"),
            "--store",
            str(tmp_path / "s"),
            "--map",
            "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees,time_format=%d/%m/%Y %H:%M",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "  mapped                          3 rows" in out
    assert "             1  MMSI not 9 digits\n" in out
