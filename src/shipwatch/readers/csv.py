"""CSV dialects of public AIS data, recognised from the header, read in streaming batches.

Dialects (see ``docs/domain.md`` §4):

``marinecadastre``
    NOAA MarineCadastre ≤ 2024: ``MMSI,BaseDateTime,LAT,LON,...`` (any subset holding those four),
    ISO times ``YYYY-MM-DDTHH:MM:SS`` in UTC, IMO as ``IMO9307839``.
``marinecadastre-2025``
    lowercase ``mmsi,base_date_time,longitude,latitude,...``, times ``YYYY-MM-DD HH:MM:SS``.
``dma``
    Danish Maritime Authority ``# Timestamp,Type of mobile,MMSI,...`` (22 or 26 columns), day-first
    times, text navigational status and ship type, single-space fields, base stations and AtoN.
``satellite``
    exactEarth/Spire export: ~139 quoted columns, ``Time`` ``YYYYMMDD_HHMMSS`` plus ``Millisecond``.
``mapped``
    any other CSV, through an explicit :class:`~shipwatch.readers.mapping.ColumnMapping`.

Columns are read as text and converted with polars expressions, so one bad value never stops a
file: a value present but unconvertible in a key column gives the row a reason ("unparseable MMSI",
"unparseable timestamp", "unparseable position"); in other columns it becomes null. Lines without
any value (blank lines) are not data rows.

A line with more fields than the header (an unquoted comma inside a name) is rejected as "too many
fields", and so is a MarineCadastre line whose values sit in columns they cannot belong to (a
number as the transceiver class, a call-sign-like word as the IMO: a shift the field count misses when the
last field is empty). A field holding a line break (AIS text never does: stray quotes joined lines)
rejects its row, which keeps the joined text. ``fast`` reads MarineCadastre numbers with the CSV
parser itself, strictly; ``quoting=False`` reads a file whose quotes never close. Both may stop
mid-file; :func:`shipwatch.ingest.ingest` then drops what it staged and reads the file again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from shipwatch import schema
from shipwatch.errors import FastPathError, MappingError, QuotingError, UnreadableFileError
from shipwatch.readers.dma_codes import NAV_STATUS_TEXT, SHIP_TYPE_TEXT
from shipwatch.readers.mapping import ColumnMapping
from shipwatch.schema import (
    CALLSIGN,
    COG,
    DRAUGHT_M,
    HEADING,
    IMO,
    LAT,
    LENGTH_M,
    LON,
    MMSI,
    NAV_STATUS,
    REASON,
    SHIP_TYPE,
    SOG,
    SOURCE_FILE,
    SOURCE_ROW,
    TIMESTAMP,
    TRANSCEIVER,
    VESSEL_NAME,
    WIDTH_M,
)
from shipwatch.validate import Reason

MARINECADASTRE = "marinecadastre"
MARINECADASTRE_2025 = "marinecadastre-2025"
DMA = "dma"
SATELLITE = "satellite"
MAPPED = "mapped"
DIALECTS = (MARINECADASTRE, MARINECADASTRE_2025, DMA, SATELLITE, MAPPED)

#: The full NOAA MarineCadastre <= 2024 header (files may carry any subset with MMSI/BaseDateTime/LAT/LON).
MARINECADASTRE_HEADER = (
    "MMSI", "BaseDateTime", "LAT", "LON", "SOG", "COG", "Heading", "VesselName", "IMO", "CallSign",
    "VesselType", "Status", "Length", "Width", "Draft", "Cargo", "TransceiverClass",
)  # fmt: skip

#: Rows per batch yielded by :func:`read_csv`.
BATCH_ROWS = 1_000_000
_ROW = "__row"

_POSITION_MESSAGES = [1, 2, 3, 18, 19, 27]
_NOT_SHIP_MESSAGES = {
    4: "not a ship: base station report (message 4)",
    9: "not a ship: SAR aircraft report (message 9)",
    21: "not a ship: aid-to-navigation report (message 21)",
}


# --- header and detection ----------------------------------------------------------------------
def read_header(path: str | Path, name: str | None = None) -> list[str]:
    """The column names of a CSV file's first line (BOM and surrounding spaces removed); ``name``
    (default ``path``) names the file in error messages.

    Raises
    ------
    UnreadableFileError
        If the file cannot be opened, is empty, or its lines end in CR only (which the CSV parser
        does not split).
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
    line = raw.decode("utf-8", errors="replace")
    if not line.strip():
        raise UnreadableFileError(f"{name}: the file is empty or starts with a blank line; nothing to ingest")
    return read_header_line(line)


def read_header_line(line: str) -> list[str]:
    """Column names parsed from one header line (BOM and surrounding spaces removed)."""
    if not line.strip():
        return []
    return [h.strip().lstrip("\ufeff").strip() for h in next(csv.reader(io.StringIO(line)))]


def detect_csv_dialect(header: list[str]) -> str | None:
    """The dialect whose header this is, or None when it is not a known layout."""
    cols = set(header)
    if {"MMSI", "BaseDateTime", "LAT", "LON"} <= cols:
        return MARINECADASTRE
    if {"mmsi", "base_date_time", "latitude", "longitude"} <= cols:
        return MARINECADASTRE_2025
    if header and header[0].lstrip("#").strip() == "Timestamp" and {"MMSI", "Latitude", "Longitude"} <= cols:
        return DMA
    if {"MMSI", "Message_ID", "Time", "Millisecond", "Longitude", "Latitude"} <= cols:
        return SATELLITE
    return None


# --- expression helpers ------------------------------------------------------------------------
def _text(col: str) -> pl.Expr:
    """Text with surrounding spaces removed; empty or blank → null."""
    s = pl.col(col).str.strip_chars()
    return pl.when(s.str.len_bytes() > 0).then(s)


def _text_or_null(col: str, header: list[str]) -> pl.Expr:
    return _text(col) if col in header else pl.lit(None, dtype=pl.String)


def _f64(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.Float64, strict=False)


def _int(e: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Integer from text such as ``7`` or ``7.0`` (non-integral or bad values → null)."""
    f = _f64(e)
    return pl.when(f == f.round(0)).then(f).cast(dtype, strict=False)


def _naive_to_utc(e: pl.Expr, fmt: str, tz: str = schema.UTC) -> pl.Expr:
    t = e.str.strptime(pl.Datetime("us"), fmt, strict=False, cache=False)  # cache: slower here
    if tz == schema.UTC:
        return t.dt.replace_time_zone(schema.UTC)
    return t.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
        schema.UTC
    )


class _Plan:
    """How one dialect turns raw text columns into canonical ones."""

    def __init__(self) -> None:
        self.exprs: dict[str, pl.Expr] = {}
        self.raw: dict[str, pl.Expr] = {}  # raw text of key columns, for "unparseable" reasons
        self.given: pl.Expr = pl.lit(None, dtype=pl.String)
        # Raw columns the CSV parser itself converts (fast path, strict).
        self.typed: dict[str, pl.DataType] = {}
        # True where values sit in columns they cannot belong to (a line with shifted fields).
        self.shifted: pl.Expr = pl.lit(False)


def _plan_marinecadastre(header: list[str], lower: bool, *, typed: bool = False) -> _Plan:
    names = dict(
        zip(
            [
                MMSI,
                TIMESTAMP,
                LAT,
                LON,
                SOG,
                COG,
                HEADING,
                VESSEL_NAME,
                IMO,
                CALLSIGN,
                SHIP_TYPE,
                NAV_STATUS,
                LENGTH_M,
                WIDTH_M,
                DRAUGHT_M,
                TRANSCEIVER,
            ],
            [
                "mmsi",
                "base_date_time",
                "latitude",
                "longitude",
                "sog",
                "cog",
                "heading",
                "vessel_name",
                "imo",
                "call_sign",
                "vessel_type",
                "status",
                "length",
                "width",
                "draft",
                "transceiver",
            ]
            if lower
            else [c for c in MARINECADASTRE_HEADER if c != "Cargo"],
            strict=True,
        )
    )
    if not lower and "TransceiverClass" not in header and "Transceiver" in header:
        names[TRANSCEIVER] = "Transceiver"
    p = _Plan()
    fmt = "%Y-%m-%d %H:%M:%S" if lower else "%Y-%m-%dT%H:%M:%S"
    # MMSI and position with surrounding spaces removed (as the CSV parser takes numbers, see typed).
    p.raw = {
        MMSI: _text(names[MMSI]),
        TIMESTAMP: pl.col(names[TIMESTAMP]),
        LAT: _text(names[LAT]),
        LON: _text(names[LON]),
    }
    p.exprs[TIMESTAMP] = _naive_to_utc(p.raw[TIMESTAMP], fmt)
    if typed:
        # Fast path: numbers parsed by the CSV reader itself, strictly (no ignore_errors: a value it
        # cannot parse, or a malformed line, stops the read, and the file is read again as text).
        # The time stays text (the reader's own datetime parsing is slower than strptime).
        p.typed = {names[MMSI]: pl.Int64()}
        for c in (LAT, LON, SOG, COG, HEADING, LENGTH_M, WIDTH_M, DRAUGHT_M, SHIP_TYPE, NAV_STATUS):
            if names[c] in header:
                p.typed[names[c]] = pl.Float64()
        p.raw = {TIMESTAMP: p.raw[TIMESTAMP]}  # parsed numbers cannot be "unparseable"
        p.exprs[MMSI] = pl.col(names[MMSI])
        p.exprs[LAT] = pl.col(names[LAT])
        p.exprs[LON] = pl.col(names[LON])
    else:
        p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
        p.exprs[LAT] = _f64(p.raw[LAT])
        p.exprs[LON] = _f64(p.raw[LON])

    def number(c: str) -> pl.Expr:  # parsed by the reader (fast path) or text with spaces removed
        return pl.col(names[c]) if names[c] in p.typed else _text(names[c])

    for c in (SOG, COG, HEADING, LENGTH_M, WIDTH_M, DRAUGHT_M):
        if names[c] in header:
            p.exprs[c] = _f64(number(c))
    for c in (VESSEL_NAME, CALLSIGN, TRANSCEIVER):
        if names[c] in header:
            p.exprs[c] = pl.col(names[c])
    if names[IMO] in header:
        p.exprs[IMO] = pl.col(names[IMO]).str.strip_prefix("IMO").cast(pl.Int64, strict=False)
    if names[SHIP_TYPE] in header:
        p.exprs[SHIP_TYPE] = _int(number(SHIP_TYPE), pl.Int16())
    if names[NAV_STATUS] in header:
        p.exprs[NAV_STATUS] = _int(number(NAV_STATUS), pl.Int8())
    # A line with an unquoted comma in a text field has its later fields shifted: when the last one
    # came out empty, the field count cannot tell, but values that cannot belong to a column can: a
    # number as the transceiver class, a call-sign-like word as the IMO (empty, "NA" or digits pass).
    shifted = []
    if names[TRANSCEIVER] in header:
        shifted.append(_f64(_text(names[TRANSCEIVER])).is_not_null())
    if not lower and names[IMO] in header:
        imo = pl.col(names[IMO])  # anchored patterns: most values are decided at their first letters
        shifted.append(
            imo.str.contains(r"^\s*[A-Za-z]") & ~imo.str.contains(r"^\s*(?i:imo|na\s*$|n/a|nan|null|none)")
        )
    if shifted:
        p.shifted = pl.any_horizontal(shifted).fill_null(False)
    return p


def _plan_dma(header: list[str]) -> _Plan:
    p = _Plan()
    time_col = header[0]
    p.raw = {MMSI: _text("MMSI"), TIMESTAMP: _text(time_col), LAT: _text("Latitude"), LON: _text("Longitude")}
    p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
    p.exprs[TIMESTAMP] = _naive_to_utc(p.raw[TIMESTAMP], "%d/%m/%Y %H:%M:%S")
    p.exprs[LAT] = _f64(p.raw[LAT])
    p.exprs[LON] = _f64(p.raw[LON])
    for c, src in ((SOG, "SOG"), (COG, "COG"), (HEADING, "Heading"), (DRAUGHT_M, "Draught")):
        if src in header:
            p.exprs[c] = _f64(_text(src))
    if "Navigational status" in header:
        p.exprs[NAV_STATUS] = (
            _text("Navigational status")
            .str.to_lowercase()
            .replace_strict(NAV_STATUS_TEXT, default=None, return_dtype=pl.Int8)
        )
    if "Ship type" in header:
        p.exprs[SHIP_TYPE] = (
            _text("Ship type")
            .str.to_lowercase()
            .replace_strict(SHIP_TYPE_TEXT, default=None, return_dtype=pl.Int16)
        )
    if "IMO" in header:
        p.exprs[IMO] = _text("IMO").cast(pl.Int64, strict=False)  # "Unknown" → null
    for c, src in ((CALLSIGN, "Callsign"), (VESSEL_NAME, "Name")):
        if src in header:
            p.exprs[c] = _text(src)
    dims = {c: _f64(_text(c)) for c in ("A", "B", "C", "D") if c in header}
    for c, src, pair in ((LENGTH_M, "Length", ("A", "B")), (WIDTH_M, "Width", ("C", "D"))):
        own = _f64(_text(src)) if src in header else pl.lit(None, dtype=pl.Float64)
        if all(d in dims for d in pair):
            own = pl.coalesce(own, dims[pair[0]] + dims[pair[1]])
        p.exprs[c] = own
    if "Type of mobile" in header:
        kind = _text("Type of mobile")
        p.exprs[TRANSCEIVER] = kind.replace_strict({"Class A": "A", "Class B": "B"}, default=None)
        p.given = pl.when(kind.is_not_null() & ~kind.is_in(["Class A", "Class B"])).then(
            pl.lit("not a ship: ") + kind + pl.lit(" (DMA type of mobile)")
        )
    return p


def _plan_satellite(header: list[str]) -> _Plan:
    def _text(col: str) -> pl.Expr:  # optional columns of the export read as null when absent
        return _text_or_null(col, header)

    p = _Plan()
    p.raw = {MMSI: _text("MMSI"), TIMESTAMP: _text("Time"), LAT: _text("Latitude"), LON: _text("Longitude")}
    ms = _f64(_text("Millisecond")).fill_null(0).cast(pl.Int64, strict=False)
    p.exprs[MMSI] = p.raw[MMSI].cast(pl.Int64, strict=False)
    p.exprs[TIMESTAMP] = _naive_to_utc(p.raw[TIMESTAMP], "%Y%m%d_%H%M%S") + pl.duration(milliseconds=ms)
    p.exprs[LAT] = _f64(p.raw[LAT])
    p.exprs[LON] = _f64(p.raw[LON])
    for c, src in ((SOG, "SOG"), (COG, "COG"), (HEADING, "Heading"), (DRAUGHT_M, "Draught")):
        p.exprs[c] = _f64(_text(src))
    p.exprs[NAV_STATUS] = _int(_text("Navigational_status"), pl.Int8())
    p.exprs[SHIP_TYPE] = _int(_text("Ship_Type"), pl.Int16())
    p.exprs[IMO] = _int(_text("IMO"), pl.Int64())
    p.exprs[VESSEL_NAME] = _text("Vessel_Name")
    p.exprs[CALLSIGN] = _text("Call_sign")
    p.exprs[LENGTH_M] = _f64(_text("Dimension_to_Bow")) + _f64(_text("Dimension_to_stern"))
    p.exprs[WIDTH_M] = _f64(_text("Dimension_to_port")) + _f64(_text("Dimension_to_starboard"))
    msg = _int(_text("Message_ID"), pl.Int64())
    p.exprs[TRANSCEIVER] = (
        pl.when(msg.is_in([1, 2, 3])).then(pl.lit("A")).when(msg.is_in([18, 19])).then(pl.lit("B"))
    )
    given = pl.when(msg.is_in(_POSITION_MESSAGES)).then(pl.lit(None, dtype=pl.String))
    for m, why in _NOT_SHIP_MESSAGES.items():
        given = given.when(msg == m).then(pl.lit(why))
    p.given = given.otherwise(pl.lit(Reason.NOT_POSITION))
    return p


def _mapped_time(path: str | Path, source_file: str, mapping: ColumnMapping) -> pl.Expr:
    """The time expression of a mapped file, checked against the first rows of the file."""
    col = mapping.columns[TIMESTAMP]
    raw = _text(col)
    fmt = mapping.time_format
    if fmt in ("epoch", "epoch_ms"):
        scale = 1_000_000 if fmt == "epoch" else 1_000
        micros = (_f64(raw) * scale).round(0).cast(pl.Int64, strict=False)
        return pl.from_epoch(micros, time_unit="us").dt.replace_time_zone(schema.UTC)
    if fmt is None:
        expr = raw.str.to_datetime(time_unit="us", strict=False)
    else:
        expr = raw.str.strptime(pl.Datetime("us"), fmt, strict=False)
    try:
        sample = pl.read_csv(path, infer_schema=False, n_rows=1000, columns=[col], encoding="utf8-lossy")
        try:
            parsed = sample.select(raw.alias("raw"), expr.alias("t"))
        except pl.exceptions.ComputeError:
            if fmt is not None:
                raise
            # ISO 8601 times carrying their offset ("...+02:00", "...Z"): parse them straight to UTC
            expr = raw.str.to_datetime(time_unit="us", time_zone=schema.UTC, strict=False)
            parsed = sample.select(raw.alias("raw"), expr.alias("t"))
    except (pl.exceptions.PolarsError, OSError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise MappingError(
            f"{source_file}: cannot read times from column {col!r} ({first}); add time_format=... to --map"
        ) from err
    present = parsed.filter(pl.col("raw").is_not_null())
    if present.height and present["t"].null_count() == present.height:
        how = f"time_format={fmt!r} matches" if fmt else "shipwatch cannot work out the time format of"
        raise MappingError(
            f"{source_file}: {how} none of the first values in column {col!r} (e.g. {present['raw'][0]!r}); "
            "give --map ...,time_format=<strftime pattern> (e.g. %d/%m/%Y %H:%M)"
        )
    dtype = parsed.schema["t"]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return expr.dt.convert_time_zone(schema.UTC)
    if mapping.tz == schema.UTC:
        return expr.dt.replace_time_zone(schema.UTC)
    return expr.dt.replace_time_zone(
        mapping.tz, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone(schema.UTC)


def _plan_mapped(path: str | Path, source_file: str, header: list[str], mapping: ColumnMapping) -> _Plan:
    mapping.check_header(header, source_file)
    cols = mapping.columns
    p = _Plan()
    p.raw = {k: _text(cols[k]) for k in (MMSI, TIMESTAMP, LAT, LON)}
    p.exprs[TIMESTAMP] = _mapped_time(path, source_file, mapping)
    for canon, src in cols.items():
        if canon == TIMESTAMP:
            continue
        dtype = schema.CANONICAL[canon]
        if dtype == pl.String():
            p.exprs[canon] = _text(src)
        elif dtype.is_integer():
            p.exprs[canon] = _int(_text(src).str.strip_prefix("IMO"), dtype)
        else:
            p.exprs[canon] = _f64(_text(src))
    return p


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
        One of :data:`DIALECTS`; detected from the header when omitted.
    mapping : ColumnMapping, optional
        Required for the ``mapped`` dialect (used when the header matches no known layout).
    batch_rows : int, optional
        Rows per yielded frame (default :data:`BATCH_ROWS`); memory stays bounded by a few batches.
    source_file_dtype : pl.DataType, optional
        Type of the ``source_file`` column (default String); an Enum holding ``source_file`` saves
        repeating the name's text on every row.
    fast : bool, default False
        MarineCadastre files only: let the CSV parser read the numbers itself (faster). Strict: a
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
    from shipwatch.errors import UnknownLayoutError

    source_file = str(path) if source_file is None else source_file
    header = read_header(path, source_file)
    if dialect is None:
        dialect = detect_csv_dialect(header) or (MAPPED if mapping is not None else None)
    if dialect is None:
        raise UnknownLayoutError(unknown_layout_message(source_file, header))
    if dialect == MAPPED:
        if mapping is None:
            raise UnknownLayoutError(unknown_layout_message(source_file, header))
        plan = _plan_mapped(path, source_file, header, mapping)
    elif dialect in (MARINECADASTRE, MARINECADASTRE_2025):
        plan = _plan_marinecadastre(header, lower=dialect == MARINECADASTRE_2025)
    elif dialect == DMA:
        plan = _plan_dma(header)
    elif dialect == SATELLITE:
        plan = _plan_satellite(header)
    else:
        raise ValueError(f"unknown CSV dialect {dialect!r}; expected one of {DIALECTS}")

    chunk = batch_rows or BATCH_ROWS
    fast = fast and dialect in (MARINECADASTRE, MARINECADASTRE_2025)
    if fast:
        plan = _plan_marinecadastre(header, lower=dialect == MARINECADASTRE_2025, typed=True)
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
    for name in header:  # duplicate names as polars gives them
        n, i = name, 0
        while n in names:
            n, i = f"{name}_duplicated_{i}", i + 1
        names.append(n)
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
    plan: _Plan,
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
    lf = lf.filter(pl.any_horizontal(pl.col(data_cols).is_not_null()))

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
    )

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
    return staged.select(*schema.COLUMNS, reason)


def unknown_layout_message(source_file: str, header: list[str]) -> str:
    """The one-line message for a CSV whose header matches no known layout."""
    shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
    return (
        f"{source_file}: unknown AIS layout (columns: {shown}); "
        "give a column mapping, e.g. --map time=<col>,mmsi=<col>,lat=<col>,lon=<col>"
    )
