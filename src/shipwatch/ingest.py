"""Ingestion: read every input file, validate, and either merge into a store or return a table.

:func:`ingest` merges AIS files into a store; :func:`load_positions` returns positions as one table,
from stores (read back) or from raw AIS files (read, validated and de-duplicated in memory).

Every row read is counted exactly once: ``rows_read == rows_accepted + rows_rejected + rows_duplicate``.
Rejected rows keep their reason (``rejected_by_reason``); duplicates are exact copies (on
:data:`shipwatch.schema.REPORT_COLUMNS`) of a row already in the store or read earlier. Input files
are streamed batch by batch, so memory stays bounded by a batch and, when merging, by one day-bucket of
the store. The library never prints; pass ``progress`` to follow along.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import polars as pl

from shipwatch import readers, schema
from shipwatch.errors import (
    FastPathError,
    InputError,
    InputNotFoundError,
    MappingError,
    QuotingError,
    UnknownLayoutError,
)
from shipwatch.readers.layouts import TagBlockChecksum
from shipwatch.readers.mapping import ColumnMapping, parse_mapping
from shipwatch.reasons import Reason
from shipwatch.staging import RejectsWriter
from shipwatch.store import Store, file_key, is_store, read_store
from shipwatch.store_order import dedup
from shipwatch.times import to_utc
from shipwatch.validate import validate

__all__ = ["QUOTES_IGNORED", "Accounting", "FileEntry", "IngestReport", "SkippedFile", "ingest", "load_positions"]

#: ``progress(unit, n)``: ``("rows", n)`` after each batch read, ``("partitions", 1)`` after each merge.
Progress = Callable[[str, int], None]


class FileEntry(NamedTuple):
    """One input file of an ingest: path (as given), detected dialect, rows read, rows rejected, and a
    note when it was read in a special way (see :data:`QUOTES_IGNORED`)."""

    path: str
    dialect: str
    rows: int
    rejected: int = 0
    already_ingested: bool = False
    note: str | None = None


class SkippedFile(NamedTuple):
    """A file found in a folder (or a zip member) that is not AIS, and why: it was not read."""

    path: str
    reason: str


#: Note of a CSV file read with quotes as ordinary characters, because a quote in it never closes.
QUOTES_IGNORED = "a quote never closes: read with quotes as ordinary characters"


class _Read(NamedTuple):
    rows: int
    rejected: int
    accepted: int
    reasons: Counter
    note: str | None


#: How a CSV file is read: first the fast path, then as text, then with quotes as ordinary characters.
_ATTEMPTS = (
    {"fast": True, "quoting": True},
    {"fast": False, "quoting": True},
    {"fast": False, "quoting": False},
)


def _read_validated(
    src: readers.Source,
    dialect: str,
    mapping: ColumnMapping | None,
    keep: Callable[[pl.DataFrame, pl.DataFrame], None],
    restart: Callable[[], None],
    progress: Progress | None,
    source_file_dtype: pl.DataType | None = None,
    tag_block_checksum: TagBlockChecksum = "keep",
) -> _Read:
    """Read and validate one source, handing each batch's accepted and rejected rows to ``keep``.

    A MarineCadastre CSV file is read first with its numbers parsed by the CSV reader (fast, strict);
    if that stops (a value or line it does not take), ``restart()`` forgets what ``keep`` was given
    and the file is read again as text; if a quote in it never closes, once more with quotes as
    ordinary characters.
    """
    # Vessels keyed by an id that is not an MMSI (--map id=...): no MMSI rules.
    mmsi_rules = not (dialect == "mapped" and mapping is not None and mapping.id_column is not None)
    attempt = 0
    while True:
        rows = rejected = accepted = 0
        reasons: Counter = Counter()
        try:
            for batch in readers.read_source(
                src,
                dialect=dialect,
                mapping=mapping,
                source_file_dtype=source_file_dtype,
                tag_block_checksum=tag_block_checksum,
                **_ATTEMPTS[attempt],
            ):
                v = validate(batch, mmsi_rules=mmsi_rules)
                keep(v.accepted, v.rejected)
                rows += batch.height
                rejected += v.rejected.height
                accepted += v.accepted.height
                if v.rejected.height:
                    reasons.update(dict(v.rejected[schema.REASON].value_counts().iter_rows()))
                if progress is not None:
                    progress("rows", batch.height)
        except (FastPathError, QuotingError) as err:
            if attempt == len(_ATTEMPTS) - 1:
                raise
            restart()
            if progress is not None and rows:
                progress("rows", -rows)
            attempt = 1 if isinstance(err, FastPathError) else 2
            continue
        return _Read(rows, rejected, accepted, reasons, QUOTES_IGNORED if attempt == 2 else None)


@dataclass
class IngestReport:
    """Row accounting of one ingest.

    Attributes
    ----------
    rows_read, rows_accepted, rows_rejected, rows_duplicate : int
        ``rows_read == rows_accepted + rows_rejected + rows_duplicate``.
    rejected_by_reason : dict[str, int]
        Rejected rows per reason, most frequent first.
    files : list[FileEntry]
        Per input file: path, dialect, rows read, rows rejected, whether it was ingested before
        (same content hash already in the store's manifest, under any path: its rows then count as
        duplicates and the store is left as it was), and a note when read in a special way.
    store : str or None
        The store written to (None for :func:`load_positions`).
    skipped : list[SkippedFile]
        Files found in the folders given (or in zip archives) that are not AIS: not read, not
        counted in the rows.
    """

    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    files: list[FileEntry] = field(default_factory=list)
    store: str | None = None
    skipped: list[SkippedFile] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """Whether every row read is accounted for exactly once."""
        return self.rows_read == self.rows_accepted + self.rows_rejected + self.rows_duplicate

    def to_dict(self) -> dict:
        """A JSON-ready dict (the ``--report`` file)."""
        return {
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rows_duplicate": self.rows_duplicate,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "files": [f._asdict() for f in self.files],
            "store": self.store,
            "skipped": [f._asdict() for f in self.skipped],
        }


def _prepare(
    paths: str | os.PathLike | Iterable[str | os.PathLike], mapping: ColumnMapping | str | Path | dict | None
) -> tuple[list[tuple[readers.Source, str]], ColumnMapping | None, list[SkippedFile]]:
    """Find the inputs and their layouts before reading anything, so bad input fails fast.

    A file found in a folder (or a zip member) whose layout is unknown, or that lacks the columns
    of the mapping, is skipped; a file named explicitly is an error.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    paths = list(paths)
    m = parse_mapping(mapping) if mapping is not None else None
    sources = readers.expand(paths)
    if not sources:
        raise InputError(
            f"{', '.join(map(str, paths))}: no AIS files found (looked for .csv, .nmea, .parquet, .gpkg, "
            ".geojson, possibly .gz/.zst/.zip); name the files explicitly"
        )
    plan: list[tuple[readers.Source, str]] = []
    skipped: list[SkippedFile] = []
    for src in sources:
        try:
            dialect = readers.detect_dialect(src, mapping=m)
            if src.found and dialect == "mapped" and m is not None:
                m.check_header(readers.read_head(src).header, src.name)
        except (UnknownLayoutError, MappingError) as err:
            if not src.found:
                raise
            why = str(err).removeprefix(f"{src.name}: ").split(";")[0]
            skipped.append(SkippedFile(src.name, f"{Reason.NOT_AIS_FILE}: {why}"))
            continue
        plan.append((src, dialect))
    return plan, m, skipped


def _as_enum(accepted: pl.DataFrame, name: str, files: pl.Enum) -> pl.DataFrame:
    """``accepted`` with ``source_file`` as an Enum (a constant when every row names ``name``)."""
    sf = accepted[schema.SOURCE_FILE]
    if sf.dtype == files:
        return accepted
    if sf.null_count() == 0 and (sf == name).all():
        return accepted.with_columns(pl.lit(name, dtype=files).alias(schema.SOURCE_FILE))
    return accepted.with_columns(sf.cast(pl.String).cast(files))


def _tally(report: IngestReport, reasons: Counter) -> None:
    report.rejected_by_reason = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    report.rows_rejected = sum(reasons.values())


def ingest(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    store: str | os.PathLike,
    *,
    mapping: ColumnMapping | str | Path | dict | None = None,
    progress: Progress | None = None,
    tag_block_checksum: TagBlockChecksum = "keep",
    staging_bytes: int | None = None,
) -> IngestReport:
    """Ingest AIS files into the store at ``store`` (created if new).

    Parameters
    ----------
    paths : path or sequence of paths
        Files or directories (searched recursively); ``.gz``, ``.zst`` and ``.zip`` are decompressed.
    store : path
        Store directory (see :mod:`shipwatch.store`).
    mapping : ColumnMapping, str, Path or dict, optional
        Column mapping (``--map`` spec or TOML path) for CSV files of no known layout.
    progress : callable, optional
        Called as ``progress("rows", n)`` and ``progress("partitions", 1)``.
    tag_block_checksum : {"keep", "reject"}, default "keep"
        NMEA: a valid sentence whose tag block has a missing or wrong checksum is kept (as pyais and
        AISdb do), or rejected as "bad checksum" (see :mod:`shipwatch.readers.nmea`).
    staging_bytes : int, optional
        New rows held in memory before they are set aside on disk until the merge (default
        :data:`~shipwatch.staging.STAGING_MEMORY_BYTES`): less memory, a little more time.

    Returns
    -------
    IngestReport
        Row accounting; rejected rows are in ``<store>/rejects/``.

    Raises
    ------
    InputError
        Missing path, unknown layout without mapping, unreadable or corrupt file (the store is then
        left as it was; a store this call created stays, empty).
    StoreError
        If ``store`` exists but is not a store, or another ingest is writing to it.
    """
    plan, m, skipped = _prepare(paths, mapping)
    st = Store.open(store, create=True)
    report = IngestReport(store=str(store), skipped=skipped)
    reasons: Counter = Counter()
    accepted_before_dedup = known_duplicates = 0
    # Content hashes are computed in a background thread while the files are read (hashlib frees the GIL).
    # Staged rows carry source_file as an Enum of this ingest's inputs (4 bytes a row, not the path).
    files = pl.Enum(sorted({src.name for src, _ in plan}))
    with st.writing(), ThreadPoolExecutor(max_workers=1) as pool, st.staging(memory_bytes=staging_bytes) as stage:
        keys = [pool.submit(file_key, src.path, member=src.member) for src, _ in plan]
        staged_rejects: list[tuple[str, Path | None]] = []
        for i, (src, dialect) in enumerate(plan):
            writer = RejectsWriter(stage.rejects_dir / f"{i:05d}.parquet")
            mark = stage.mark()

            def keep(
                acc: pl.DataFrame, rej: pl.DataFrame, name: str = src.name, w: RejectsWriter = writer
            ) -> None:
                stage.add(_as_enum(acc, name, files))
                w.write(rej)

            def restart(m0: int = mark, w: RejectsWriter = writer) -> None:
                stage.rollback(m0)
                w.discard()

            r = _read_validated(src, dialect, m, keep, restart, progress, files, tag_block_checksum)
            reasons.update(r.reasons)
            key = keys[i].result()
            seen = st.known(key)
            if seen:
                # The same content was ingested before, perhaps under another path: it adds nothing,
                # and the store keeps the rows (and names) it has. (Copies given in one ingest are
                # all staged: of equal rows the one whose path sorts first is kept.)
                restart()
                known_duplicates += r.accepted
            else:
                accepted_before_dedup += r.accepted
            staged_rejects.append((key, None if seen else writer.close()))
            report.files.append(FileEntry(src.name, dialect, r.rows, r.rejected, seen, r.note))
            report.rows_read += r.rows
        report.rows_duplicate = st.merge(stage, progress=progress) + known_duplicates
        # Copies of one content in this ingest: the store keeps the rejects and manifest entry of the
        # path that sorts first, whatever the order the files were given in.
        first: dict[str, str] = {}
        for (key, _), entry in zip(staged_rejects, report.files, strict=True):
            if not entry.already_ingested and (key not in first or entry.path < first[key]):
                first[key] = entry.path
        for (key, staged), entry in zip(staged_rejects, report.files, strict=True):
            if entry.already_ingested or entry.path != first[key]:
                continue
            st.write_rejects(key, staged)
            st.record(
                key,
                {
                    "path": entry.path,
                    "dialect": entry.dialect,
                    "rows": entry.rows,
                    "rejected": entry.rejected,
                },
            )
        st.save_manifest()
    report.rows_accepted = accepted_before_dedup + known_duplicates - report.rows_duplicate
    _tally(report, reasons)
    return report


class Accounting(dict):
    """The row accounting of :func:`load_positions`: a JSON-ready dict (what a run's ``run.json``
    records as ``row_accounting``).

    From raw files it is :meth:`IngestReport.to_dict`, and :attr:`report` is the
    :class:`IngestReport` itself, whose attributes can also be read from here (``acc.rows_read``,
    ``acc.balanced``, ``acc.files[0].note``). From stores it is ``{"source": "store", "stores":
    [...], "rows": n}`` and :attr:`report` is None.
    """

    def __init__(self, data: dict, report: IngestReport | None = None) -> None:
        super().__init__(data)
        self.report = report

    def __getattr__(self, name: str):
        report = self.__dict__.get("report")
        if report is not None and not name.startswith("_"):
            return getattr(report, name)
        raise AttributeError(f"row accounting has no attribute {name!r}; its keys are {', '.join(self)}")


def _read_in_memory(
    plan: list[tuple[readers.Source, str]], m: ColumnMapping | None, progress: Progress | None
) -> tuple[pl.DataFrame, IngestReport]:
    """Read, validate and de-duplicate the planned sources into one table."""
    report = IngestReport()
    reasons: Counter = Counter()
    parts: list[pl.DataFrame] = []
    for src, dialect in plan:
        mark = len(parts)

        def keep(acc: pl.DataFrame, rej: pl.DataFrame) -> None:
            parts.append(acc)

        def restart(m0: int = mark) -> None:
            del parts[m0:]

        r = _read_validated(src, dialect, m, keep, restart, progress)
        reasons.update(r.reasons)
        report.files.append(FileEntry(src.name, dialect, r.rows, r.rejected, note=r.note))
        report.rows_read += r.rows
    accepted = pl.concat(parts) if parts else schema.empty()
    table = dedup(accepted)
    report.rows_duplicate = accepted.height - table.height
    report.rows_accepted = table.height
    _tally(report, reasons)
    return table, report


def load_positions(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    mapping: ColumnMapping | str | Path | dict | None = None,
    since: dt.datetime | dt.date | str | None = None,
    until: dt.datetime | dt.date | str | None = None,
    progress: Progress | None = None,
) -> tuple[pl.DataFrame, Accounting]:
    """Positions as one in-memory table, from shipwatch stores or from raw AIS files (no store written).

    Parameters
    ----------
    paths : path or sequence of paths
        Either stores (read with :func:`shipwatch.store.read_store`) or raw AIS files and folders
        (read, validated and de-duplicated in memory, as :func:`ingest` would), not both.
    mapping : ColumnMapping, str, Path or dict, optional
        As for :func:`ingest` (raw files only).
    since, until : datetime, date or ISO string, optional
        Keep rows with ``since <= timestamp < until`` (naive values are UTC). A store reads only the
        days in that window; raw files are read whole (their accounting counts every row read).
    progress : callable, optional
        Called as ``progress("rows", n)`` after each batch of raw files.

    Returns
    -------
    (pl.DataFrame, Accounting)
        Canonical columns. From raw files: the accepted rows, sorted by mmsi, timestamp,
        source_file, source_row, and the row accounting of :class:`IngestReport` (rejected rows are
        only counted). From stores: their rows, store after store, and
        ``{"source": "store", "stores": [...], "rows": n}``.

    Raises
    ------
    InputError
        A missing path, stores mixed with raw files, or what :func:`ingest` raises for raw files.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    paths = list(paths)
    given = [Path(p) for p in paths]
    for p in given:
        if not p.exists():
            raise InputNotFoundError(f"{p}: no such file or directory; check the path")
    lo, hi = to_utc(since), to_utc(until)
    stores = [p for p in given if is_store(p)]
    if stores:
        if len(stores) != len(given):
            raise InputError("pass either shipwatch stores or raw AIS files, not both")
        frames = [read_store(p, since=lo, until=hi).collect() for p in stores]
        df = pl.concat(frames) if frames else schema.empty()
        return df, Accounting({"source": "store", "stores": [str(p) for p in stores], "rows": df.height})
    plan, m, skipped = _prepare(paths, mapping)  # names as given (the source_file values)
    table, report = _read_in_memory(plan, m, progress)
    report.skipped = skipped
    if lo is not None:
        table = table.filter(pl.col(schema.TIMESTAMP) >= lo)
    if hi is not None:
        table = table.filter(pl.col(schema.TIMESTAMP) < hi)
    return table, Accounting(report.to_dict(), report)
