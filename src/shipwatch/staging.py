"""Staging: new rows waiting to be merged into the store, and one input's rejected rows.

An ingest stages accepted rows (:class:`Staging`) in the store's ``.staging`` folder and rejected rows
(:class:`RejectsWriter`) next to them; both hold rows in memory up to a budget and spill to
uncompressed Arrow IPC files beyond it, so memory stays bounded whatever the input size. Both can
forget what they were given (a file read again after the fast CSV path stopped).
:meth:`shipwatch.store.Store.merge` then takes the staged rows one (day, bucket) at a time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from shipwatch import schema
from shipwatch.store_order import BUCKETS, dedup, dedup_order, packed_key, partition_key
from shipwatch.times import US_PER_DAY, US_PER_SECOND

__all__ = ["REJECTS_MEMORY_BYTES", "STAGING_MEMORY_BYTES", "RejectsWriter", "Staging"]

#: New rows held in memory before staging spills them to disk (bytes, polars' estimate).
STAGING_MEMORY_BYTES = 1024 * 2**20
#: Rejected rows of one input held in memory before being set aside on disk (bytes).
REJECTS_MEMORY_BYTES = 64 * 2**20
_KEY = "__partition"
_PART_BITS = 19
_ALWAYS = frozenset({schema.MMSI, schema.TIMESTAMP, schema.SOURCE_FILE, schema.SOURCE_ROW})
_EPOCH = dt.date(1970, 1, 1)
_SECONDS_PER_DAY = US_PER_DAY // US_PER_SECOND


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
            parts = batch.with_columns(partition_key().alias(_KEY)).partition_by(
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
                day = us // US_PER_DAY
                second = us // US_PER_SECOND - day * _SECONDS_PER_DAY
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
                part = partition_key()
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
