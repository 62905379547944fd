"""Folders holding files that are not AIS, and ingests that reject everything (issue 14)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shipwatch.cli import main
from shipwatch.errors import UnknownLayoutError
from shipwatch.ingest import SkippedFile, ingest, load_positions
from shipwatch.reasons import Reason

DATA = Path(__file__).resolve().parents[1] / "data"
MC = DATA / "marinecadastre_2020.csv"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """One AIS day file, a readme and a CSV of something else."""
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    shutil.copy(MC, d / "sub" / "AIS_2020_01_01.csv")
    (d / "readme.txt").write_text("These are the AIS files of January.\n")
    (d / "events.csv").write_text("event,when,who\nstart,2020-01-01,ops\n")
    return d


def test_files_in_a_folder_that_are_not_ais_are_skipped_and_listed(folder: Path, tmp_path: Path) -> None:
    report = ingest([folder], tmp_path / "s")
    assert [f.path for f in report.files] == [str(folder / "sub" / "AIS_2020_01_01.csv")]
    assert report.skipped == [
        SkippedFile(str(folder / "events.csv"), f"{Reason.NOT_AIS_FILE}: unknown AIS layout (columns: event, when, who)"),
        SkippedFile(str(folder / "readme.txt"),
                    f"{Reason.NOT_AIS_FILE}: unknown AIS layout (columns: These are the AIS files of January.)"),
    ]
    assert report.rows_read == 20 and report.balanced
    assert report.to_dict()["skipped"][0] == {"path": str(folder / "events.csv"), "reason": report.skipped[0].reason}
    table, acc = load_positions([folder])
    assert acc.skipped == report.skipped and table.height == report.rows_accepted


def test_a_mapping_does_not_turn_other_csv_files_into_ais(folder: Path, tmp_path: Path) -> None:
    shutil.copy(DATA / "other_layout.csv", folder / "solent.csv")
    spec = "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees,time_format=%d/%m/%Y %H:%M"
    report = ingest([folder], tmp_path / "s", mapping=spec)
    assert [f.dialect for f in report.files] == ["mapped", "marinecadastre"]
    assert [Path(f.path).name for f in report.skipped] == ["events.csv", "readme.txt"]
    assert "--map names column(s) 'Time'" in report.skipped[0].reason


def test_a_non_ais_file_named_explicitly_is_still_an_error(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownLayoutError, match=r"events\.csv: unknown AIS layout"):
        ingest([folder / "events.csv"], tmp_path / "s")


def test_cli_exits_1_with_one_warning_when_files_were_skipped(folder: Path, tmp_path: Path, capsys) -> None:
    report = tmp_path / "r.json"
    code = main(["ingest", str(folder), "--store", str(tmp_path / "s"), "--report", str(report)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == (
        f"shipwatch ingest: warning: skipped 2 files that are not AIS (first: {folder / 'events.csv'}: "
        "not an AIS file: unknown AIS layout (columns: event, when, who)); see the summary or --report\n"
    )
    assert f"skipped (not read):\n  {folder / 'events.csv'}  (not an AIS file: " in captured.out
    assert [s["path"] for s in json.loads(report.read_text())["skipped"]] == [
        str(folder / "events.csv"),
        str(folder / "readme.txt"),
    ]


def test_cli_a_non_ais_file_named_explicitly_exits_2(folder: Path, tmp_path: Path, capsys) -> None:
    assert main(["ingest", str(folder / "readme.txt"), "--store", str(tmp_path / "s")]) == 2
    assert capsys.readouterr().err.startswith(f"shipwatch ingest: error: {folder / 'readme.txt'}: unknown AIS layout")


def test_cli_exits_1_when_every_row_is_rejected(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bases.csv"
    path.write_text("MMSI,BaseDateTime,LAT,LON\n" + "".join(f"2{i:06d},2020-01-01T00:00:0{i},1,1\n" for i in range(3)))
    code = main(["ingest", str(path), "--store", str(tmp_path / "s")])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == (
        f"shipwatch ingest: warning: every one of the 3 rows read was rejected (most often: {Reason.BASE_STATION}); "
        "check the input files or the --map columns\n"
    )
    assert "  rejected               3\n" in captured.out


def test_cli_a_clean_ingest_still_exits_0(tmp_path: Path, capsys) -> None:
    assert main(["ingest", str(MC), "--store", str(tmp_path / "s")]) == 0
    assert capsys.readouterr().err == ""
