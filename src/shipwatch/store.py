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
and re-running the same ingest completes it. One ingest at a time per store: a second one fails at
once with a clear message (an OS file lock on ``.lock``, released when the process ends).
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
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import polars as pl
import xxhash

try:
    import fcntl
except ImportError:  # Windows: no lock (one ingest at a time is then up to the user)
    fcntl = None  # type: ignore[assignment]

from shipwatch import schema
from shipwatch.errors import StoreError
from shipwatch.validate import dedup, dedup_order, packed_key

MANIFEST = "manifest.json"
POSITIONS = "positions"
REJECTS = "rejects"
STAGING = ".staging"
LOCK = ".lock"
FORMAT = "shipwatch-store"
VERSION = 1
#: Number of MMSI buckets (part files) per day.
BUCKETS = 8
#: New rows held in memory before staging spills them to disk (bytes, polars' estimate).
STAGING_MEMORY_BYTES = 1024 * 2**20
STALE_STAGING_HOURS = 6.0
#: Rejected rows of one input held in memory before being set aside on disk (bytes).
REJECTS_MEMORY_BYTES = 64 * 2**20
#: Partition files written at the same time while merging.
_WRITERS = 2
_KEY = "__partition"
_PART_BITS = 19
_ALWAYS = frozenset({schema.MMSI, schema.TIMESTAMP, schema.SOURCE_FILE, schema.SOURCE_ROW})
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


def file_key(path: str | Path, member: str | None = None) -> str:
    """Content key of an input file: XXH3-128 of its bytes (plus the member name inside an archive).

    A fast non-cryptographic hash is enough to recognise a file already ingested, and it keeps
    hashing (~4 GB/s) off the critical path; SHA-256 cost 12 % of the CPU of a large ingest.
    """
    with open(path, "rb") as fh:
        h = hashlib.file_digest(fh, xxhash.xxh3_128)
    if member is not None:
        h.update(b"!" + member.encode())
    return h.hexdigest()


class Staging:
    """New accepted rows waiting to be merged, by (day, bucket).

    Rows are held in memory as the batches they arrive in, up to ``memory_bytes`` (polars'
    estimate); beyond that the held rows are spilled to uncompressed Arrow IPC files (one per
    (day, bucket) and batch) under ``root``, so memory stays bounded whatever the input size.
    Columns that are entirely null in a batch (fields the input file does not have) are not held.

    Held rows are not split into partitions as they arrive: :meth:`take` sorts all of them once by
    one integer key (partition, mmsi, second of the day) and gathers each partition's rows already
    in store order.
    """

    def __init__(self, root: Path, *, memory_bytes: int | None = None) -> None:
        self.root = root
        self.rows_dir = root / "rows"
        self.rejects_dir = root / "rejects"
        self.rejects_dir.mkdir(parents=True, exist_ok=True)
        self.memory_bytes = STAGING_MEMORY_BYTES if memory_bytes is None else memory_bytes
        self._held: list[tuple[int, pl.DataFrame]] = []  # (batch number, rows)
        self._held_bytes = 0
        self._spilled: set[int] = set()
        self._n = 0
        self._sorted: tuple[pl.DataFrame, pl.Series, pl.Series, dict[int, tuple[int, int]]] | None = None

    def add(self, accepted: pl.DataFrame) -> None:
        """Stage canonical accepted rows (non-null mmsi and timestamp).

        ``source_file`` may be an Enum column (4 bytes a row instead of the path's text).
        """
        if accepted.is_empty():
            return
        if self._sorted is not None:
            raise RuntimeError("Staging.add after partitions() or take()")
        n = accepted.height
        keep = [c for c in accepted.columns if c in _ALWAYS or accepted[c].null_count() < n]
        # One contiguous chunk per column: gathering from many small chunks is slow.
        accepted = accepted.select(keep).rechunk()
        self._held.append((self._n, accepted))
        self._n += 1
        self._held_bytes += accepted.estimated_size()
        if self._held_bytes > self.memory_bytes:
            self._spill()

    def mark(self) -> int:
        """A point to :meth:`rollback` to (the number of batches added so far)."""
        return self._n

    def rollback(self, mark: int) -> None:
        """Forget every batch added after :meth:`mark` returned ``mark``, in memory or spilled."""
        if self._sorted is not None:
            raise RuntimeError("Staging.rollback after partitions() or take()")
        self._held = [(i, b) for i, b in self._held if i < mark]
        self._held_bytes = sum(b.estimated_size() for _, b in self._held)
        for k in list(self._spilled):
            folder = self.rows_dir / f"{k:09d}"
            for f in folder.glob("*.arrow"):
                if int(f.stem) >= mark:
                    f.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()
                self._spilled.discard(k)
        self._n = mark

    def _spill(self) -> None:
        for i, batch in self._held:
            parts = batch.with_columns(_partition_key().alias(_KEY)).partition_by(
                _KEY, as_dict=True, maintain_order=True, include_key=False
            )
            for (k,), part in parts.items():
                folder = self.rows_dir / f"{k:09d}"
                folder.mkdir(parents=True, exist_ok=True)
                part.write_ipc(folder / f"{i:08d}.arrow", compression="uncompressed")  # batch number
                self._spilled.add(k)
        self._held.clear()
        self._held_bytes = 0

    @staticmethod
    def _key(day: str, bucket: int) -> int:
        return (dt.date.fromisoformat(day) - _EPOCH).days * BUCKETS + bucket

    def partitions(self) -> list[tuple[str, int]]:
        """The staged (day ``YYYY-MM-DD``, bucket) pairs, sorted (no more rows can be added then)."""
        keys = sorted(self._spilled | set(self._sort_held()[3]))
        return [((_EPOCH + dt.timedelta(days=k // BUCKETS)).isoformat(), k % BUCKETS) for k in keys]

    def _sort_held(self) -> tuple[pl.DataFrame, pl.Series, pl.Series, dict[int, tuple[int, int]]]:
        """All held rows, the permutation sorting them by (partition, mmsi, second), the sorted key,
        and each partition's slice of the permutation."""
        if self._sorted is None:
            batches = [b for _, b in self._held]
            held = pl.concat(batches, how="diagonal", rechunk=False) if batches else schema.empty()
            self._held = []
            # Bounds of the partition key from the first and last day (cheaper than the key's min/max).
            days = pl.col(schema.TIMESTAMP).dt.epoch("d")
            lo, hi = held.select(days.min().alias("lo"), days.max().alias("hi")).row(0)
            lo, hi = (lo or 0) * BUCKETS, (hi or 0) * BUCKETS + BUCKETS - 1
            if hi - lo < 2**_PART_BITS:
                # (partition - lo) | mmsi // BUCKETS (< 2**27) | second of the UTC day (< 2**17), from the
                # timestamp's microseconds (floor division, as dt.epoch).
                us = pl.col(schema.TIMESTAMP).dt.epoch("us")
                day = us // 86_400_000_000
                second = us // 1_000_000 - day * 86_400
                part = day * BUCKETS + pl.col(schema.MMSI) % BUCKETS
                key = held.select(((part - lo) * 2**44) | ((pl.col(schema.MMSI) // BUCKETS) * 2**17) | second)
                # numpy's stable argsort of the int64 key: about half the CPU of polars' arg_sort here.
                key_np = key.to_series().to_numpy()
                perm_np = np.argsort(key_np, kind="stable")
                ordered_np = key_np[perm_np]
                perm = pl.Series(perm_np, dtype=pl.get_index_type())
                ordered = pl.Series(ordered_np)
                g = ordered_np >> 44  # sorted: each partition is one run
                starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else []
                ends = [*starts[1:], len(g)] if len(g) else []
                slices = {int(g[a]) + lo: (int(a), int(b - a)) for a, b in zip(starts, ends, strict=True)}
            else:  # an implausible span of days: sort by two keys
                part = _partition_key()
                key = held.select(part.alias("g"), packed_key().alias("k"))
                perm = key.select(pl.arg_sort_by("g", "k")).to_series()
                ordered = key["k"].gather(perm)
                groups = key["g"].gather(perm).to_frame("g").with_row_index("i")
                bounds = groups.group_by("g").agg(pl.col("i").min().alias("start"), pl.len().alias("n"))
                slices = {g: (start, n) for g, start, n in bounds.iter_rows()}
            self._sorted = (held, perm, ordered, slices)
        return self._sorted

    def take(self, day: str, bucket: int) -> tuple[pl.DataFrame, int]:
        """One (day, bucket)'s staged rows in store order without exact duplicates, and how many
        duplicates were left out. Canonical columns in canonical order; ``source_file`` keeps the
        type it was staged with (String or Enum). The in-memory rows are released once all
        partitions are taken."""
        k = self._key(day, bucket)
        held, perm, ordered, slices = self._sort_held()
        files = sorted((self.rows_dir / f"{k:09d}").glob("*.arrow"))
        start, n = slices.get(k, (0, 0))
        part_perm = perm.slice(start, n)
        if files:
            parts = [*(pl.read_ipc(f, memory_map=False) for f in files), held[part_perm]]
            text = pl.col(schema.SOURCE_FILE).cast(pl.String)  # the Enum does not survive IPC
            rows = _canonical(pl.concat([p.with_columns(text) for p in parts], how="diagonal"))
            out = dedup(rows)
            return out, rows.height - out.height
        order, _ = dedup_order(held, part_perm, ordered.slice(start, n))
        return _canonical(held[order]), n - order.len()

    def release(self) -> None:
        """Forget all in-memory rows."""
        self._held = []
        self._sorted = None


def _canonical(df: pl.DataFrame) -> pl.DataFrame:
    """The canonical columns in order, those missing from ``df`` as nulls (``source_file`` as is)."""
    return df.select(
        pl.col(c) if c in df.columns else pl.lit(None, dtype=t).alias(c) for c, t in schema.CANONICAL.items()
    )


def _partition_key() -> pl.Expr:
    """One integer per (UTC day, bucket): days since 1970 * BUCKETS + bucket."""
    return pl.col(schema.TIMESTAMP).dt.epoch("d") * BUCKETS + pl.col(schema.MMSI) % BUCKETS


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
    def staging(self) -> Iterator[Staging]:
        """A fresh staging area inside the store, removed afterwards whatever happens.

        Staging folders left by an ingest that was killed are removed first (all of them when the
        store's lock is held, see :meth:`writing`; else those older than ``STALE_STAGING_HOURS``).
        """
        (self.root / STAGING).mkdir(exist_ok=True)
        cutoff = time.time() - STALE_STAGING_HOURS * 3600
        for old in (self.root / STAGING).iterdir():
            if self._locked or old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
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


class RejectsWriter:
    """Collects one input's rejected rows into a Parquet file (created only if there are rejects).

    Rows are held in memory up to ``REJECTS_MEMORY_BYTES``, then set aside in Arrow IPC part files
    next to ``path``, so memory stays bounded; :meth:`close` writes the Parquet file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._parts: list[pl.DataFrame] = []
        self._bytes = 0
        self._files: list[Path] = []

    def write(self, rejected: pl.DataFrame) -> None:
        if rejected.is_empty():
            return
        self._parts.append(rejected.select(list(schema.REJECT_SCHEMA)).cast(schema.REJECT_SCHEMA))
        self._bytes += rejected.estimated_size()
        if self._bytes > REJECTS_MEMORY_BYTES:
            self._set_aside()

    def _set_aside(self) -> None:
        part = self.path.with_name(f"{self.path.stem}.{len(self._files):05d}.arrow")
        pl.concat(self._parts).write_ipc(part, compression="uncompressed")
        self._files.append(part)
        self._parts, self._bytes = [], 0

    def discard(self) -> None:
        """Forget every row written so far (for reading the input again)."""
        for f in self._files:
            f.unlink(missing_ok=True)
        self._parts, self._bytes, self._files = [], 0, []

    def close(self) -> Path | None:
        """Finish the file; return its path, or None if nothing was rejected."""
        if not self._files:
            if not self._parts:
                return None
            pl.concat(self._parts).write_parquet(self.path, compression="zstd")
        else:
            if self._parts:
                self._set_aside()
            pl.scan_ipc(self._files).sink_parquet(self.path, compression="zstd")
            for f in self._files:
                f.unlink()
        self._parts, self._files = [], []
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
