"""Read any AIS file into canonical frames: find the files, decompress, detect the layout, dispatch.

Inputs may be files or directories (searched recursively for AIS-looking files), optionally
compressed as ``.gz``, ``.zst`` or ``.zip`` (every AIS-looking member of a zip is a source of its
own, named ``archive.zip!member.csv``). The layout is detected from magic bytes and the first line:

========================  ========================================================
``parquet``               ``PAR1`` magic (:func:`shipwatch.readers.spatial.read_parquet`)
``geopackage``            SQLite magic or ``.gpkg`` (:func:`shipwatch.readers.spatial.read_geo`)
``geojson``               ``.geojson`` / ``.json`` (:func:`shipwatch.readers.spatial.read_geo`)
CSV dialects              header, see :mod:`shipwatch.readers.csv`
``nmea``                  ``!AIVDM`` / ``!AIVDO`` lines, tag blocks, ``#`` comments
                          (:func:`shipwatch.readers.nmea.read_nmea`)
========================  ========================================================

Every reader yields canonical frames (:mod:`shipwatch.schema`) with ``source_file`` and
``source_row`` set, plus an optional ``reason`` column for rows it already knows are unusable.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from shipwatch.errors import InputNotFoundError, UnknownLayoutError, UnreadableFileError
from shipwatch.readers import csv as csv_reader
from shipwatch.readers.mapping import ColumnMapping, parse_mapping
from shipwatch.schema import SOURCE_FILE

__all__ = ["Source", "detect_dialect", "expand", "open_local", "read", "read_source"]

NMEA = "nmea"
PARQUET = "parquet"
GEOPACKAGE = "geopackage"
GEOJSON = "geojson"

_COMPRESSED = (".gz", ".zst", ".zip")
_DATA_SUFFIXES = {".csv", ".txt", ".nmea", ".nm4", ".aivdm", ".ais", ".parquet", ".gpkg", ".geojson", ".json"}
_NMEA_LINE = re.compile(r"^(\\[^\\]*\\)?\s*[!$][A-Z]{2}VD[MO],")
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Source:
    """One logical input file.

    Attributes
    ----------
    path : Path
        The file on disk (the archive for a zip member).
    name : str
        The ``source_file`` value: the path as given, plus ``!member`` for a zip member.
    member : str or None
        Name of the member inside a zip archive.
    """

    path: Path
    name: str
    member: str | None = None

    @property
    def compression(self) -> str | None:
        """``"gzip"``, ``"zstd"``, ``"zip"`` or None."""
        suffix = self.path.suffix.lower()
        return {".gz": "gzip", ".zst": "zstd", ".zip": "zip"}.get(suffix)

    @property
    def inner_name(self) -> str:
        """The file name once decompressed (used for extension-based detection)."""
        if self.member is not None:
            return self.member
        name = self.path.name
        return name[: -len(self.path.suffix)] if self.compression else name


def _looks_like_data(name: str) -> bool:
    low = name.lower()
    for ext in _COMPRESSED:
        if low.endswith(ext):
            low = low[: -len(ext)]
            if ext == ".zip":
                return True
    return Path(low).suffix in _DATA_SUFFIXES


def _is_geojson(path: Path) -> bool:
    """Whether a ``.json`` file found in a folder is GeoJSON (not, say, an ingest report)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return True  # let the reader report it
    return b'"FeatureCollection"' in head or b'"Feature"' in head


def expand(paths: Iterable[str | Path]) -> list[Source]:
    """The input files behind ``paths``, in a deterministic order.

    Directories are searched recursively for files with AIS-looking names (``.csv``, ``.nmea``,
    ``.parquet``, ``.gpkg`` … possibly ``.gz``/``.zst``/``.zip``), skipping hidden ones; files named
    explicitly are always used. Zip archives expand to their members.

    Raises
    ------
    InputNotFoundError
        If a path does not exist.
    UnreadableFileError
        If a zip archive is corrupt.
    """
    out: list[Source] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputNotFoundError(f"{given}: no such file or directory; check the path")
        if path.is_dir():
            from shipwatch.store import is_store

            # a shipwatch store (or a --report JSON) kept inside the input folder is not input
            stores = [m.parent for m in path.rglob("manifest.json") if is_store(m.parent)]
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and _looks_like_data(p.name)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not any(st in p.parents for st in stores)
                and (p.suffix.lower() != ".json" or _is_geojson(p))
            )
        else:
            files = [path]
        for f in files:
            name = str(f) if f != path else str(given)
            if f.suffix.lower() == ".zip":
                out.extend(_zip_members(f, name))
            else:
                out.append(Source(path=f, name=name))
    return out


def _zip_members(path: Path, name: str) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [
                i.filename
                for i in zf.infolist()
                if not i.is_dir()
                and not i.filename.startswith("__MACOSX/")
                and not Path(i.filename).name.startswith(".")
                and _looks_like_data(Path(i.filename).name)
            ]
    except (zipfile.BadZipFile, OSError) as err:
        raise UnreadableFileError(f"{name}: not a valid zip archive ({err}); re-download it") from err
    if not members:
        raise UnreadableFileError(f"{name}: the zip archive holds no files")
    return [Source(path=path, name=f"{name}!{m}", member=m) for m in sorted(members)]


@contextlib.contextmanager
def _open_stream(src: Source) -> Iterator:
    """A binary stream of the decompressed content."""
    comp = src.compression
    if comp == "gzip":
        with gzip.open(src.path, "rb") as fh:
            yield fh
    elif comp == "zstd":
        with open(src.path, "rb") as raw, io.BufferedReader(_ZstdReader(raw), 1 << 20) as fh:
            yield fh
    elif comp == "zip":
        with zipfile.ZipFile(src.path) as zf, zf.open(src.member or "") as fh:
            yield fh
    else:
        with open(src.path, "rb") as fh:
            yield fh


class _ZstdReader(io.RawIOBase):
    """Zstandard decompression as a raw stream that fails on a truncated file (all frames must end).

    ``zstandard``'s own ``stream_reader`` returns a cut-off file's first part as if it were whole.
    """

    def __init__(self, raw: io.BufferedIOBase) -> None:
        import zstandard

        self._zstd = zstandard
        self._raw = raw
        self._dobj = zstandard.ZstdDecompressor().decompressobj()
        self._buf = b""
        self._started = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:
        while not self._buf:
            chunk = self._raw.read(1 << 20)
            if not chunk:
                if self._started and not self._dobj.eof:
                    raise self._zstd.ZstdError("truncated zstd stream (the last frame does not end)")
                return 0
            while chunk:
                self._started = True
                self._buf += self._dobj.decompress(chunk)
                chunk = b""
                if self._dobj.eof:  # next frame, if any
                    chunk = self._dobj.unused_data
                    self._dobj = self._zstd.ZstdDecompressor().decompressobj()
                    self._started = bool(chunk)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _decode_errors() -> tuple[type[BaseException], ...]:
    import zstandard

    # zipfile raises RuntimeError for an encrypted member and NotImplementedError for an unknown method
    return (
        OSError,
        EOFError,
        zlib.error,
        zipfile.BadZipFile,
        zstandard.ZstdError,
        RuntimeError,
        NotImplementedError,
    )


def _head(src: Source) -> bytes:
    try:
        with _open_stream(src) as fh:
            return fh.read(_HEAD_BYTES)
    except _decode_errors() as err:
        raise UnreadableFileError(
            f"{src.name}: cannot be read or decompressed ({err}); check the file or re-download it"
        ) from err


@contextlib.contextmanager
def open_local(src: Source) -> Iterator[Path]:
    """A plain file on disk with the decompressed content (a temporary copy when compressed)."""
    if src.compression is None:
        yield src.path
        return
    with tempfile.TemporaryDirectory(prefix="shipwatch-") as tmp:
        local = Path(tmp) / Path(src.inner_name).name
        try:
            with _open_stream(src) as fh, open(local, "wb") as out:
                shutil.copyfileobj(fh, out, 4 * 1024 * 1024)
        except _decode_errors() as err:
            raise UnreadableFileError(
                f"{src.name}: cannot be decompressed ({err}); "
                "the file is corrupt or truncated, re-download it"
            ) from err
        yield local


def detect_dialect(source: Source | str | Path, *, mapping: ColumnMapping | None = None) -> str:
    """The layout of one input file: a CSV dialect name or ``nmea``/``parquet``/``geopackage``/``geojson``.

    Parameters
    ----------
    source : Source, str or Path
        A file (compressed or not) or a :class:`Source` from :func:`expand`.
    mapping : ColumnMapping, optional
        When given, a CSV whose header matches no known dialect is ``mapped``.

    Raises
    ------
    UnknownLayoutError
        If the layout is not recognised and no mapping applies.
    UnreadableFileError
        If the file is empty, unreadable or corrupt.
    """
    src = source if isinstance(source, Source) else Source(path=Path(source), name=str(source))
    head = _head(src)
    if not head.strip():
        raise UnreadableFileError(f"{src.name}: the file is empty; nothing to ingest")
    suffix = Path(src.inner_name).suffix.lower()
    if head.startswith(b"PAR1"):
        return PARQUET
    if head.startswith(b"SQLite format 3\x00") or suffix == ".gpkg":
        return GEOPACKAGE
    if suffix in (".geojson", ".json") or head.lstrip().startswith(b"{"):
        return GEOJSON
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [ln.strip() for ln in text.splitlines()]
    first = next((ln for ln in lines if ln), "")
    header = csv_reader.read_header_line(first)
    dialect = csv_reader.detect_csv_dialect(header)
    if dialect is not None:
        return dialect
    complete = lines if len(head) < _HEAD_BYTES else lines[:-1]
    content = [ln for ln in complete if ln and not ln.startswith("#")][:20]
    if content and any(_NMEA_LINE.match(ln) for ln in content):
        return NMEA
    if b"\x00" in head:
        raise UnknownLayoutError(
            f"{src.name}: a binary file of unknown format; shipwatch reads AIS CSV, NMEA, "
            "Parquet, GeoPackage and GeoJSON"
        )
    if mapping is not None and len(header) > 1:
        return csv_reader.MAPPED
    raise UnknownLayoutError(csv_reader.unknown_layout_message(src.name, header))


def read_source(
    src: Source,
    *,
    dialect: str | None = None,
    mapping: ColumnMapping | None = None,
    source_file_dtype: pl.DataType | None = None,
    fast: bool = False,
    quoting: bool = True,
) -> Iterator[pl.DataFrame]:
    """Canonical frames of one source (see :func:`read`).

    ``source_file_dtype`` (default String) may be an Enum holding ``src.name``: the ``source_file``
    column then takes 4 bytes a row instead of the name's text. ``fast`` and ``quoting`` apply to
    CSV files (see :func:`shipwatch.readers.csv.read_csv`).
    """
    dialect = dialect or detect_dialect(src, mapping=mapping)
    if dialect not in (NMEA, PARQUET, GEOPACKAGE, GEOJSON):
        with open_local(src) as local:
            yield from csv_reader.read_csv(
                local,
                source_file=src.name,
                dialect=dialect,
                mapping=mapping,
                source_file_dtype=source_file_dtype,
                fast=fast,
                quoting=quoting,
            )
        return
    for batch in _read_other(src, dialect, mapping):
        if source_file_dtype is not None:
            batch = batch.with_columns(pl.col(SOURCE_FILE).cast(pl.String).cast(source_file_dtype))
        yield batch


def _read_other(src: Source, dialect: str, mapping: ColumnMapping | None) -> Iterator[pl.DataFrame]:
    if dialect == NMEA:
        from shipwatch.readers.nmea import read_nmea

        with _open_stream(src) as fh:
            yield from read_nmea(fh, src.name)
        return
    with open_local(src) as local:
        from shipwatch.readers import spatial

        fn = spatial.read_parquet if dialect == PARQUET else spatial.read_geo
        yield from _spatial(fn, local, src.name, mapping)


def _spatial(fn, local: Path, name: str, mapping: ColumnMapping | None) -> Iterator[pl.DataFrame]:
    """Columns are found by name; the mapping is used only when that fails (as for CSV)."""
    try:
        batches = fn(local, name)
        first = next(batches, None)
    except UnknownLayoutError:
        if mapping is None:
            raise
        batches = fn(local, name, mapping=mapping.columns)
        first = next(batches, None)
    if first is not None:
        yield first
        yield from batches


def read(path: str | Path, *, mapping: ColumnMapping | str | None = None) -> Iterator[pl.DataFrame]:
    """Read every AIS file under ``path`` as canonical frames (not yet validated).

    Parameters
    ----------
    path : str or Path
        A file or a directory (searched recursively).
    mapping : ColumnMapping or str, optional
        Column mapping (or ``--map`` spec) for CSV files of no known layout.

    Yields
    ------
    pl.DataFrame
        Canonical columns, ``source_file``/``source_row`` set, optionally ``reason``.
    """
    m = parse_mapping(mapping) if mapping is not None else None
    for src in expand([path]):
        yield from read_source(src, mapping=m)
