"""Finding input files and decompressing them.

:func:`expand` turns the paths given (files or folders, searched recursively) into :class:`Source`
objects, one per logical input file: a zip archive gives one source per AIS-looking member, named
``archive.zip!member.csv``. ``.gz``, ``.zst`` and ``.zip`` are decompressed on the fly
(:func:`open_stream`), or into a temporary plain file for readers that need one (:func:`open_local`).
:func:`head` is the first 64 KiB of the decompressed content, from which the layout is detected.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from shipwatch.errors import InputNotFoundError, UnreadableFileError

__all__ = ["HEAD_BYTES", "Source", "expand", "head", "open_local", "open_stream"]

_COMPRESSED = (".gz", ".zst", ".zip")
_DATA_SUFFIXES = {".csv", ".txt", ".nmea", ".nm4", ".aivdm", ".ais", ".parquet", ".gpkg", ".geojson", ".json"}
HEAD_BYTES = 64 * 1024


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
    found : bool
        Whether the file was found (in a folder searched, or as a zip member) rather than named
        explicitly: a found file that is not AIS is skipped, a named one is an error.
    """

    path: Path
    name: str
    member: str | None = None
    found: bool = False

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
    explicitly are always used. Zip archives expand to their members. Files found in a folder and
    zip members have ``found`` set (see :class:`Source`).

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
                out.append(Source(path=f, name=name, found=f != path))
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
    return [Source(path=path, name=f"{name}!{m}", member=m, found=True) for m in sorted(members)]


@contextlib.contextmanager
def open_stream(src: Source) -> Iterator:
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


def head(src: Source) -> bytes:
    """The first :data:`HEAD_BYTES` of the decompressed content.

    Raises
    ------
    UnreadableFileError
        If the file cannot be read or decompressed.
    """
    try:
        with open_stream(src) as fh:
            return fh.read(HEAD_BYTES)
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
            with open_stream(src) as fh, open(local, "wb") as out:
                shutil.copyfileobj(fh, out, 4 * 1024 * 1024)
        except _decode_errors() as err:
            raise UnreadableFileError(
                f"{src.name}: cannot be decompressed ({err}); "
                "the file is corrupt or truncated, re-download it"
            ) from err
        yield local
