"""Columnar and GIS files: ``parquet`` (``PAR1`` magic), ``geopackage`` and ``geojson``.

Recognised before any CSV layout, from magic bytes or the extension. Columns are found by name
(:mod:`shipwatch.readers.spatial`); a column mapping is used only when that fails, as for CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from shipwatch.errors import UnknownLayoutError
from shipwatch.readers.layouts import FileLayout, ReadOptions, register
from shipwatch.readers.mapping import ColumnMapping
from shipwatch.readers.sources import Source, open_local

__all__ = ["GEOJSON", "GEOPACKAGE", "PARQUET"]


def _reader(kind: str) -> Callable[[Source, ReadOptions], Iterator[pl.DataFrame]]:
    def read(src: Source, options: ReadOptions) -> Iterator[pl.DataFrame]:
        from shipwatch.readers import spatial

        fn = spatial.read_parquet if kind == "parquet" else spatial.read_geo
        with open_local(src) as local:
            yield from _by_name_then_mapping(fn, local, src.name, options.mapping)

    return read


def _by_name_then_mapping(fn, local: Path, name: str, mapping: ColumnMapping | None) -> Iterator[pl.DataFrame]:
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


PARQUET = register(
    FileLayout(name="parquet", sniff=lambda h: h.data.startswith(b"PAR1"), read=_reader("parquet"), priority=0)
)
GEOPACKAGE = register(
    FileLayout(
        name="geopackage",
        sniff=lambda h: h.data.startswith(b"SQLite format 3\x00") or h.suffix == ".gpkg",
        read=_reader("geo"),
        priority=1,
    )
)
GEOJSON = register(
    FileLayout(
        name="geojson",
        sniff=lambda h: h.suffix in (".geojson", ".json") or h.data.lstrip().startswith(b"{"),
        read=_reader("geo"),
        priority=2,
    )
)
