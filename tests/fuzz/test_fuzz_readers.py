"""Fuzz every reader: mutated real files and generated garbage must end in counted rows or one line.

Each test takes the first lines of a real public AIS file (``../shared/real_ais``; skipped when absent),
applies a few mutations drawn by hypothesis (byte flips, truncation, NUL bytes, very long lines, BOMs,
latin-1 names, swapped columns, header-only files, odd time formats and zones, numbers in exponent form,
lines dropped, doubled or shuffled) and reads the result with :func:`shipwatch.ingest.load_positions`
through :func:`conftest.check_file`. Compressed inputs (gzip, zip, zstd) are mutated after compression.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from functools import cache

import polars as pl
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from conftest import REAL_AIS
from fuzz.conftest import check_file

pytestmark = pytest.mark.fuzz

TIMES = [
    b"2023-01-11T00:00:00+05:00", b"2023-01-11 00:00:00 UTC", b"2023-01-11T00:00:00.123456789Z",
    b"11/01/2023 00:00", b"01/13/2023 25:61:61", b"1673395200", b"2023-13-45T99:99:99", b"",
    b"NaT", b"9999-12-31T23:59:59", b"0001-01-01T00:00:00", b"2023-01-11T00:00:00 CET",
    b"2023-03-26T02:30:00 Europe/Copenhagen", b"2023-W02-3", b"20230111_000000", b"-1",
    b"2023-01-11T00:00:00-25:00", b"2030-01-01T00:00:00", b"1e9", b"\xff\xfe",
]
NUMBERS = [b"1e2", b"4.3e1", b"-7.07E+1", b"1E400", b"-1e-400", b"nan", b"NaN", b"inf", b"-inf", b"-0",
           b"0x1F", b"1,5", b"99999999999999999999999", b"  42  ", b"+3", b"1_000", b"\xc2\xbd"]
NAMES = ["ÅLBORG MÆRSK", "NÖRDLICHT", "SEÑORA", "=HYPERLINK(\"x\")", "\t@SUM(A1)", "../../etc/passwd"]
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]


@cache
def base(rel: str, lines: int | None = 60) -> bytes:
    """The first ``lines`` lines of a real file (the whole file when None)."""
    path = REAL_AIS / rel
    if not path.exists():
        pytest.skip(f"real AIS file not found: {path}")
    data = path.read_bytes()
    if lines is None:
        return data
    return b"\n".join(data.split(b"\n")[:lines]) + b"\n"


@cache
def parquet_base() -> bytes:
    path = REAL_AIS / "noaa/AIS_2020_01_01_named_vessels.parquet"
    if not path.exists():
        pytest.skip(f"real AIS file not found: {path}")
    buf = io.BytesIO()
    pl.scan_parquet(path).head(80).collect().write_parquet(buf)
    return buf.getvalue()


def _fields(line: bytes) -> list[bytes]:
    return line.split(b",")


@st.composite
def mutation(draw, data: bytes) -> bytes:
    """One mutation of ``data``."""
    n = max(len(data), 1)
    lines = data.split(b"\n")
    kind = draw(st.sampled_from([
        "flip", "truncate", "nul", "long_line", "bom", "latin1", "swap_header", "swap_columns",
        "header_only", "time", "number", "drop_lines", "dup_lines", "shuffle", "insert_bytes", "crlf",
        "empty_fields", "extra_field", "quote",
    ]))
    if kind == "flip":
        i = draw(st.integers(0, n - 1))
        return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    if kind == "truncate":
        return data[: draw(st.integers(0, n))]
    if kind == "nul":
        i = draw(st.integers(0, n))
        return data[:i] + b"\x00" * draw(st.integers(1, 64)) + data[i:]
    if kind == "long_line":
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = lines[i] + draw(st.sampled_from([b"A", b",", b"\"", b"9"])) * draw(st.integers(1000, 300_000))
        return b"\n".join(lines)
    if kind == "bom":
        return draw(st.sampled_from(BOMS)) + data
    if kind == "latin1":
        i = draw(st.integers(0, len(lines) - 1))
        f = _fields(lines[i])
        j = draw(st.integers(0, len(f) - 1))
        f[j] = draw(st.sampled_from(NAMES)).encode(draw(st.sampled_from(["latin-1", "utf-8", "cp1252"])), "replace")
        lines[i] = b",".join(f)
        return b"\n".join(lines)
    if kind == "swap_header":
        f = _fields(lines[0])
        i, j = draw(st.integers(0, len(f) - 1)), draw(st.integers(0, len(f) - 1))
        f[i], f[j] = f[j], f[i]
        lines[0] = b",".join(f)
        return b"\n".join(lines)
    if kind == "swap_columns":
        width = len(_fields(lines[0]))
        i, j = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
        out = []
        for ln in lines[1:]:
            f = _fields(ln)
            if max(i, j) < len(f):
                f[i], f[j] = f[j], f[i]
            out.append(b",".join(f))
        return b"\n".join([lines[0], *out])
    if kind == "header_only":
        return lines[0] + draw(st.sampled_from([b"", b"\n", b"\r\n", b"\n\n"]))
    if kind in ("time", "number", "empty_fields"):
        rows = draw(st.lists(st.integers(0, len(lines) - 1), min_size=1, max_size=5))
        for r in rows:
            f = _fields(lines[r])
            j = draw(st.integers(0, len(f) - 1))
            pool = TIMES if kind == "time" else NUMBERS if kind == "number" else [b"", b" ", b"\"\"", b"NA"]
            f[j] = draw(st.sampled_from(pool))
            lines[r] = b",".join(f)
        return b"\n".join(lines)
    if kind == "drop_lines":
        keep = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
        return b"\n".join(ln for ln, k in zip(lines, keep, strict=True) if k)
    if kind == "dup_lines":
        i = draw(st.integers(0, len(lines) - 1))
        return b"\n".join(lines[: i + 1] + [lines[i]] * draw(st.integers(1, 50)) + lines[i + 1:])
    if kind == "shuffle":
        return b"\n".join(draw(st.permutations(lines)))
    if kind == "insert_bytes":
        i = draw(st.integers(0, n))
        return data[:i] + draw(st.binary(min_size=1, max_size=64)) + data[i:]
    if kind == "crlf":
        return data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\r", b"\x85"])))
    if kind == "extra_field":
        i = draw(st.integers(1, max(len(lines) - 1, 1))) if len(lines) > 1 else 0
        lines[i] = lines[i] + b",EXTRA"
        return b"\n".join(lines)
    # quote: a stray double quote somewhere
    i = draw(st.integers(0, n))
    return data[:i] + b"\"" + data[i:]


@st.composite
def mutated(draw, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        data = draw(mutation(data))
    return data


def _text_case(rel: str, name: str, mapping: str | None = None, lines: int | None = 60):
    @given(st.data())
    def case(d):
        check_file(d.draw(mutated(base(rel, lines))), name, mapping=mapping)

    return case


test_fuzz_marinecadastre = _text_case("noaa/AIS_2023_01_11_sample1000.csv", "AIS_2023_01_11.csv")
test_fuzz_marinecadastre_2022 = _text_case("noaa/AIS_2022_01_03_first99999.csv", "AIS_2022_01_03.csv")
test_fuzz_dma = _text_case("dma/aisdk_2018-06-01_first138.csv", "aisdk_2018-06-01.csv")
test_fuzz_satellite = _text_case("spire/exactearth_20210701.csv", "exactearth_20210701.csv", lines=30)
test_fuzz_mapped = _text_case(
    "other/solent_20160112.csv", "solent.csv", "time=Time,mmsi=MMSI,lat=Latitude_degrees,lon=Longitude_degrees"
)
test_fuzz_mapped_id = _text_case(
    "other/suez_boat_positions.csv",
    "suez.csv",
    "time=ais_pos_timestamp,id=ID,lat=latitude,lon=longitude,time_format=%d/%m/%Y %H:%M",
)
test_fuzz_nmea_tag_blocks = _text_case("nmea/test_data_20211101.nm4", "day.nm4", lines=120)
test_fuzz_nmea_types = _text_case("nmea/test_data_201201.nmea", "types.nmea", lines=None)
test_fuzz_nmea_plain = _text_case("nmea/gpsd_sample.aivdm", "gpsd.aivdm", lines=None)


@given(st.data())
def test_fuzz_parquet(d):
    check_file(d.draw(mutated(parquet_base())), "positions.parquet")


@given(st.data())
def test_fuzz_geopackage(d):
    check_file(d.draw(mutated(base("dma/dma_2017-07-05_gothenburg.gpkg", None))), "ships.gpkg")


def _compress(kind: str, data: bytes) -> tuple[bytes, str]:
    if kind == "gz":
        return gzip.compress(data, mtime=0), "AIS_2023_01_11.csv.gz"
    if kind == "zst":
        return zstandard.ZstdCompressor().compress(data), "AIS_2023_01_11.csv.zst"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("AIS_2023_01_11.csv", data)
    return buf.getvalue(), "AIS_2023_01_11.zip"


@st.composite
def corrupt(draw, data: bytes) -> bytes:
    n = len(data)
    kind = draw(st.sampled_from(["truncate", "flip", "garbage", "append", "nul"]))
    if kind == "truncate":
        return data[: draw(st.integers(0, n))]
    if kind == "flip":
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, n - 1))
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
        return data
    if kind == "garbage":
        return data[: draw(st.integers(0, 32))] + draw(st.binary(min_size=0, max_size=2048))
    if kind == "append":
        return data + draw(st.binary(min_size=1, max_size=256))
    i = draw(st.integers(0, n))
    return data[:i] + b"\x00" * draw(st.integers(1, 64)) + data[i:]


@given(st.data())
def test_fuzz_parquet_bytes(d):
    # binary formats get byte-level corruption too (flips, truncation, garbage, NULs)
    check_file(d.draw(corrupt(parquet_base())), "positions.parquet")


@given(st.data())
def test_fuzz_geopackage_bytes(d):
    check_file(d.draw(corrupt(base("dma/dma_2017-07-05_gothenburg.gpkg", None))), "ships.gpkg")


@given(st.data(), st.sampled_from(["gz", "zip", "zst"]))
def test_fuzz_compressed(d, kind):
    text = base("noaa/AIS_2023_01_11_sample1000.csv")
    if d.draw(st.booleans()):
        text = d.draw(mutated(text))
    raw, name = _compress(kind, text)
    check_file(d.draw(corrupt(raw)), name)


@given(st.binary(max_size=4096), st.sampled_from(
    ["x.csv", "x.nmea", "x.parquet", "x.gpkg", "x.geojson", "x.csv.gz", "x.zip", "x.csv.zst", "x.txt"]
))
def test_fuzz_garbage(data, name):
    check_file(data, name)
