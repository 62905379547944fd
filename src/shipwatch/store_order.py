"""The store's row order and partitioning: where a row goes, in what order, and which copy is kept.

A row belongs to the UTC day of its timestamp and to MMSI bucket ``mmsi % BUCKETS``
(:func:`partition_key`), so exact duplicates always meet in the same part file. Within a part file
rows are sorted by mmsi, timestamp, source_file, source_row (:func:`sort_keys`), and of rows equal
on :data:`shipwatch.schema.REPORT_COLUMNS` the first in that order is kept (:func:`dedup`): a part
file's bytes depend only on the set of rows ever ingested.
"""

from __future__ import annotations

import polars as pl

from shipwatch import schema
from shipwatch.schema import MMSI, TIMESTAMP

__all__ = ["BUCKETS", "dedup", "dedup_order", "packed_key", "partition_key", "sort_keys"]

#: Number of MMSI buckets (part files) per day.
BUCKETS = 8


def partition_key() -> pl.Expr:
    """One integer per (UTC day, bucket): days since 1970 * BUCKETS + bucket."""
    return pl.col(TIMESTAMP).dt.epoch("d") * BUCKETS + pl.col(MMSI) % BUCKETS


def dedup(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop exact duplicates (equal on :data:`shipwatch.schema.REPORT_COLUMNS`) and sort.

    Rows are sorted by mmsi, timestamp, source_file, source_row; of equal rows the first in that
    order is kept, so the result does not depend on the order the inputs were given in.

    For speed the rows are ordered by one packed integer (mmsi and whole UTC seconds, see
    :func:`sort_keys`); only rows sharing that integer with a neighbour ("ties", a small minority) are
    then put in the exact four-column order and compared in full, and the table is gathered once.
    ``source_file`` may be a String or an Enum column; ties are ordered by its text.
    """
    if frame.height < 2:
        return frame
    packed = frame.select(packed_key()).to_series()
    perm = packed.arg_sort()
    order, _ = dedup_order(frame, perm, packed.gather(perm))
    return frame[order]


def dedup_order(frame: pl.DataFrame, perm: pl.Series, ordered: pl.Series) -> tuple[pl.Series, bool]:
    """The row indices of ``frame`` giving :func:`dedup`'s result for the rows ``perm`` selects.

    ``frame`` may lack optional columns (they count as null). ``perm`` (row indices) must order its rows by a key equal exactly when (mmsi, whole UTC
    second) are, and agreeing with the order of :func:`sort_keys`'s first key; ``ordered`` holds
    that key in ``perm``'s order. Returns the indices (ties put in exact order, duplicates left out)
    and whether they differ from ``perm``.
    """
    same = (ordered == ordered.shift(1)).fill_null(False)
    tie = same | same.shift(-1, fill_value=False)
    if not tie.any():
        return perm, False
    pos = tie.arg_true()
    rows = perm.gather(pos)
    sub = frame[rows].with_columns(
        rows.alias(_IDX),
        pl.col(schema.SOURCE_FILE).cast(pl.String),
        *(pl.lit(None, dtype=t).alias(c) for c, t in schema.CANONICAL.items() if c not in frame.columns),
    )
    sub = sub.sort(sort_keys(sub))
    changed = not sub[_IDX].equals(rows)
    if changed:
        perm = perm.clone().scatter(pos, sub[_IDX])
    # sub is in final order; of rows equal on the report columns keep the first.
    drop = sub.filter(~pl.struct(schema.REPORT_COLUMNS).is_first_distinct())[_IDX]
    if not drop.is_empty():
        perm = perm.filter(~perm.is_in(drop.implode()))
        changed = True
    return perm, changed


_IDX = "__dedup_index"


def packed_key() -> pl.Expr:
    """mmsi * 2**33 + whole UTC seconds (clipped to 1970..2242): orders like (mmsi, second)."""
    seconds = pl.col(TIMESTAMP).dt.epoch("s").clip(0, 2**33 - 1)
    return pl.col(MMSI) * 2**33 + seconds


def sort_keys(frame: pl.DataFrame) -> list[pl.Expr]:
    """Sort expressions giving the store's row order: mmsi, timestamp, source_file, source_row.

    For speed the first key packs mmsi and whole UTC seconds into one integer (mmsi < 2**30, seconds
    clipped to 0..2**33, i.e. 1970..2242) and source_file is ranked through a sorted Enum; the order is
    exactly that of the four columns.
    """
    files = sorted(frame[schema.SOURCE_FILE].drop_nulls().unique().to_list())
    return [
        packed_key(),
        pl.col(TIMESTAMP),
        pl.col(schema.SOURCE_FILE).cast(pl.Enum(files)).to_physical(),
        pl.col(schema.SOURCE_ROW),
    ]
