"""The registry of AIS file layouts: one module per layout, one place that dispatches.

Every layout shipwatch reads is one module in this package:

=========================  ===================================================================
module                     layouts (``source`` names in the ingest report)
=========================  ===================================================================
``spatial``                ``parquet`` (``PAR1`` magic), ``geopackage``, ``geojson``
``marinecadastre``         ``marinecadastre`` (NOAA ≤ 2024), ``marinecadastre-2025``
``dma``                    ``dma`` (Danish Maritime Authority)
``satellite``              ``satellite`` (exactEarth/Spire export)
``nmea``                   ``nmea`` (``!AIVDM`` sentences, found by content)
``mapped``                 ``mapped`` (any other CSV, through ``--map``; a fallback)
=========================  ===================================================================

:func:`detect` tries the layouts in order of ``priority`` (lowest first) on the first 64 KiB of a
file (:class:`Head`) and returns the first that matches; :func:`get` finds one by name. Every module
of this package is imported the first time the registry is used, and registers its layouts itself.

How a new AIS layout is added
-----------------------------
Write one module, e.g. ``shipwatch/readers/layouts/aishub.py``; nothing else changes::

    import polars as pl

    from shipwatch.readers.layouts import CsvFile, CsvLayout, register
    from shipwatch.readers.plan import Plan, f64, naive_to_utc, text
    from shipwatch.schema import LAT, LON, MMSI, TIMESTAMP

    def _plan(f: CsvFile) -> Plan:
        p = Plan()
        p.raw = {MMSI: text("MMSI"), TIMESTAMP: text("TIME"), LAT: text("LATITUDE"), LON: text("LONGITUDE")}
        p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
        p.exprs[TIMESTAMP] = naive_to_utc(p.raw[TIMESTAMP], "%Y-%m-%d %H:%M:%S")
        p.exprs[LAT], p.exprs[LON] = f64(p.raw[LAT]), f64(p.raw[LON])
        return p

    LAYOUT = register(
        CsvLayout(
            name="aishub",
            matches=lambda header: {"MMSI", "TIME", "LATITUDE", "LONGITUDE", "NAVSTAT"} <= set(header),
            plan=_plan,
            priority=50,
        )
    )

- ``matches(header)`` says whether a CSV header (column names, spaces and BOM removed) is this layout;
  make it specific (the columns that together only this layout has).
- ``plan(f)`` returns a :class:`~shipwatch.readers.plan.Plan`: one polars expression per canonical
  column over the file's text columns, plus ``raw`` (key columns whose unparseable values reject the
  row) and ``given`` (a reason the data itself gives, e.g. "not a ship"). Reasons come from
  :class:`shipwatch.reasons.Reason`. Quoting, the "too many fields" check, line numbers, batching
  and the accounting are the shared CSV machinery's (:mod:`shipwatch.readers.csv`).
- ``priority`` orders the checks: the built-in CSV layouts use 10–30, NMEA 500, the ``--map``
  fallback 1000; the default 100 is right for a new CSV layout.
- A module outside this package (a plugin, a test) registers a layout the same way; it is used once
  the module is imported. A non-CSV format is a :class:`FileLayout`, with ``sniff(head)`` and
  ``read(source, options)`` instead of a plan (see :mod:`.nmea`).

Add a small fixture under ``tests/data/`` and a test reading it (``tests/readers/test_layouts.py``
does exactly this with the toy layout of ``tests/data/toy_layout/``), and say in ``docs/domain.md`` §4
what the layout's traps are.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import polars as pl

from shipwatch.readers.mapping import ColumnMapping

if TYPE_CHECKING:
    from shipwatch.readers.plan import Plan
    from shipwatch.readers.sources import Source

__all__ = [
    "CsvFile",
    "CsvLayout",
    "FileLayout",
    "Head",
    "Layout",
    "ReadOptions",
    "detect",
    "get",
    "layouts",
    "register",
    "unregister",
]

#: What to do with a sentence whose tag block has a missing or wrong checksum (see :mod:`shipwatch.readers.nmea`).
TagBlockChecksum = Literal["keep", "reject"]


@dataclass(frozen=True)
class CsvFile:
    """What a CSV layout's ``plan`` is given: one uncompressed file and its header."""

    path: Path
    source_file: str
    header: list[str]
    mapping: ColumnMapping | None = None


@dataclass(frozen=True)
class ReadOptions:
    """Options for the readers of non-CSV layouts (each takes what applies to it)."""

    mapping: ColumnMapping | None = None
    tag_block_checksum: TagBlockChecksum = "keep"


@dataclass(frozen=True)
class Head:
    """The start of one input file, from which its layout is detected.

    Attributes
    ----------
    name : str
        The file's ``source_file`` name (for messages).
    data : bytes
        Its first 64 KiB, decompressed.
    suffix : str
        Its extension once decompressed (lower case, e.g. ``.csv``).
    header : list of str
        The first non-blank line parsed as a CSV header.
    lines : list of str
        Up to 20 complete non-blank lines that are not ``#`` comments, stripped.
    """

    name: str
    data: bytes
    suffix: str
    header: list[str]
    lines: list[str]

    @property
    def binary(self) -> bool:
        """Whether the head holds NUL bytes (not a text file)."""
        return b"\x00" in self.data


@dataclass(frozen=True)
class CsvLayout:
    """A CSV layout: which headers it recognises and how its columns map into the canonical schema.

    Attributes
    ----------
    name : str
        Its name (in the ingest report and the store's manifest); unique.
    matches : callable
        ``matches(header) -> bool``: whether a header (list of column names) is this layout.
    plan : callable
        ``plan(file: CsvFile) -> Plan``.
    priority : int
        Detection order, lowest first (default 100).
    fast_plan : callable, optional
        A plan whose numbers the CSV parser reads itself (strict: a value it cannot parse stops the
        read, and the file is read again with ``plan``).
    needs_mapping : bool
        A fallback that applies only when a column mapping is given (and the file is text).
    """

    name: str
    matches: Callable[[list[str]], bool]
    plan: Callable[[CsvFile], Plan]
    priority: int = 100
    fast_plan: Callable[[CsvFile], Plan] | None = None
    needs_mapping: bool = False


@dataclass(frozen=True)
class FileLayout:
    """A non-CSV layout: recognised from the file's start, read by its own reader.

    ``sniff(head) -> bool``; ``read(source, options) -> Iterator[pl.DataFrame]`` yields canonical
    frames with ``source_file``/``source_row`` set and optionally ``reason``.
    """

    name: str
    sniff: Callable[[Head], bool]
    read: Callable[[Source, ReadOptions], Iterator[pl.DataFrame]]
    priority: int = 100


Layout = CsvLayout | FileLayout

_REGISTRY: dict[str, Layout] = {}
_discovered = False


def register(layout: Layout) -> Layout:
    """Add ``layout`` to the registry and return it (call it at module level in the layout's module).

    Registering again under the same name from the same module (a module re-imported) replaces the
    earlier entry.

    Raises
    ------
    ValueError
        If another module registered a layout of that name.
    """
    if not isinstance(layout, CsvLayout | FileLayout):
        raise TypeError(f"register: expected a CsvLayout or a FileLayout, got {type(layout).__name__}")
    old = _REGISTRY.get(layout.name)
    if old is not None and _module(old) != _module(layout):
        raise ValueError(
            f"register: a layout named {layout.name!r} is already registered by {_module(old)}; choose another name"
        )
    _REGISTRY[layout.name] = layout
    return layout


def unregister(name: str) -> None:
    """Remove the layout called ``name`` (if registered)."""
    _REGISTRY.pop(name, None)


def _module(layout: Layout) -> str:
    fn = layout.plan if isinstance(layout, CsvLayout) else layout.read
    return getattr(fn, "__module__", "?")


def _discover() -> None:
    """Import every module of this package once (each registers its layouts)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def layouts() -> list[Layout]:
    """Every registered layout, in detection order (priority, then name)."""
    _discover()
    return sorted(_REGISTRY.values(), key=lambda lay: (lay.priority, lay.name))


def get(name: str) -> Layout:
    """The layout called ``name``.

    Raises
    ------
    ValueError
        If there is no such layout.
    """
    _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(lay.name for lay in layouts())
        raise ValueError(f"unknown AIS layout {name!r}; expected one of {known}") from None


def csv_layout(header: list[str], *, mapping: ColumnMapping | None = None) -> CsvLayout | None:
    """The CSV layout whose header this is (the ``--map`` fallback when ``mapping`` is given), or None."""
    for lay in layouts():
        if isinstance(lay, CsvLayout) and _csv_matches(lay, header, mapping, binary=False):
            return lay
    return None


def _csv_matches(lay: CsvLayout, header: list[str], mapping: ColumnMapping | None, *, binary: bool) -> bool:
    if lay.needs_mapping:
        return mapping is not None and not binary and lay.matches(header)
    return lay.matches(header)


def detect(head: Head, *, mapping: ColumnMapping | None = None) -> Layout | None:
    """The first layout, in priority order, that recognises ``head`` (None when none does)."""
    for lay in layouts():
        if isinstance(lay, CsvLayout):
            if _csv_matches(lay, head.header, mapping, binary=head.binary):
                return lay
        elif lay.sniff(head):
            return lay
    return None
