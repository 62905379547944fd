"""Dispatch: file discovery, decompression, layout detection from magic bytes and headers."""

from __future__ import annotations

import gzip
import importlib.util
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest
import zstandard

from shipwatch.errors import InputNotFoundError, UnknownLayoutError, UnreadableFileError
from shipwatch.readers import detect_dialect, expand, read

DATA = Path(__file__).resolve().parents[1] / "data"
MC = DATA / "marinecadastre_2020.csv"
NMEA_LINES = (
    "# a comment line\n"
    "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n"
    "!AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0*05\n"
)


def _rows(path) -> pl.DataFrame:
    return pl.concat(list(read(path)))


def _gz(src: Path, dst: Path) -> Path:
    with open(src, "rb") as fi, gzip.open(dst, "wb") as fo:
        shutil.copyfileobj(fi, fo)
    return dst


def test_gzip_zstd_and_zip_give_the_same_rows_as_plain(tmp_path):
    plain = _rows(MC).drop("source_file")
    gz = _gz(MC, tmp_path / "a.csv.gz")
    zst = tmp_path / "a.csv.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(MC.read_bytes()))
    for path in (gz, zst):
        assert detect_dialect(path) == "marinecadastre"
        got = _rows(path)
        assert got["source_file"].unique().to_list() == [str(path)]
        assert got.drop("source_file").equals(plain)


def test_zip_with_several_members(tmp_path):
    z = tmp_path / "days.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(MC, "AIS_2020_01_01.csv")
        zf.write(DATA / "dma_22col.csv", "sub/dma.csv")
        zf.writestr("__MACOSX/._junk", "x")
    sources = expand([z])
    assert [s.name for s in sources] == [f"{z}!AIS_2020_01_01.csv", f"{z}!sub/dma.csv"]
    assert [detect_dialect(s) for s in sources] == ["marinecadastre", "dma"]
    assert _rows(z).height == 20 + 7


def test_directory_recursion_skips_hidden_and_non_data_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(MC, tmp_path / "a" / "b" / "x.csv")
    shutil.copy(DATA / "dma_26col.csv", tmp_path / "y.csv")
    (tmp_path / "README.md").write_text("not AIS")
    (tmp_path / ".hidden").mkdir()
    shutil.copy(MC, tmp_path / ".hidden" / "z.csv")
    names = [s.name for s in expand([tmp_path])]
    assert names == [str(tmp_path / "a" / "b" / "x.csv"), str(tmp_path / "y.csv")]


def test_nmea_detected_by_content(tmp_path):
    path = tmp_path / "feed.txt"
    path.write_text(NMEA_LINES)
    assert detect_dialect(path) == "nmea"
    tagged = tmp_path / "tagged.log"
    tagged.write_text("\\s:2573135,c:1635724800*0B\\!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n")
    assert detect_dialect(tagged) == "nmea"


@pytest.mark.skipif(
    importlib.util.find_spec("shipwatch.readers.nmea") is None, reason="NMEA reader not there"
)
def test_nmea_dispatched_to_the_nmea_reader(tmp_path):
    path = _gz_text(tmp_path / "feed.nmea.gz", NMEA_LINES)
    df = _rows(path)
    assert df.height == 2  # one row per sentence; the comment is not a row
    assert df["source_file"].unique().to_list() == [str(path)]
    assert df["mmsi"][1] == 367380120
    assert df["reason"][0] is not None  # the first sentence's checksum is wrong on purpose


def _gz_text(path: Path, text: str) -> Path:
    with gzip.open(path, "wt") as fh:
        fh.write(text)
    return path


@pytest.mark.skipif(
    importlib.util.find_spec("shipwatch.readers.spatial") is None, reason="spatial reader not there"
)
def test_parquet_detected_by_magic_even_without_extension(tmp_path):
    path = tmp_path / "positions.bin"
    pl.DataFrame(
        {"MMSI": [219000001], "BaseDateTime": ["2020-01-01T00:00:00"], "LAT": [55.0], "LON": [12.0]}
    ).write_parquet(path)
    assert detect_dialect(path) == "parquet"
    assert _rows(path)["mmsi"].to_list() == [219000001]


# One catalogue of unusable inputs for the dispatcher.
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda d: d / "missing.csv",
            InputNotFoundError,
            r"missing.csv: no such file or directory; check the path",
        ),
        (lambda d: _write(d / "empty.csv", b""), UnreadableFileError, r"empty.csv: the file is empty"),
        (
            lambda d: _write(d / "x.csv.gz", b"not gzip at all"),
            UnreadableFileError,
            r"x.csv.gz: cannot be read or decompressed .*re-download",
        ),
        (
            lambda d: _write(d / "x.zip", b"PK\x03\x04 broken"),
            UnreadableFileError,
            r"x.zip: not a valid zip archive",
        ),
        (
            lambda d: _write(d / "x.csv.zst", b"\x28\xb5\x2f\xfd garbage"),
            UnreadableFileError,
            r"x.csv.zst: cannot be read or decompressed",
        ),
        (
            lambda d: _write(d / "x.dat", b"\x00\x01\x02binary"),
            UnknownLayoutError,
            r"x.dat: a binary file of unknown",
        ),
        (
            lambda d: _write(d / "x.csv", b"foo,bar\n1,2\n"),
            UnknownLayoutError,
            r"x.csv: unknown AIS layout \(columns: foo, bar\); give a column mapping",
        ),
    ],
)
def test_unusable_inputs(tmp_path, make, error, match):
    path = make(tmp_path)
    with pytest.raises(error, match=match):
        list(read(path))


def test_truncated_gzip_is_reported_while_reading(tmp_path):
    data = gzip.compress(MC.read_bytes() * 50)
    path = _write(tmp_path / "cut.csv.gz", data[: len(data) // 2])
    with pytest.raises(UnreadableFileError, match=r"cut.csv.gz: cannot be (read or )?decompressed"):
        list(read(path))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_truncated_zstd_is_an_error_not_half_a_file(tmp_path):
    data = zstandard.ZstdCompressor().compress(MC.read_bytes() * 50)
    cut = tmp_path / "cut.csv.zst"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFileError, match=r"cut.csv.zst: .*truncated"):
        _rows(cut)


def test_nmea_inside_zstd(tmp_path):
    path = tmp_path / "a.nmea.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(NMEA_LINES.encode()))
    assert detect_dialect(path) == "nmea"
    assert _rows(path).height == 2


def test_zip_members_that_are_not_ais_are_skipped(tmp_path):
    z = tmp_path / "day.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(MC, "AIS_2020_01_01.csv")
        zf.writestr("metadata.xml", "<meta/>")
    assert [s.name for s in expand([z])] == [f"{z}!AIS_2020_01_01.csv"]


def test_a_store_and_a_report_inside_the_input_folder_are_not_input(tmp_path):
    from shipwatch.ingest import ingest

    shutil.copy(MC, tmp_path / "AIS_2020_01_01.csv")
    first = ingest([tmp_path], tmp_path / "store")
    (tmp_path / "report.json").write_text('{"rows_read": 20}')
    again = ingest([tmp_path], tmp_path / "store")
    assert [f["path"] for f in again.to_dict()["files"]] == [f["path"] for f in first.to_dict()["files"]]
    assert again.rows_accepted == 0 and again.rows_read == first.rows_read
