"""The position store: partitioned Parquet on disk, append-safe, idempotent and order-independent.

Layout under the store directory::

    manifest.json                                  what was ingested (content hash → path, dialect, rows)
    positions/date=YYYY-MM-DD/part-BB.parquet      accepted rows of one UTC day, MMSI bucket BB
    rejects/<hash>.parquet                         rejected rows of one input file, with ``reason``

A row goes to the day of its timestamp (UTC) and bucket ``mmsi % BUCKETS``, so exact duplicates always
meet in the same file. Each part file holds a set of rows without exact duplicates (equal on
:data:`shipwatch.schema.REPORT_COLUMNS`), sorted by mmsi, timestamp, source_file, source_row, and of
duplicate rows the first in that order is kept: its bytes depend only on the set of rows ever ingested,
not on the order or number of times files were ingested.

New rows are first staged (:class:`Staging`) in the store's ``.staging`` folder, one Arrow file per
batch and partition, then merged one partition at a time, so memory stays bounded by the size of one
day-bucket. Writes are atomic per file (write then rename); a crash mid-ingest leaves every file whole
and re-running the same ingest completes it. One ingest at a time per store (there is no lock).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from shipwatch import schema
from shipwatch.errors import StoreError
from shipwatch.validate import dedup

MANIFEST = "manifest.json"
POSITIONS = "positions"
REJECTS = "rejects"
STAGING = ".staging"
FORMAT = "shipwatch-store"
VERSION = 1
#: Number of MMSI buckets (part files) per day.
BUCKETS = 8
#: New rows held in memory before staging spills them to disk (bytes, polars' estimate).
STAGING_MEMORY_BYTES = 256 * 2**20
_KEY = "__partition"
_EPOCH = dt.date(1970, 1, 1)


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
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def _write_parquet(df: pl.DataFrame, path: Path) -> None:
    _write_atomic(
        path, lambda p: df.write_parquet(p, compression="zstd", compression_level=1, row_group_size=256_000)
    )


def file_key(path: str | Path, member: str | None = None) -> str:
    """Content key of an input file: SHA-256 of its bytes (plus the member name inside an archive)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            h.update(chunk)
    if member is not None:
        h.update(b"!" + member.encode())
    return h.hexdigest()


class Staging:
    """New accepted rows waiting to be merged, by (day, bucket).

    Rows are held in memory up to ``memory_bytes`` (polars' estimate), then spilled to one
    lz4-compressed Parquet file per (day, bucket) under ``root``, so memory stays bounded whatever
    the input size.
    """

    def __init__(self, root: Path, *, memory_bytes: int | None = None) -> None:
        self.root = root
        self.rows_dir = root / "rows"
        self.rejects_dir = root / "rejects"
        self.rejects_dir.mkdir(parents=True, exist_ok=True)
        self.memory_bytes = STAGING_MEMORY_BYTES if memory_bytes is None else memory_bytes
        self._held: dict[int, list[pl.DataFrame]] = {}
        self._held_bytes = 0
        self._spilled: set[int] = set()
        self._n = 0

    def add(self, accepted: pl.DataFrame) -> None:
        """Stage canonical accepted rows (non-null mmsi and timestamp)."""
        if accepted.is_empty():
            return
        # One integer key per (UTC day, bucket): days since 1970 * BUCKETS + bucket.
        key = pl.col(schema.TIMESTAMP).dt.epoch("d") * BUCKETS + pl.col(schema.MMSI) % BUCKETS
        for (k,), part in (
            accepted.with_columns(key.alias(_KEY))
            .partition_by(_KEY, as_dict=True, maintain_order=False)
            .items()
        ):
            self._held.setdefault(int(k), []).append(part.drop(_KEY))
        self._held_bytes += accepted.estimated_size()
        if self._held_bytes > self.memory_bytes:
            self._spill()

    def _spill(self) -> None:
        for k, parts in self._held.items():
            folder = self.rows_dir / f"{k:09d}"
            folder.mkdir(parents=True, exist_ok=True)
            pl.concat(parts).write_parquet(
                folder / f"{self._n:08d}.parquet", compression="lz4", statistics=False
            )
            self._spilled.add(k)
            self._n += 1
        self._held.clear()
        self._held_bytes = 0

    @staticmethod
    def _key(day: str, bucket: int) -> int:
        return (dt.date.fromisoformat(day) - _EPOCH).days * BUCKETS + bucket

    def partitions(self) -> list[tuple[str, int]]:
        """The staged (day ``YYYY-MM-DD``, bucket) pairs, sorted."""
        keys = sorted(self._spilled | set(self._held))
        return [((_EPOCH + dt.timedelta(days=k // BUCKETS)).isoformat(), k % BUCKETS) for k in keys]

    def rows(self, day: str, bucket: int) -> pl.DataFrame:
        """All staged rows of one (day, bucket)."""
        k = self._key(day, bucket)
        files = sorted((self.rows_dir / f"{k:09d}").glob("*.parquet"))
        return pl.concat([*(pl.read_parquet(f) for f in files), *self._held.get(k, [])], rechunk=True)

    def release(self, day: str, bucket: int) -> None:
        """Forget the in-memory rows of one (day, bucket) once merged."""
        self._held.pop(self._key(day, bucket), None)


class Store:
    """A store directory (see the module docstring). Open with :meth:`open`."""

    def __init__(self, root: Path, manifest: dict) -> None:
        self.root = root
        self.manifest = manifest

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
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise StoreError(
                f"{path}: exists and is not a shipwatch store; give an empty or new directory to --store"
            )
        if not create:
            raise StoreError(
                f"{path}: no shipwatch store here; create one with shipwatch ingest --store {path}"
            )
        root.mkdir(parents=True, exist_ok=True)
        store = cls(root, {"format": FORMAT, "version": VERSION, "buckets": BUCKETS, "files": {}})
        store.save_manifest()
        return store

    # --- manifest ---------------------------------------------------------------------------------
    def known(self, key: str) -> bool:
        """Whether an input with this content key was ingested before."""
        return key in self.manifest["files"]

    def record(self, key: str, entry: dict) -> None:
        """Remember an ingested input (saved by :meth:`save_manifest`)."""
        self.manifest["files"][key] = entry

    def save_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1, sort_keys=True) + "\n"
        _write_atomic(self.root / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))

    # --- staging and merging ------------------------------------------------------------------------
    @contextlib.contextmanager
    def staging(self) -> Iterator[Staging]:
        """A fresh staging area inside the store, removed afterwards whatever happens."""
        (self.root / STAGING).mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self.root / STAGING))
        try:
            yield Staging(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            with contextlib.suppress(OSError):  # left when another ingest is staging
                (self.root / STAGING).rmdir()

    def part_path(self, day: str, bucket: int) -> Path:
        return self.root / POSITIONS / f"date={day}" / f"part-{bucket:02d}.parquet"

    def merge(self, staging: Staging, *, progress: Callable[[str, int], None] | None = None) -> int:
        """Merge staged rows into their partitions; return how many were exact duplicates.

        A staged row is a duplicate when it equals (on the report columns) a row already in the store
        or another staged row.
        """
        duplicates = 0
        for day, bucket in staging.partitions():
            new = staging.rows(day, bucket)
            staging.release(day, bucket)
            path = self.part_path(day, bucket)
            old = pl.read_parquet(path) if path.exists() else schema.empty()
            merged = dedup(pl.concat([old, new]))
            dups = old.height + new.height - merged.height
            duplicates += dups
            if dups < new.height or not path.exists():
                _write_parquet(merged, path)
            if progress is not None:
                progress("partitions", 1)
        return duplicates

    def write_rejects(self, key: str, staged: Path | None) -> None:
        """Install the rejects of one input (a staged Parquet file, or None when there were none)."""
        target = self.root / REJECTS / f"{key[:32]}.parquet"
        if staged is None:
            target.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)


class RejectsWriter:
    """Streams one input's rejected rows into a Parquet file (created only if there are rejects)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: pq.ParquetWriter | None = None
        self._schema = pl.DataFrame(schema=schema.REJECT_SCHEMA).to_arrow().schema

    def write(self, rejected: pl.DataFrame) -> None:
        if rejected.is_empty():
            return
        table = rejected.select(list(schema.REJECT_SCHEMA)).to_arrow().cast(self._schema)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self._schema, compression="zstd")
        self._writer.write_table(table)

    def close(self) -> Path | None:
        """Finish the file; return its path, or None if nothing was rejected."""
        if self._writer is None:
            return None
        self._writer.close()
        return self.path


# --- reading ----------------------------------------------------------------------------------------
def _utc(value: dt.datetime | dt.date | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def read_store(
    path: str | Path,
    *,
    since: dt.datetime | dt.date | str | None = None,
    until: dt.datetime | dt.date | str | None = None,
    columns: list[str] | None = None,
) -> pl.LazyFrame:
    """The accepted positions of a store, lazily, optionally for a time window.

    Parameters
    ----------
    path : str or Path
        The store directory.
    since, until : datetime, date or ISO string, optional
        Keep rows with ``since <= timestamp < until`` (naive values are UTC). Only the day
        partitions that can hold such rows are scanned.
    columns : list of str, optional
        Canonical columns to return (default all).

    Returns
    -------
    pl.LazyFrame
        Canonical columns and types; sorted by mmsi and timestamp within each part file.

    Raises
    ------
    StoreError
        If ``path`` is not a store, or ``columns`` names a non-canonical column.
    """
    if not is_store(path):
        raise StoreError(f"{path}: not a shipwatch store; create one with shipwatch ingest --store {path}")
    cols = list(schema.COLUMNS) if columns is None else list(columns)
    if bad := [c for c in cols if c not in schema.CANONICAL]:
        raise StoreError(
            f"read_store: unknown column(s) {', '.join(bad)}; choose from {', '.join(schema.COLUMNS)}"
        )
    lo = _utc(since) if since is not None else None
    hi = _utc(until) if until is not None else None
    files = []
    for day_dir in sorted((Path(path) / POSITIONS).glob("date=*")):
        day = dt.date.fromisoformat(day_dir.name.removeprefix("date="))
        if lo is not None and day < lo.date():
            continue
        if hi is not None and day > hi.date():
            continue
        files.extend(sorted(day_dir.glob("part-*.parquet")))
    if not files:
        return schema.empty().lazy().select(cols)
    lf = pl.scan_parquet(files, hive_partitioning=False, schema=schema.CANONICAL_SCHEMA)
    if lo is not None:
        lf = lf.filter(pl.col(schema.TIMESTAMP) >= lo)
    if hi is not None:
        lf = lf.filter(pl.col(schema.TIMESTAMP) < hi)
    return lf.select(cols)
