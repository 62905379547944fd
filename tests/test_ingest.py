"""ingest() and load_positions(): accounting, streaming, progress, the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from shipwatch.errors import InputError, InputNotFoundError, UnknownLayoutError
from shipwatch.ingest import IngestReport, ingest, load_positions
from shipwatch.store import read_store
from shipwatch.validate import Reason

DATA = Path(__file__).resolve().parent / "data"
FIXTURES = [
    "marinecadastre_2020.csv",
    "marinecadastre_2025.csv",
    "dma_22col.csv",
    "dma_26col.csv",
    "satellite_export.csv",
]
# data rows per fixture, and how many of them are good / exact duplicates (see tests/data/README.md)
ROWS = {
    "marinecadastre_2020.csv": 20,
    "marinecadastre_2025.csv": 3,
    "dma_22col.csv": 7,
    "dma_26col.csv": 2,
    "satellite_export.csv": 5,
}
GOOD = {
    "marinecadastre_2020.csv": 4,
    "marinecadastre_2025.csv": 2,
    "dma_22col.csv": 4,
    "dma_26col.csv": 2,
    "satellite_export.csv": 2,
}


def test_every_row_is_accounted_for(tmp_path):
    report = ingest([DATA / f for f in FIXTURES], tmp_path / "s")
    assert report.rows_read == sum(ROWS.values())
    assert report.rows_accepted == sum(GOOD.values())
    assert report.rows_duplicate == 1
    assert report.rows_rejected == report.rows_read - report.rows_accepted - 1
    assert sum(report.rejected_by_reason.values()) == report.rows_rejected
    assert [(Path(f.path).name, f.rows) for f in report.files] == [(f, ROWS[f]) for f in FIXTURES]
    assert read_store(tmp_path / "s").collect().height == report.rows_accepted
    rejects = pl.read_parquet(tmp_path / "s" / "rejects" / "*.parquet")
    assert rejects.height == report.rows_rejected
    assert dict(rejects["reason"].value_counts().iter_rows()) == report.rejected_by_reason


def test_load_positions_matches_the_store(tmp_path):
    paths = [DATA / f for f in FIXTURES]
    table, report = load_positions(paths)
    stored = ingest(paths, tmp_path / "s")
    assert report.to_dict() | {"store": None} == stored.to_dict() | {"store": None}
    assert table.equals(read_store(tmp_path / "s").collect().sort(["mmsi", "timestamp"]))


def test_mapping_is_used_for_unknown_layouts_only(tmp_path):
    spec = "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees,time_format=%d/%m/%Y %H:%M"
    report = ingest([DATA / "other_layout.csv", DATA / "dma_26col.csv"], tmp_path / "s", mapping=spec)
    assert [f.dialect for f in report.files] == ["mapped", "dma"]
    assert (report.rows_accepted, report.rejected_by_reason) == (4, {"MMSI not 9 digits": 1})


def test_progress_callback_and_report_dict(tmp_path):
    calls = []
    report = ingest(
        [DATA / "marinecadastre_2020.csv"], tmp_path / "s", progress=lambda u, n: calls.append((u, n))
    )
    assert sum(n for u, n in calls if u == "rows") == 20
    assert ("partitions", 1) in calls
    d = json.loads(json.dumps(report.to_dict()))
    assert {
        "rows_read",
        "rows_accepted",
        "rows_rejected",
        "rows_duplicate",
        "rejected_by_reason",
        "files",
    } <= set(d)
    assert d["files"][0]["dialect"] == "marinecadastre" and d["files"][0]["rows"] == 20
    assert report.balanced
    assert not IngestReport(rows_read=1).balanced


def test_bad_input_fails_before_the_store_is_touched(tmp_path):
    good = tmp_path / "in" / "a.csv"
    good.parent.mkdir()
    shutil.copy(DATA / "marinecadastre_2020.csv", good)
    with pytest.raises(UnknownLayoutError, match=r"other_layout\.csv: unknown AIS layout"):
        ingest([good, DATA / "other_layout.csv"], tmp_path / "s")
    with pytest.raises(InputNotFoundError, match=r"nope\.csv: no such file"):
        ingest([good, tmp_path / "nope.csv"], tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_empty_directory(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no AIS files found"):
        ingest([tmp_path / "empty"], tmp_path / "s")


def test_batches_are_streamed(tmp_path, monkeypatch):
    import shipwatch.readers.csv as csv_reader

    monkeypatch.setattr(csv_reader, "BATCH_ROWS", 3)
    calls = []
    report = ingest([DATA / "marinecadastre_2020.csv"], tmp_path / "s", progress=lambda u, n: calls.append(n))
    assert report.rows_read == 20 and report.rows_duplicate == 1 and report.rows_accepted == 4
    assert max(calls) <= 3


def _stray_quote_file(path: Path, n: int, bad_at: int) -> Path:
    """n MarineCadastre rows (distinct MMSIs per minute), one with a quote that never closes, two
    with properly quoted names (one holding a comma)."""
    lines = ["MMSI,BaseDateTime,LAT,LON,SOG,VesselName,IMO,CallSign"]
    for i in range(n):
        name = f"SHIP {i}"
        if i == 3:
            name = '"RAY ""CHIEF"" TONEY"'
        elif i == 5:
            name = '"SMITH, JONES"'
        elif i == bad_at:
            name = '"BRAVO'
        lines.append(f"{366_000_000 + i % 500},2020-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d},37.8,-122.4,1.0,{name},,C{i}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_quote_that_never_closes_reads_the_file_again_with_quotes_as_text(tmp_path, monkeypatch):
    """The reader fails deep in the file, after batches were staged (and spilled to disk): they are
    dropped and the file is read again from the start; nothing is lost or counted twice."""
    import shipwatch.readers.csv as csv_reader
    import shipwatch.staging as staging_mod

    monkeypatch.setattr(csv_reader, "BATCH_ROWS", 5_000)
    monkeypatch.setattr(staging_mod, "STAGING_MEMORY_BYTES", 1)  # every batch spilled to disk at once
    n = 60_000
    path = _stray_quote_file(tmp_path / "q.csv", n, bad_at=55_000)
    seen = []
    report = ingest([path], tmp_path / "s", progress=lambda unit, k: seen.append((unit, k)))
    assert report.balanced and report.rows_read == n
    assert report.rejected_by_reason == {Reason.UNCLOSED_QUOTE: 2}  # "BRAVO and "SMITH, JONES"
    assert report.files[0].note == "a quote never closes: read with quotes as ordinary characters"
    assert any(k < 0 for unit, k in seen if unit == "rows")  # the progress bar went back
    assert sum(k for unit, k in seen if unit == "rows") == n
    stored = read_store(tmp_path / "s").collect()
    assert stored.height == report.rows_accepted == n - 2
    assert stored["source_row"].n_unique() == n - 2
    names = dict(zip(stored["source_row"], stored["vessel_name"], strict=True))
    assert names[4] == 'RAY "CHIEF" TONEY' and 55_001 not in names and 6 not in names
    table, loaded = load_positions([path])
    assert (loaded.rows_read, loaded.rows_accepted, table.height) == (n, n - 2, n - 2)


def test_a_line_with_too_many_fields_is_rejected_not_shifted(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "MMSI,BaseDateTime,LAT,LON,VesselName,CallSign\n"
        "366999001,2020-01-01T00:00:00,37.8,-122.4,ALPHA,C1\n"
        "366999002,2020-01-01T00:00:01,37.8,-122.4,SMITH, JONES,C2\n"
        '366999003,2020-01-01T00:00:02,37.8,-122.4,"SMITH, JONES",C3\n'
    )
    report = ingest([path], tmp_path / "s")
    assert report.balanced and report.rows_read == 3 and report.files[0].note is None
    assert report.rejected_by_reason == {"too many fields (an unquoted comma in a text field?)": 1}
    stored = read_store(tmp_path / "s").collect().sort("source_row")
    assert stored["vessel_name"].to_list() == ["ALPHA", "SMITH, JONES"]
    assert stored["callsign"].to_list() == ["C1", "C3"]
    rejects = pl.read_parquet(next((tmp_path / "s" / "rejects").glob("*.parquet")))
    assert rejects["source_row"].to_list() == [2]


GOOD_LINES = [f"36699900{i},2020-01-01T00:0{i}:00,37.1,-122.1" for i in (1, 2)]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # a quote opening the first field: the fast path must not swallow the rest of the file
        (['"366999001,2020-01-01T00:00:00,37.1,-122.1', *GOOD_LINES], (3, 2, 1)),
        # a quote opening a number field the fast path parses
        ([GOOD_LINES[0] + ',"1.0', *GOOD_LINES[1:]], (2, 1, 1)),
        # a row of unparseable numbers only is still a row
        (["abc,,n/a,n/a", *GOOD_LINES], (3, 2, 1)),
        # every field quoted, one quote never closes: numbers read without their quotes
        ([*(",".join(f'"{v}"' for v in g.split(",")) for g in GOOD_LINES), '"366999009","2020-01-01T00:09:00","37.1","-122.1,'], (3, 2, 1)),
    ],
)
def test_malformed_lines_are_read_again_never_lost(tmp_path, lines, expected):
    path = tmp_path / "m.csv"
    header = "MMSI,BaseDateTime,LAT,LON" + (",SOG" if lines[0].endswith('"1.0') else "")
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    for report in (ingest([path], tmp_path / "s"), load_positions([path])[1]):
        assert report.balanced
        assert (report.rows_read, report.rows_accepted, report.rows_rejected) == expected
        # the line with the quote that never closes is kept aside with its reason, not guessed at
        assert set(report.rejected_by_reason) <= {Reason.UNCLOSED_QUOTE, Reason.UNPARSEABLE_MMSI}


def test_a_header_only_file_reads_as_no_rows_beside_others(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("MMSI,BaseDateTime,LAT,LON\r\n")
    good = tmp_path / "good.csv"
    good.write_text("MMSI,BaseDateTime,LAT,LON\n" + "\n".join(GOOD_LINES) + "\n")
    report = ingest([empty, good], tmp_path / "s")
    assert [f.rows for f in report.files] == [0, 2] and report.rows_accepted == 2
