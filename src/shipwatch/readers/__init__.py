"""Read any AIS file into canonical frames: find the files, decompress, detect the layout, dispatch.

Three steps, three modules:

1. :mod:`shipwatch.readers.sources` finds the input files (folders searched recursively, zip members)
   and decompresses ``.gz``, ``.zst`` and ``.zip``;
2. :mod:`shipwatch.readers.layouts` is the registry of layouts, one module each (MarineCadastre, DMA,
   satellite exports, NMEA, Parquet, GeoPackage/GeoJSON, the ``--map`` fallback), which recognises a
   file from its first bytes and header: :func:`detect_dialect`;
3. the layout's reader: CSV layouts through the shared CSV machinery (:mod:`shipwatch.readers.csv`),
   the others through their own (:mod:`shipwatch.readers.nmea`, :mod:`shipwatch.readers.spatial`):
   :func:`read_source`.

Every reader yields canonical frames (:mod:`shipwatch.schema`) with ``source_file`` and
``source_row`` set, plus an optional ``reason`` column for rows it already knows are unusable
(reasons from :class:`shipwatch.reasons.Reason`). To add a layout, see :mod:`shipwatch.readers.layouts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from shipwatch.errors import UnknownLayoutError, UnreadableFileError
from shipwatch.readers import csv as csv_reader
from shipwatch.readers import layouts
from shipwatch.readers.layouts import CsvLayout, Head, ReadOptions, TagBlockChecksum
from shipwatch.readers.mapping import ColumnMapping, parse_mapping
from shipwatch.readers.sources import HEAD_BYTES, Source, expand, head, open_local, open_stream
from shipwatch.schema import SOURCE_FILE

__all__ = ["Source", "detect_dialect", "expand", "open_local", "open_stream", "read", "read_head", "read_source"]


def _source(source: Source | str | Path) -> Source:
    return source if isinstance(source, Source) else Source(path=Path(source), name=str(source))


def read_head(source: Source | str | Path) -> Head:
    """The start of one input file (:class:`~shipwatch.readers.layouts.Head`), decompressed.

    Raises
    ------
    UnreadableFileError
        If the file is empty, unreadable or corrupt.
    """
    src = _source(source)
    data = head(src)
    if not data.strip():
        raise UnreadableFileError(f"{src.name}: the file is empty; nothing to ingest")
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [ln.strip() for ln in text.splitlines()]
    first = next((ln for ln in lines if ln), "")
    complete = lines if len(data) < HEAD_BYTES else lines[:-1]
    content = [ln for ln in complete if ln and not ln.startswith("#")][:20]
    return Head(
        name=src.name,
        data=data,
        suffix=Path(src.inner_name).suffix.lower(),
        header=csv_reader.read_header_line(first),
        lines=content,
    )


def detect_dialect(source: Source | str | Path, *, mapping: ColumnMapping | None = None) -> str:
    """The layout of one input file: the name of a registered layout (:mod:`shipwatch.readers.layouts`),
    e.g. ``marinecadastre``, ``dma``, ``nmea``, ``parquet``.

    Parameters
    ----------
    source : Source, str or Path
        A file (compressed or not) or a :class:`Source` from :func:`expand`.
    mapping : ColumnMapping, optional
        When given, a CSV whose header matches no known layout is ``mapped``.

    Raises
    ------
    UnknownLayoutError
        If the layout is not recognised and no mapping applies.
    UnreadableFileError
        If the file is empty, unreadable or corrupt.
    """
    h = read_head(source)
    layout = layouts.detect(h, mapping=mapping)
    if layout is not None:
        return layout.name
    if h.binary:
        raise UnknownLayoutError(
            f"{h.name}: a binary file of unknown format; shipwatch reads AIS CSV, NMEA, "
            "Parquet, GeoPackage and GeoJSON"
        )
    raise UnknownLayoutError(csv_reader.unknown_layout_message(h.name, h.header))


def read_source(
    src: Source,
    *,
    dialect: str | None = None,
    mapping: ColumnMapping | None = None,
    source_file_dtype: pl.DataType | None = None,
    fast: bool = False,
    quoting: bool = True,
    tag_block_checksum: TagBlockChecksum = "keep",
) -> Iterator[pl.DataFrame]:
    """Canonical frames of one source (see :func:`read`).

    ``dialect`` is a layout name (detected when omitted). ``source_file_dtype`` (default String) may
    be an Enum holding ``src.name``: the ``source_file`` column then takes 4 bytes a row instead of
    the name's text. ``fast`` and ``quoting`` apply to CSV files (see
    :func:`shipwatch.readers.csv.read_csv`), ``tag_block_checksum`` to NMEA
    (:func:`shipwatch.readers.nmea.read_nmea`).
    """
    layout = layouts.get(dialect or detect_dialect(src, mapping=mapping))
    if isinstance(layout, CsvLayout):
        with open_local(src) as local:
            yield from csv_reader.read_csv(
                local,
                source_file=src.name,
                dialect=layout.name,
                mapping=mapping,
                source_file_dtype=source_file_dtype,
                fast=fast,
                quoting=quoting,
            )
        return
    options = ReadOptions(mapping=mapping, tag_block_checksum=tag_block_checksum)
    for batch in layout.read(src, options):
        if source_file_dtype is not None:
            batch = batch.with_columns(pl.col(SOURCE_FILE).cast(pl.String).cast(source_file_dtype))
        yield batch


def read(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | None = None,
    tag_block_checksum: TagBlockChecksum = "keep",
) -> Iterator[pl.DataFrame]:
    """Read every AIS file under ``path`` as canonical frames (not yet validated).

    Parameters
    ----------
    path : str or Path
        A file or a directory (searched recursively).
    mapping : ColumnMapping or str, optional
        Column mapping (or ``--map`` spec) for CSV files of no known layout.
    tag_block_checksum : {"keep", "reject"}, default "keep"
        NMEA sentences whose tag block checksum is missing or wrong (see
        :func:`shipwatch.readers.nmea.read_nmea`).

    Yields
    ------
    pl.DataFrame
        Canonical columns, ``source_file``/``source_row`` set, optionally ``reason``.
    """
    m = parse_mapping(mapping) if mapping is not None else None
    for src in expand([path]):
        yield from read_source(src, mapping=m, tag_block_checksum=tag_block_checksum)
