"""The CSV machinery every CSV layout shares: header, scan, fast path, quoting, reasons, batches.

A CSV layout (:mod:`shipwatch.readers.layouts`) says which headers it recognises and gives a
:class:`~shipwatch.readers.plan.Plan` (one polars expression per canonical column); this module reads
the file and runs the plan, in streaming batches.

Columns are read as text and converted with polars expressions, so one bad value never stops a
file: a value present but unconvertible in a key column gives the row a reason ("unparseable MMSI",
"unparseable timestamp", "unparseable position"); in other columns it becomes null. Lines without
any value (blank lines) are not data rows.

A line with more fields than the header (an unquoted comma inside a name) is rejected as "too many
fields", and so is a line whose values sit in columns they cannot belong to (the layout's
``Plan.shifted``: a shift the field count misses when the last field is empty). A field holding a
line break (AIS text never does: stray quotes joined lines) rejects its row, which keeps the joined
text. ``fast`` uses the layout's fast plan (numbers read by the CSV parser itself, strictly);
``quoting=False`` reads a file whose quotes never close. Both may stop mid-file;
:func:`shipwatch.ingest.ingest` then drops what it staged and reads the file again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from shipwatch import schema
from shipwatch.errors import FastPathError, QuotingError, UnknownLayoutError, UnreadableFileError
from shipwatch.readers import layouts
from shipwatch.readers.layouts import CsvFile, CsvLayout
from shipwatch.readers.layouts.marinecadastre import MARINECADASTRE_HEADER
from shipwatch.readers.mapping import ColumnMapping
from shipwatch.readers.plan import Plan
from shipwatch.reasons import Reason
from shipwatch.schema import LAT, LON, MMSI, REASON, SOURCE_FILE, SOURCE_ROW, TIMESTAMP

__all__ = ["BATCH_ROWS", "MARINECADASTRE_HEADER", "csv_layout_names", "detect_csv_dialect", "read_csv", "read_header", "read_header_line"]

#: Columns a CSV header may have: AIS tables have a few dozen (exactEarth's, the widest, 139); a header
#: of thousands of fields (a line of commas) is no AIS table, and would cost time per column.
MAX_COLUMNS = 1000
#: Rows per batch yielded by :func:`read_csv`.
BATCH_ROWS = 250_000
_ROW = "__row"


# --- header and detection ----------------------------------------------------------------------
def read_header(path: str | Path, *, name: str | None = None) -> list[str]:
    """The column names of a CSV file's first line (BOM and surrounding spaces removed); ``name``
    (default ``path``) names the file in error messages.

    Raises
    ------
    UnreadableFileError
        If the file cannot be opened, is empty, its lines end in CR only or mix CR and LF in the first
        line (which the CSV parser does not split), or its header has more than :data:`MAX_COLUMNS`
        columns.
    """
    name = str(path) if name is None else name
    try:
        with open(path, "rb") as fh:
            raw = fh.readline(1 << 16)
    except OSError as err:
        raise UnreadableFileError(
            f"{name}: cannot be read ({err.strerror}); check the path and permissions"
        ) from err
    if not raw.endswith(b"\n") and b"\r" in raw.rstrip(b"\r"):
        raise UnreadableFileError(
            f"{name}: its lines end in CR only (old Mac style), which shipwatch does not split; "
            "convert them to LF first (e.g. tr '\\r' '\\n')"
        )
    if b"\r" in raw.rstrip(b"\r\n"):  # CR inside the first line: line ends that mix CR and LF
        raise UnreadableFileError(
            f"{name}: its first line holds a bare CR (line ends mixing CR and LF); convert them to LF first"
        )
    line = raw.decode("utf-8", errors="replace")
    if not line.strip():
        raise UnreadableFileError(f"{name}: the file is empty or starts with a blank line; nothing to ingest")
    header = read_header_line(line)
    if len(header) > MAX_COLUMNS:
        raise UnreadableFileError(
            f"{name}: its header has {len(header):,} columns (an AIS table has at most {MAX_COLUMNS:,}); "
            "check that it is an AIS CSV file"
        )
    return header


def read_header_line(line: str) -> list[str]:
    """Column names parsed from one header line (BOM and surrounding spaces removed)."""
    if not line.strip():
        return []
    try:
        names = next(csv.reader(io.StringIO(line)))
    except csv.Error:  # a bare CR inside the line: no layout has such a header, split it plainly
        names = [h.strip('"') for h in line.rstrip("\r\n").split(",")]
    return [h.strip().lstrip("\ufeff").strip() for h in names]


def csv_layout_names() -> list[str]:
    """The names of the registered CSV layouts, in detection order."""
    return [lay.name for lay in layouts.layouts() if isinstance(lay, CsvLayout)]


def detect_csv_dialect(header: list[str], *, mapping: ColumnMapping | None = None) -> str | None:
    """The name of the CSV layout whose header this is (``mapped`` when nothing else matches and
    ``mapping`` is given), or None when it is not a known layout (see :mod:`shipwatch.readers.layouts`)."""
    layout = layouts.csv_layout(header, mapping=mapping)
    return layout.name if layout is not None else None


# --- reading -----------------------------------------------------------------------------------
def read_csv(
    path: str | Path,
    *,
    source_file: str | None = None,
    dialect: str | None = None,
    mapping: ColumnMapping | None = None,
    batch_rows: int | None = None,
    source_file_dtype: pl.DataType | None = None,
    fast: bool = False,
    quoting: bool = True,
) -> Iterator[pl.DataFrame]:
    """Read an AIS CSV file as canonical frames, in batches of about ``batch_rows`` rows.

    Parameters
    ----------
    path : str or Path
        An uncompressed CSV file.
    source_file : str, optional
        Value of the ``source_file`` column (default: ``str(path)``).
    dialect : str, optional
        A CSV layout's name (:func:`csv_layout_names`); detected from the header when omitted.
    mapping : ColumnMapping, optional
        Required for the ``mapped`` layout (used when the header matches no known layout).
    batch_rows : int, optional
        Rows per yielded frame (default :data:`BATCH_ROWS`); memory stays bounded by a few batches.
    source_file_dtype : pl.DataType, optional
        Type of the ``source_file`` column (default String); an Enum holding ``source_file`` saves
        repeating the name's text on every row.
    fast : bool, default False
        Layouts with a fast plan (MarineCadastre): let the CSV parser read the numbers itself (faster). Strict: a
        value it cannot parse, or a malformed line, raises :class:`FastPathError`.
    quoting : bool, default True
        Whether ``"`` quotes fields (standard CSV). With False, quotes are ordinary characters (a
        field quoted whole loses its quotes, doubled ones undoubled): for a file in which a stray
        quote opens a field that never closes, or stray quotes joined lines (:class:`QuotingError`).
        A row with half a quoted field (the stray quote, or part of a quoted field holding a comma
        or a line break) is then rejected as "a quote that never closes".

    Yields
    ------
    pl.DataFrame
        Canonical columns plus ``reason`` (null for rows the reader found nothing wrong with). A line
        with more fields than the header (an unquoted comma inside a name, say) is rejected as
        "too many fields", never read shifted.

    Raises
    ------
    UnknownLayoutError, MappingError, UnreadableFileError
        :class:`QuotingError` (an UnreadableFileError) when a quote never closes, and
        :class:`FastPathError` when the fast path stops: batches may have been yielded already, so a
        caller reading again (with ``quoting=False``, or without ``fast``) must drop them.
    """
    source_file = str(path) if source_file is None else source_file
    header = read_header(path, name=source_file)
    if dialect is None:
        layout = layouts.csv_layout(header, mapping=mapping)
    else:
        layout = layouts.get(dialect)
        if not isinstance(layout, CsvLayout):
            raise ValueError(f"{dialect!r} is not a CSV layout; expected one of {', '.join(csv_layout_names())}")
    if layout is None or (layout.needs_mapping and mapping is None):
        raise UnknownLayoutError(unknown_layout_message(source_file, header))
    file = CsvFile(Path(path), source_file, header, mapping)
    fast = fast and layout.fast_plan is not None
    plan = layout.fast_plan(file) if fast and layout.fast_plan is not None else layout.plan(file)
    chunk = batch_rows or BATCH_ROWS
    out = _query(path, header, source_file, plan, source_file_dtype, quoting=quoting)
    try:
        for batch in out.collect_batches(chunk_size=chunk):
            if quoting and (batch[REASON] == Reason.LINE_BREAK_IN_FIELD).any():
                raise QuotingError(
                    f"{source_file}: a field holds a line break (stray quotes joined lines); "
                    "read it with quotes as ordinary characters, or fix the lines"
                )
            yield batch
    except pl.exceptions.PolarsError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        if fast:
            raise FastPathError(
                f"{source_file}: the fast CSV path stopped ({first}); read it as text"
            ) from err
        if quoting and ("not properly escaped" in str(err) or "malformed" in str(err)):
            raise QuotingError(
                f'{source_file}: a quote (") opens a field that never closes; '
                "read it with quotes as ordinary characters, or fix the line"
            ) from err
        raise UnreadableFileError(
            f"{source_file}: not readable as CSV ({first}); check that it is an AIS CSV file"
        ) from err


_EXTRA = "__extra_field"
_UNCLOSED = "__unclosed_quote"


def _scan(
    path: str | Path, header: list[str], typed: dict[str, pl.DataType], *, quoting: bool
) -> pl.LazyFrame:
    """The file's data lines with the header's names (spaces and BOM removed), ``typed`` columns
    parsed by the reader, all others text, plus a row index from 1 and ``__extra_field``: the first
    field beyond the header's, which a line with too many fields fills."""
    names: list[str] = []
    taken: set[str] = set()  # a set and a counter per name: thousands of empty names stay linear
    next_i: dict[str, int] = {}
    for name in header:  # duplicate names as polars gives them
        n, i = name, next_i.get(name, 0)
        while n in taken:
            n, i = f"{name}_duplicated_{i}", i + 1
        next_i[name] = i
        names.append(n)
        taken.add(n)
    lf = pl.scan_csv(
        path,
        has_header=False,
        skip_lines=1,  # the header line as it is, whatever quotes it holds
        schema={**{n: typed.get(n, pl.String()) for n in names}, _EXTRA: pl.String()},
        truncate_ragged_lines=True,
        raise_if_empty=False,
        quote_char='"' if quoting else None,
        encoding="utf8-lossy",
        row_index_name=_ROW,
        row_index_offset=1,
    )
    if not quoting:
        # A field with an opening quote and no closing one, or an odd closing one, is half of a broken
        # quoted field (its row is rejected); a field quoted whole loses its quotes (doubled ones
        # undoubled); other quotes are text.
        text = pl.col(pl.String)
        opens, closes = text.str.starts_with('"'), text.str.ends_with('"')
        odd = text.str.count_matches('"', literal=True) % 2 == 1
        half = (opens & ~closes) | (closes & ~opens & odd) | (text == '"')
        quoted = opens & closes & (text.str.len_bytes() >= 2)
        inner = text.str.slice(1, text.str.len_bytes() - 2).str.replace_all('""', '"', literal=True)
        lf = lf.with_columns(pl.any_horizontal(half).fill_null(False).alias(_UNCLOSED)).with_columns(
            pl.when(quoted).then(inner).otherwise(text)
        )
    return lf


def _query(
    path: str | Path,
    header: list[str],
    source_file: str,
    plan: Plan,
    source_file_dtype: pl.DataType | None = None,
    *,
    quoting: bool = True,
) -> pl.LazyFrame:
    """The lazy query turning the CSV file into canonical columns plus ``reason``."""
    lf = _scan(path, header, plan.typed, quoting=quoting)
    types = lf.collect_schema()
    data_cols = [n for n in types.names() if n not in (_ROW, _UNCLOSED)]
    used = {
        name
        for e in [*plan.exprs.values(), *plan.raw.values(), plan.given, plan.shifted]
        for name in e.meta.root_names()
    }
    text_cols = [n for n in data_cols if types[n] == pl.String and n in used]
    # blank lines (every field empty) are not rows; the test is a column of the select, filtered after it: as a
    # filter on the scan polars pushes it into the CSV reader, where it took seconds for a header of ~1,000 names
    has_data = pl.any_horizontal(pl.col(data_cols).is_not_null()).alias("__has_data")

    canon = {
        name: plan.exprs.get(name, pl.lit(None)).cast(dtype, strict=False).alias(name)
        for name, dtype in schema.CANONICAL.items()
        if name not in (SOURCE_FILE, SOURCE_ROW)
    }
    staged = lf.select(
        *canon.values(),
        pl.lit(source_file, dtype=source_file_dtype or pl.String()).alias(SOURCE_FILE),
        pl.col(_ROW).cast(pl.Int64).alias(SOURCE_ROW),
        *(e.alias(f"__raw_{k}") for k, e in plan.raw.items()),
        plan.given.cast(pl.String).alias("__given"),
        (pl.col(_EXTRA).is_not_null() | plan.shifted).alias("__too_many"),
        pl.any_horizontal(pl.col(text_cols).str.contains("\n", literal=True))
        .fill_null(False)
        .alias("__break"),
        (pl.col(_UNCLOSED) if _UNCLOSED in types else pl.lit(False)).alias("__unclosed"),
        has_data,
    ).filter(pl.col("__has_data"))

    def bad(key: str) -> pl.Expr:
        if key not in plan.raw:
            return pl.lit(False)
        return pl.col(f"__raw_{key}").is_not_null() & pl.col(key).is_null()

    reason = (
        pl.when(pl.col("__break"))
        .then(pl.lit(Reason.LINE_BREAK_IN_FIELD))
        .when(pl.col("__unclosed"))
        .then(pl.lit(Reason.UNCLOSED_QUOTE))
        .when(pl.col("__too_many"))
        .then(pl.lit(Reason.TOO_MANY_FIELDS))
        .when(pl.col("__given").is_not_null())
        .then(pl.col("__given"))
        .when(bad(MMSI))
        .then(pl.lit(Reason.UNPARSEABLE_MMSI))
        .when(bad(TIMESTAMP))
        .then(pl.lit(Reason.UNPARSEABLE_TIME))
        .when(bad(LAT) | bad(LON))
        .then(pl.lit(Reason.UNPARSEABLE_POSITION))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias(REASON)
    )
    out = staged.select(*schema.COLUMNS, reason)
    return plan.finish(out) if plan.finish is not None else out


def unknown_layout_message(source_file: str, header: list[str]) -> str:
    """The one-line message for a CSV whose header matches no known layout."""
    shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
    return (
        f"{source_file}: unknown AIS layout (columns: {shown}); "
        "give a column mapping, e.g. --map time=<col>,mmsi=<col>,lat=<col>,lon=<col>"
    )
