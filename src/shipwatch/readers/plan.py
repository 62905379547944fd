"""How a CSV layout's text columns become canonical ones: :class:`Plan` and the expression helpers.

A CSV layout (:mod:`shipwatch.readers.layouts`) is mostly a plan: one polars expression per
canonical column, written over the file's raw text columns (every column is read as text, so one
bad value never stops a file). The shared CSV machinery (:mod:`shipwatch.readers.csv`) runs it.

Helpers: :func:`text` (spaces stripped, empty → null), :func:`text_or_null` (null when the column is
absent), :func:`f64`, :func:`integer` (``7`` or ``7.0`` → 7), :func:`naive_to_utc` (a ``strptime``
pattern, times in a zone → UTC).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from shipwatch import schema

__all__ = ["Plan", "f64", "integer", "naive_to_utc", "text", "text_or_null"]


class Plan:
    """How one layout turns a file's raw text columns into canonical ones.

    Attributes
    ----------
    exprs : dict[str, pl.Expr]
        Canonical column → expression over the file's columns (absent canonical columns are null).
    raw : dict[str, pl.Expr]
        Raw text of the key columns (any of mmsi, timestamp, lat, lon): a row where that text is
        present but the canonical value came out null is rejected as "unparseable ...".
    given : pl.Expr
        A reject reason the layout knows from the data itself (e.g. a base-station message type),
        null for rows it finds nothing wrong with.
    typed : dict[str, pl.DataType]
        Raw columns the CSV parser itself converts (the strict fast path); all others are text.
    shifted : pl.Expr
        True where values sit in columns they cannot belong to (a line with shifted fields: such a
        row is rejected as "too many fields").
    finish : callable, optional
        ``finish(lf) -> lf`` on the whole file's canonical rows (with ``reason``), for what one row
        cannot say alone: e.g. joining a vessel's static reports onto its positions. It must keep
        the rows, their order and the columns. Such a file is read whole before its first batch.
    """

    def __init__(self) -> None:
        self.exprs: dict[str, pl.Expr] = {}
        self.raw: dict[str, pl.Expr] = {}
        self.given: pl.Expr = pl.lit(None, dtype=pl.String)
        self.typed: dict[str, pl.DataType] = {}
        self.shifted: pl.Expr = pl.lit(False)
        self.finish: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None


def text(col: str) -> pl.Expr:
    """Text with surrounding spaces removed; empty or blank → null."""
    s = pl.col(col).str.strip_chars()
    return pl.when(s.str.len_bytes() > 0).then(s)


def text_or_null(col: str, header: list[str]) -> pl.Expr:
    """:func:`text` of ``col``, or a null text column when the file has no such column."""
    return text(col) if col in header else pl.lit(None, dtype=pl.String)


def f64(e: pl.Expr) -> pl.Expr:
    """A float from text (bad values → null)."""
    return e.cast(pl.Float64, strict=False)


def integer(e: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Integer from text such as ``7`` or ``7.0`` (non-integral or bad values → null)."""
    f = f64(e)
    return pl.when(f == f.round(0)).then(f).cast(dtype, strict=False)


def naive_to_utc(e: pl.Expr, fmt: str, *, tz: str = schema.UTC) -> pl.Expr:
    """Times without an offset, written as ``fmt`` (a ``strptime`` pattern) in zone ``tz``, as UTC."""
    t = e.str.strptime(pl.Datetime("us"), fmt, strict=False, cache=False)  # cache: slower here
    if tz == schema.UTC:
        return t.dt.replace_time_zone(schema.UTC)
    return t.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
        schema.UTC
    )
