"""Arrow record batches from untrusted files, made safe for polars.

pyarrow (Parquet) and pyogrio (GeoPackage, GeoJSON) hand over batches as a file describes them, and a damaged or
hostile file can describe what polars refuses with an exception or a Rust panic: text or metadata that is not
UTF-8, a column name twice, 256-bit decimals, time zones no database knows, unions (all found by ``make fuzz``,
docs/fuzzing.md). :func:`to_polars` is the one door from such a batch to a polars frame. It repairs what can be
repaired without changing a value:

- text that is not UTF-8 is decoded with replacement characters, as CSV text is;
- schema and field metadata are dropped (no reader uses them);
- a timestamp's time zone label becomes UTC (an Arrow timestamp with a zone holds UTC instants already);
- decimals become float64 (polars panics on 256-bit ones; every AIS number is a float or an integer here).

Whatever polars still refuses is one :class:`~shipwatch.errors.UnreadableFileError` naming the file and row.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from shipwatch.errors import UnreadableFileError

__all__ = ["require_unique_names", "to_polars"]


def to_polars(batch: pa.RecordBatch, *, where: str, row: int, binary_as_text: bool = False) -> pl.DataFrame:
    """``batch`` as a polars frame, repaired as the module says.

    Parameters
    ----------
    batch
        A record batch read from an input file.
    where
        The file (and layer) for messages.
    row
        The 1-based row of the batch's first row in the file, for messages.
    binary_as_text
        Read binary columns as text (repaired like any text): Parquet writers that leave out the UTF-8
        annotation store strings so.

    Raises
    ------
    UnreadableFileError
        A column name appears twice, or the batch is malformed beyond repair, or polars cannot hold a column's type.
    """
    require_unique_names(batch, where=where)
    try:
        df = pl.from_arrow(_utf8_text(_polars_types(_without_metadata(batch), binary_as_text=binary_as_text)))
    except (pa.ArrowException, pl.exceptions.PolarsError, pl.exceptions.PanicException) as err:
        raise UnreadableFileError(
            f"{where} is corrupt near row {row} ({err}); check the file or export it again"
        ) from err
    assert isinstance(df, pl.DataFrame)
    return df


def require_unique_names(batch: pa.RecordBatch, *, where: str) -> None:
    """Raise :class:`UnreadableFileError` when a column name appears twice (a damaged footer or table definition:
    polars refuses such a frame, and by name the two could not be told apart)."""
    names = batch.schema.names
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise UnreadableFileError(f"{where}: column {twice[0]!r} appears more than once; check the file or export it "
                                  "again")


def _without_metadata(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` without schema or field metadata, at every level of a nested type (polars panics on keys or
    values that are not UTF-8); no data is copied for flat columns."""
    if not batch.schema.metadata and not any(_has_metadata(f) for f in batch.schema):
        return batch
    plain = pa.schema([_plain_field(f) for f in batch.schema])
    columns = [c if c.type.equals(f.type, check_metadata=True) else c.cast(f.type)
               for c, f in zip(batch.columns, plain, strict=True)]
    return pa.RecordBatch.from_arrays(columns, schema=plain)


def _has_metadata(field: pa.Field) -> bool:
    """Whether ``field`` or a field nested in its type carries key-value metadata."""
    return bool(field.metadata) or any(_has_metadata(field.type.field(i)) for i in range(field.type.num_fields))


def _plain_field(field: pa.Field) -> pa.Field:
    """``field`` without metadata, at every level of a struct or list type."""
    t = field.type
    if t.num_fields and pa.types.is_struct(t):
        t = pa.struct([_plain_field(t.field(i)) for i in range(t.num_fields)])
    elif t.num_fields and (pa.types.is_list(t) or pa.types.is_large_list(t)):
        t = (pa.list_ if pa.types.is_list(t) else pa.large_list)(_plain_field(t.value_field))
    return pa.field(field.name, t, field.nullable)


def _polars_type(t: pa.DataType, *, binary_as_text: bool = False) -> pa.DataType | None:
    """The type a column of type ``t`` is cast to before polars sees it, or None to keep it."""
    if binary_as_text and (pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_binary_view(t)):
        return pa.string()
    if binary_as_text and pa.types.is_large_binary(t):
        return pa.large_string()
    if pa.types.is_timestamp(t) and t.tz is not None and t.tz != "UTC":
        return pa.timestamp(t.unit, tz="UTC")
    if pa.types.is_decimal(t):
        return pa.float64()
    if pa.types.is_dictionary(t):
        return _polars_type(t.value_type, binary_as_text=binary_as_text)  # decoded by the cast
    return None


def _polars_types(batch: pa.RecordBatch, *, binary_as_text: bool) -> pa.RecordBatch:
    """``batch`` with the columns :func:`_polars_type` names cast (a label, a width or a view of the same bytes:
    values are unchanged)."""
    casts = {i: _polars_type(c.type, binary_as_text=binary_as_text) for i, c in enumerate(batch.columns)}
    if all(t is None for t in casts.values()):
        return batch
    columns = [c if casts[i] is None else _cast(c, casts[i]) for i, c in enumerate(batch.columns)]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _cast(col: pa.Array, to: pa.DataType) -> pa.Array:
    """``col`` as type ``to``; bytes become text unchecked (:func:`_utf8_text` repairs what is not UTF-8)."""
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if pa.types.is_string(to) or pa.types.is_large_string(to):
        binary = pa.large_binary() if pa.types.is_large_string(to) else pa.binary()
        if pa.types.is_fixed_size_binary(col.type) or pa.types.is_binary_view(col.type):
            col = col.cast(binary)
        return col.view(to) if col.type == binary else col.cast(to)
    return col.cast(to, safe=False)


def _utf8_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with text that is not UTF-8 decoded with replacement characters (polars trusts Arrow strings and
    panics on such bytes); the batch returned is fully validated, and malformed offsets raise ``pa.ArrowInvalid``."""
    try:
        batch.validate(full=True)
        return batch
    except pa.ArrowInvalid:
        pass
    columns = []
    for col in batch.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            try:
                col.validate(full=True)
            except pa.ArrowInvalid:
                raw = col.view(pa.binary() if pa.types.is_string(col.type) else pa.large_binary())
                raw.validate(full=True)  # offsets in bounds: only the bytes are wrong
                # only a column that failed validation, in a damaged file: no Arrow kernel decodes lossily
                text = [None if v is None else v.decode("utf-8", "replace") for v in raw.to_pylist()]
                col = pa.array(text, type=col.type)
        columns.append(col)
    fixed = pa.RecordBatch.from_arrays(columns, schema=batch.schema)
    fixed.validate(full=True)
    return fixed
