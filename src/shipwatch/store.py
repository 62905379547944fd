"""The position store: partitioned Parquet on disk, append-safe, idempotent and order-independent.

Layout under the store directory::

    manifest.json                                  what was ingested (content hash → path, dialect, rows)
    positions/date=YYYY-MM-DD/part-BB.parquet      accepted rows of one UTC day, MMSI bucket BB
    rejects/<hash>.parquet                         rejected rows of one input file, with ``reason``

A row goes to the day of its timestamp (UTC) and bucket ``mmsi % BUCKETS``, so exact duplicates always
meet in the same file (the order and partitioning rules are in :mod:`shipwatch.store_order`). Each part file holds a set of rows without exact duplicates (equal on
:data:`shipwatch.schema.REPORT_COLUMNS`), sorted by mmsi, timestamp, source_file, source_row, and of
duplicate rows the first in that order is kept: its bytes depend only on the set of rows ever ingested,
not on the order or number of times files were ingested.

New rows are first staged (:class:`shipwatch.staging.Staging`) in the store's ``.staging`` folder,
one Arrow file per batch and partition, then merged one partition at a time, so memory stays bounded by the size of one
day-bucket. Writes are atomic per file (write then rename); a crash mid-ingest leaves every file whole
and re-running the same ingest completes it. One ingest at a time per store: a second one fails at
once with a clear message (an OS file lock on ``.lock``, released when the process ends).

:func:`read_store` reads a store back as a polars LazyFrame, optionally for a time window, a set of
MMSIs (only their buckets' files are scanned) and a bounding box.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl
import xxhash

try:
    import fcntl
except ImportError:  # Windows: no lock (one ingest at a time is then up to the user)
    fcntl = None  # type: ignore[assignment]

from shipwatch import schema
from shipwatch.errors import StoreError
from shipwatch.staging import Staging
from shipwatch.store_order import BUCKETS, dedup
from shipwatch.times import US_PER_HOUR, US_PER_SECOND, to_utc

__all__ = ["BUCKETS", "Store", "file_key", "is_store", "read_store"]

MANIFEST = "manifest.json"
POSITIONS = "positions"
REJECTS = "rejects"
STAGING = ".staging"
LOCK = ".lock"
FORMAT = "shipwatch-store"
VERSION = 1
STALE_STAGING_HOURS = 6.0
#: Partition files written at the same time while merging.
_WRITERS = 2


def is_store(path: str | Path) -> bool:
    """Whether ``path`` is a shipwatch store (a directory with a shipwatch ``manifest.json``)."""
    manifest = Path(path) / MANIFEST
    if not manifest.is_file():
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# Snappy: about 30 % less CPU than zstd level 1 when writing, for files about 40 % larger (76 -> 108 MB for
# the 6.35 M-row benchmark day); ingestion speed is the constraint here (docs/benchmarks.md).
PARQUET_COMPRESSION = "snappy"


def _write_parquet(df: pl.DataFrame, path: Path) -> None:
    _write_atomic(
        path, lambda p: df.write_parquet(p, compression=PARQUET_COMPRESSION, row_group_size=256_000)
    )


def _write_part(df: pl.DataFrame, path: Path) -> None:
    """Write one partition file: canonical types (``source_file`` back to String), one chunk."""
    if df.schema[schema.SOURCE_FILE] != pl.String:
        df = df.with_columns(pl.col(schema.SOURCE_FILE).cast(pl.String))
    _write_parquet(df.rechunk(), path)


def _manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def file_key(path: str | Path, *, member: str | None = None) -> str:
    """Content key of an input file: XXH3-128 of its bytes (plus the member name inside an archive).

    A fast non-cryptographic hash is enough to recognise a file already ingested, and it keeps
    hashing (~4 GB/s) off the critical path; SHA-256 cost 12 % of the CPU of a large ingest.
    """
    with open(path, "rb") as fh:
        h = hashlib.file_digest(fh, xxhash.xxh3_128)
    if member is not None:
        h.update(b"!" + member.encode())
    return h.hexdigest()


class Store:
    """A store directory (see the module docstring). Open with :meth:`open`."""

    def __init__(self, root: Path, manifest: dict) -> None:
        self.root = root
        self.manifest = manifest
        self._locked = False

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False) -> Store:
        """Open the store at ``path``, creating it (when ``create``) if absent or an empty directory.

        Raises
        ------
        StoreError
            If ``path`` is a file, or a non-empty directory that is not a store.
        """
        root = Path(path)
        if is_store(root):
            return cls(root, json.loads((root / MANIFEST).read_text(encoding="utf-8")))
        # Hidden entries (the lock or a temporary file) and the manifest of an ingest creating the
        # store at this moment do not count.
        if root.exists() and (
            not root.is_dir()
            or any(not p.name.startswith(".") and p.name != MANIFEST for p in root.iterdir())
        ):
            raise StoreError(
                f"{path}: exists and is not a shipwatch store; give an empty or new directory to --store"
            )
        if not create:
            raise StoreError(
                f"{path}: no shipwatch store here; create one with shipwatch ingest --store {path}"
            )
        root.mkdir(parents=True, exist_ok=True)
        text = _manifest_text({"format": FORMAT, "version": VERSION, "buckets": BUCKETS, "files": {}})
        tmp = root / f".{MANIFEST}.{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            tmp.write_text(text, encoding="utf-8")
            try:
                os.link(tmp, root / MANIFEST)  # atomic, and never replaces a manifest made meanwhile
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                if not (root / MANIFEST).exists():
                    os.replace(tmp, root / MANIFEST)
        finally:
            tmp.unlink(missing_ok=True)
        if not is_store(root):
            raise StoreError(
                f"{path}: exists and is not a shipwatch store; give an empty or new directory to --store"
            )
        return cls(root, json.loads((root / MANIFEST).read_text(encoding="utf-8")))

    # --- manifest ---------------------------------------------------------------------------------
    def known(self, key: str) -> bool:
        """Whether an input with this content key was ingested before."""
        return key in self.manifest["files"]

    def record(self, key: str, entry: dict) -> None:
        """Remember an ingested input (saved by :meth:`save_manifest`)."""
        self.manifest["files"][key] = entry

    def save_manifest(self) -> None:
        text = _manifest_text(self.manifest)
        _write_atomic(self.root / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))

    # --- staging and merging ------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[Store]:
        """Hold the store's write lock (``.lock``, an OS file lock released even if the process dies)
        and re-read the manifest, which another ingest may have changed since :meth:`open`.

        Raises
        ------
        StoreError
            If another process is writing to the store.
        """
        with open(self.root / LOCK, "a+b") as fh:
            if fcntl is not None:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as err:
                    raise StoreError(
                        f"{self.root}: another shipwatch ingest is writing to this store; "
                        "wait for it to finish, then run this one again"
                    ) from err
            try:
                self.manifest = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
                self._locked = fcntl is not None
                yield self
            finally:
                self._locked = False
                if fcntl is not None:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def staging(self, *, memory_bytes: int | None = None) -> Iterator[Staging]:
        """A fresh staging area inside the store, removed afterwards whatever happens; it holds up to
        ``memory_bytes`` of rows in memory (default :data:`~shipwatch.staging.STAGING_MEMORY_BYTES`).

        Staging folders left by an ingest that was killed are removed first (all of them when the
        store's lock is held, see :meth:`writing`; else those older than ``STALE_STAGING_HOURS``).
        """
        (self.root / STAGING).mkdir(exist_ok=True)
        cutoff = time.time() - STALE_STAGING_HOURS * US_PER_HOUR / US_PER_SECOND
        for old in (self.root / STAGING).iterdir():
            if self._locked or old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(dir=self.root / STAGING))
        try:
            yield Staging(tmp, memory_bytes=memory_bytes)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            with contextlib.suppress(OSError):  # left when another ingest is staging
                (self.root / STAGING).rmdir()

    def part_path(self, day: str, bucket: int) -> Path:
        return self.root / POSITIONS / f"date={day}" / f"part-{bucket:02d}.parquet"

    def merge(self, staging: Staging, *, progress: Callable[[str, int], None] | None = None) -> int:
        """Merge staged rows into their partitions; return how many were exact duplicates.

        A staged row is a duplicate when it equals (on the report columns) a row already in the store
        or another staged row. Partition files are written in background threads while the next
        partition is gathered (polars releases the GIL); at most ``_WRITERS`` writes are in flight.
        """
        duplicates = 0
        pending: collections.deque[Future] = collections.deque()

        def finish(fut: Future) -> None:
            fut.result()
            if progress is not None:
                progress("partitions", 1)

        with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
            for day, bucket in staging.partitions():
                new, dups = staging.take(day, bucket)
                path = self.part_path(day, bucket)
                if path.exists():
                    old = pl.read_parquet(path)
                    merged = dedup(
                        pl.concat([old, new.with_columns(pl.col(schema.SOURCE_FILE).cast(pl.String))])
                    )
                    dups += old.height + new.height - merged.height
                    write = not merged.equals(old)  # else nothing new: leave the file as it is
                else:
                    merged, write = new, True
                del new
                duplicates += dups
                while len(pending) >= _WRITERS:
                    finish(pending.popleft())
                if write:
                    pending.append(pool.submit(_write_part, merged, path))
                elif progress is not None:
                    progress("partitions", 1)
                del merged
            while pending:
                finish(pending.popleft())
        staging.release()
        return duplicates

    def write_rejects(self, key: str, staged: Path | None) -> None:
        """Install the rejects of one input (a staged Parquet file, or None when there were none)."""
        target = self.root / REJECTS / f"{key[:32]}.parquet"
        if staged is None:
            target.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)


# --- reading ----------------------------------------------------------------------------------------
def _mmsis(mmsi: int | Iterable[int]) -> list[int]:
    values = [mmsi] if isinstance(mmsi, int) else list(mmsi)
    if not all(isinstance(m, int) and not isinstance(m, bool) for m in values):
        raise StoreError(f"read_store: mmsi must be an int or an iterable of ints, got {mmsi!r}")
    return sorted(set(values))


def _bbox(bbox: tuple[float, float, float, float]) -> pl.Expr:
    """The filter of a (west, south, east, north) box in degrees; west > east crosses the antimeridian."""
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError) as err:
        raise StoreError(
            f"read_store: bbox must be (west, south, east, north) in degrees, got {bbox!r}"
        ) from err
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise StoreError(
            f"read_store: bbox {bbox!r} is not (west, south, east, north) with -180 <= west, east <= 180 "
            "and -90 <= south <= north <= 90"
        )
    lat, lon = pl.col(schema.LAT), pl.col(schema.LON)
    in_lon = lon.is_between(west, east) if west <= east else (lon >= west) | (lon <= east)
    return lat.is_between(south, north) & in_lon


def read_store(
    path: str | Path,
    *,
    since: dt.datetime | dt.date | str | None = None,
    until: dt.datetime | dt.date | str | None = None,
    mmsi: int | Iterable[int] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    columns: list[str] | None = None,
) -> pl.LazyFrame:
    """The accepted positions of a store, lazily, optionally for a time window, vessels and an area.

    Parameters
    ----------
    path : str or Path
        The store directory.
    since, until : datetime, date or ISO string, optional
        Keep rows with ``since <= timestamp < until`` (naive values are UTC). Only the day
        partitions that can hold such rows are scanned.
    mmsi : int or iterable of int, optional
        Keep these vessels only. Only the part files of their MMSI buckets (``mmsi % BUCKETS``)
        are scanned.
    bbox : (west, south, east, north), optional
        Keep positions inside this box, in degrees (edges included). ``west > east`` means a box
        crossing the antimeridian.
    columns : list of str, optional
        Canonical columns to return (default all).

    Returns
    -------
    pl.LazyFrame
        Canonical columns and types; sorted by mmsi and timestamp within each part file.

    Raises
    ------
    StoreError
        If ``path`` is not a store, ``columns`` names a non-canonical column, or ``mmsi`` or
        ``bbox`` is malformed.
    InputError
        If ``since`` or ``until`` is text that is not an ISO 8601 date or time.

    Examples
    --------
    >>> lf = read_store("store", since="2020-01-01", mmsi=[366000001], bbox=(-125, 30, -115, 40))  # doctest: +SKIP
    """
    if not is_store(path):
        raise StoreError(f"{path}: not a shipwatch store; create one with shipwatch ingest --store {path}")
    cols = list(schema.COLUMNS) if columns is None else list(columns)
    if bad := [c for c in cols if c not in schema.CANONICAL]:
        raise StoreError(
            f"read_store: unknown column(s) {', '.join(bad)}; choose from {', '.join(schema.COLUMNS)}"
        )
    lo, hi = to_utc(since), to_utc(until)
    vessels = _mmsis(mmsi) if mmsi is not None else None
    area = _bbox(bbox) if bbox is not None else None
    if vessels is not None:
        buckets_n = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8")).get("buckets", BUCKETS)
        buckets = {m % buckets_n for m in vessels}
    files = []
    for day_dir in sorted((Path(path) / POSITIONS).glob("date=*")):
        day = dt.date.fromisoformat(day_dir.name.removeprefix("date="))
        if lo is not None and day < lo.date():
            continue
        if hi is not None and day > hi.date():
            continue
        for part in sorted(day_dir.glob("part-*.parquet")):
            if vessels is None or int(part.stem.removeprefix("part-")) in buckets:
                files.append(part)
    if not files:
        return schema.empty().lazy().select(cols)
    lf = pl.scan_parquet(files, hive_partitioning=False, schema=schema.CANONICAL_SCHEMA)
    if lo is not None:
        lf = lf.filter(pl.col(schema.TIMESTAMP) >= lo)
    if hi is not None:
        lf = lf.filter(pl.col(schema.TIMESTAMP) < hi)
    if vessels is not None:
        lf = lf.filter(pl.col(schema.MMSI).is_in(vessels))
    if area is not None:
        lf = lf.filter(area)
    return lf.select(cols)
