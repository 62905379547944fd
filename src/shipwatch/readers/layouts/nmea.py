"""Raw NMEA 0183 AIS (``nmea``): ``!AIVDM``/``!AIVDO`` sentences, tag blocks, ``#`` comments.

Recognised by content, after every CSV layout: one of the first 20 complete non-comment lines is an
AIS sentence (possibly after a tag block). Decoded by :func:`shipwatch.readers.nmea.read_nmea`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from shipwatch.readers.layouts import FileLayout, Head, ReadOptions, register
from shipwatch.readers.sources import Source, open_stream

__all__ = ["NMEA"]

_NMEA_LINE = re.compile(r"^(\\[^\\]*\\)?\s*[!$][A-Z]{2}VD[MO],")


def _sniff(head: Head) -> bool:
    return any(_NMEA_LINE.match(ln) for ln in head.lines)


def _read(src: Source, options: ReadOptions) -> Iterator[pl.DataFrame]:
    from shipwatch.readers.nmea import read_nmea  # pyais is imported only for NMEA files

    with open_stream(src) as fh:
        yield from read_nmea(fh, src.name, tag_block_checksum=options.tag_block_checksum)


NMEA = register(FileLayout(name="nmea", sniff=_sniff, read=_read, priority=500))
