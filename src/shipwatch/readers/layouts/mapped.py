"""Any other CSV, through an explicit column mapping (``mapped``, the ``--map`` fallback).

Tried last, and only when a :class:`~shipwatch.readers.mapping.ColumnMapping` is given and the file
is text with more than one column. The time column is read as ``time_format`` says (a ``strftime``
pattern, ``epoch`` or ``epoch_ms``), or inferred, and checked against the first 1000 rows of the file
so that a wrong format fails at once with a clear message instead of rejecting every row.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xxhash

from shipwatch import schema
from shipwatch.errors import MappingError
from shipwatch.readers.layouts import CsvFile, CsvLayout, register
from shipwatch.readers.mapping import ColumnMapping
from shipwatch.readers.plan import Plan, f64, integer, text
from shipwatch.schema import LAT, LON, MMSI, TIMESTAMP, VESSEL_NAME
from shipwatch.times import US_PER_SECOND

__all__ = ["MAPPED", "vessel_key", "vessel_keys"]


def _time(path: str | Path, source_file: str, mapping: ColumnMapping) -> pl.Expr:
    """The time expression of a mapped file, checked against the first rows of the file."""
    col = mapping.columns[TIMESTAMP]
    raw = text(col)
    fmt = mapping.time_format
    if fmt in ("epoch", "epoch_ms"):
        scale = US_PER_SECOND if fmt == "epoch" else US_PER_SECOND // 1000  # microseconds per unit
        micros = (f64(raw) * scale).round(0).cast(pl.Int64, strict=False)
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


_KEY_SPAN = schema.VESSEL_KEY_END - schema.VESSEL_KEY_BASE


def vessel_key(vessel_id: str) -> int:
    """The stable ``mmsi`` key of a vessel id that is not an MMSI (see :mod:`shipwatch.readers.mapping`).

    >>> vessel_key("1"), vessel_key("ever-given") == vessel_key("ever-given")
    (1000000001, True)
    """
    text_id = vessel_id.strip()
    # ASCII digits only ("²".isdigit() is true), and no more than the span has (int() refuses 4,300 digits)
    if text_id.isascii() and text_id.isdigit() and len(text_id) <= len(str(_KEY_SPAN)) and int(text_id) < _KEY_SPAN:
        return schema.VESSEL_KEY_BASE + int(text_id)
    return schema.VESSEL_KEY_BASE + xxhash.xxh64_intdigest(text_id.encode()) % _KEY_SPAN


def vessel_keys(ids: pl.Series) -> pl.Series:
    """:func:`vessel_key` of a column of ids (worked out once per distinct id)."""
    distinct = ids.drop_nulls().unique()
    table = {v: vessel_key(v) for v in distinct.to_list()}
    return ids.replace_strict(table, default=None, return_dtype=pl.Int64)


def _plan(f: CsvFile) -> Plan:
    mapping = f.mapping
    if mapping is None:  # pragma: no cover - the registry picks this layout only with a mapping
        raise MappingError(f"{f.source_file}: the mapped layout needs a column mapping (--map)")
    mapping.check_header(f.header, f.source_file)
    cols = mapping.columns
    p = Plan()
    if mapping.id_column is not None:
        p.raw = {MMSI: text(mapping.id_column), **{k: text(cols[k]) for k in (TIMESTAMP, LAT, LON)}}
        p.exprs[MMSI] = p.raw[MMSI].map_batches(vessel_keys, return_dtype=pl.Int64, is_elementwise=True)
        if VESSEL_NAME not in cols:  # a hashed id keeps its text
            p.exprs[VESSEL_NAME] = pl.when(p.raw[MMSI].cast(pl.Int64, strict=False).is_null()).then(p.raw[MMSI])
    else:
        p.raw = {k: text(cols[k]) for k in (MMSI, TIMESTAMP, LAT, LON)}
    p.exprs[TIMESTAMP] = _time(f.path, f.source_file, mapping)
    for canon, src in cols.items():
        if canon == TIMESTAMP:
            continue
        dtype = schema.CANONICAL[canon]
        if dtype == pl.String():
            p.exprs[canon] = text(src)
        elif dtype.is_integer():
            p.exprs[canon] = integer(text(src).str.strip_prefix("IMO"), dtype)
        else:
            p.exprs[canon] = f64(text(src))
    return p


MAPPED = register(
    CsvLayout(name="mapped", matches=lambda header: len(header) > 1, plan=_plan, priority=1000, needs_mapping=True)
)
