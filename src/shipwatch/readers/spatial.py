"""Read AIS points from columnar and spatial files: Parquet, GeoPackage and GeoJSON.

Columns are recognised by name, case- and punctuation-insensitively (``# Timestamp`` = ``timestamp``,
``call_sign`` = ``CallSign``), which covers the canonical schema, NOAA MarineCadastre (up to 2024 and
2025+) and Danish Maritime Authority (DMA) names, plus the renamed DMA columns seen in movingpandas
samples (``t``, ``NavStatus``, ``ShipType``). Values are parsed, not validated: sentinels such as lat 91,
lon 181, SOG 102.3, COG 360 and heading 511 stay as numbers for validation to handle. Zero IMO, ship
type, length, width and draught mean "not available" and become null. Naive times are UTC; DMA text
navigational statuses and ship types become ITU codes (a ship-type category maps to its first code,
e.g. ``Tanker`` -> 80).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import pyogrio.errors
import shapely

from shipwatch import schema
from shipwatch.errors import InputError, MappingError, UnknownLayoutError, UnreadableFileError
from shipwatch.readers.arrow_batches import require_unique_names, to_polars
from shipwatch.readers.dma_codes import NAV_STATUS_TEXT, SHIP_TYPE_TEXT

__all__ = ["read_geo", "read_parquet"]

# Canonical column -> accepted source names, normalised (lower case, letters and digits only), by priority.
_ALIASES: dict[str, tuple[str, ...]] = {
    schema.MMSI: ("mmsi",),
    schema.TIMESTAMP: ("timestamp", "basedatetime", "datetime", "time", "t"),
    schema.LAT: ("lat", "latitude"),
    schema.LON: ("lon", "longitude"),
    schema.SOG: ("sog",),
    schema.COG: ("cog",),
    schema.HEADING: ("heading",),
    schema.NAV_STATUS: ("navstatus", "navigationalstatus", "status"),
    schema.VESSEL_NAME: ("vesselname", "name", "shipname"),
    schema.IMO: ("imo",),
    schema.CALLSIGN: ("callsign",),
    schema.SHIP_TYPE: ("shiptype", "vesseltype"),
    schema.LENGTH_M: ("lengthm", "length"),
    schema.WIDTH_M: ("widthm", "width"),
    schema.DRAUGHT_M: ("draughtm", "draught", "draft"),
    schema.TRANSCEIVER: ("transceiver", "transceiverclass", "typeofmobile"),
}

_POINT_LAYER_TYPES = ("Point", "Point Z", "Point M", "Point ZM", "Unknown", "Unknown (any)")
_WGS84 = (None, "", "EPSG:4326", "OGC:CRS84")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _layout(
    fields: Mapping[str, pa.DataType],
    source_file: str,
    required: tuple[str, ...],
    mapping: Mapping[str, str] | None,
) -> dict[str, str]:
    """Canonical column -> source column, from names (and an explicit ``mapping``, which wins)."""
    by_norm: dict[str, list[str]] = {}
    for name in fields:
        by_norm.setdefault(_norm(name), []).append(name)
    found: dict[str, str] = {}
    for canon, aliases in _ALIASES.items():
        names = [n for a in aliases for n in by_norm.get(a, ())]
        if canon == schema.TIMESTAMP:  # prefer a column that is already a time (DMA gpkg: t vs Timestamp)
            names.sort(key=lambda n: not pa.types.is_timestamp(fields[n]))
            names = [n for n in names if n != "t" or pa.types.is_timestamp(fields[n])]
        if names:
            found[canon] = names[0]
    for canon, src in (mapping or {}).items():
        if canon not in schema.CANONICAL or canon in (schema.SOURCE_FILE, schema.SOURCE_ROW):
            raise MappingError(f"{source_file}: --map names unknown column {canon!r}; "
                               f"known: {', '.join(list(_ALIASES))}")
        if src not in fields:
            raise MappingError(f"{source_file}: --map {canon}={src}: no column {src!r}; "
                               f"found: {', '.join(fields)}")
        found[canon] = src
    missing = [c for c in required if c not in found]
    if missing:
        raise UnknownLayoutError(
            f"{source_file}: columns match no known AIS layout (no {', '.join(missing)} column); "
            f"found columns: {', '.join(fields) or '(none)'}. Pass --map to say which column is which."
        )
    return found


# -- value conversion -------------------------------------------------------------------------------
def _str(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.String).str.strip_chars()


def _time(e: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        naive = dtype.time_zone is None
        e = e.dt.replace_time_zone(schema.UTC) if naive else e.dt.convert_time_zone(schema.UTC)
        return e.cast(schema.TIME_DTYPE)
    if isinstance(dtype, pl.Date):
        return e.cast(pl.Datetime("us")).dt.replace_time_zone(schema.UTC)
    if dtype.is_numeric():  # epoch seconds, or milliseconds when >= 1e11
        v = e.cast(pl.Float64)
        us = pl.when(v.abs() >= 1e11).then(v * 1e3).otherwise(v * 1e6)
        return us.round().cast(pl.Int64, strict=False).cast(schema.TIME_DTYPE)
    s = _str(e).str.replace("T", " ", literal=True).str.strip_suffix("Z")
    kw = {"strict": False, "time_unit": "us", "time_zone": schema.UTC}
    return pl.coalesce(
        s.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", **kw),  # ISO, MarineCadastre
        s.str.to_datetime("%d/%m/%Y %H:%M:%S%.f", **kw),  # DMA, day first
    )


def _number(e: pl.Expr, dtype: pl.DataType, out: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        e = _str(e)
    return e.cast(out, strict=False)


def _not_zero(e: pl.Expr) -> pl.Expr:
    return pl.when(e == 0).then(None).otherwise(e)


def _text(e: pl.Expr) -> pl.Expr:
    s = _str(e).str.strip_chars_end("@ ")
    return pl.when(s == "").then(None).otherwise(s)


def _code(e: pl.Expr, dtype: pl.DataType, out: pl.DataType, names: dict[str, int]) -> pl.Expr:
    if dtype != pl.String:
        return e.cast(out, strict=False)
    s = _str(e)
    return pl.coalesce(s.cast(out, strict=False),
                       s.str.to_lowercase().replace_strict(names, default=None, return_dtype=out))


def _readable(dtype: pl.DataType) -> bool:
    """Whether a source column of ``dtype`` can hold an AIS value: a number, text, a time or nothing."""
    return (dtype.is_numeric() or dtype in (pl.String, pl.Boolean, pl.Null, pl.Date, pl.Categorical)
            or isinstance(dtype, pl.Datetime | pl.Enum))


def _convert(df: pl.DataFrame, cols: Mapping[str, str], where: str) -> pl.DataFrame:
    """Source columns -> canonical columns (not conformed yet); a source column of another type (binary that is
    not text, a list, a struct: a damaged or foreign file) is a one-line error."""
    exprs = []
    for canon, src in cols.items():
        e, dtype = pl.col(src), df.schema[src]
        if not _readable(dtype):
            raise UnreadableFileError(f"{where}: column {src!r} ({canon}) holds {dtype}, not numbers, text or times; "
                                      "check the file, or name another column with --map")
        if dtype == pl.Categorical or isinstance(dtype, pl.Enum):
            e, dtype = e.cast(pl.String), pl.String()
        if canon == schema.TIMESTAMP:
            e = _time(e, dtype)
        elif canon == schema.MMSI:
            e = _number(e, dtype, pl.Int64())
        elif canon == schema.IMO:
            if dtype == pl.String:  # MarineCadastre: "IMO9179842"
                e = _str(e).str.replace(r"^(?i)imo\s*", "")
            e = _not_zero(e.cast(pl.Int64, strict=False))
        elif canon in (schema.VESSEL_NAME, schema.CALLSIGN):
            e = _text(e)
        elif canon == schema.NAV_STATUS:
            e = _code(e, dtype, pl.Int8(), NAV_STATUS_TEXT)
        elif canon == schema.SHIP_TYPE:
            e = _not_zero(_code(e, dtype, pl.Int16(), SHIP_TYPE_TEXT))
        elif canon == schema.TRANSCEIVER:
            e = _str(e).str.to_uppercase().str.extract(r"^(?:CLASS\s*)?([AB])$")
        elif canon in (schema.LENGTH_M, schema.WIDTH_M, schema.DRAUGHT_M):
            e = _not_zero(_number(e, dtype, pl.Float64()))
        else:
            e = _number(e, dtype, pl.Float64())
        exprs.append(e.alias(canon))
    return df.select(exprs)


def _finish(df: pl.DataFrame, source_file: str, first_row: int) -> pl.DataFrame:
    return schema.conform(
        df.with_columns(
            pl.lit(source_file, dtype=pl.String()).alias(schema.SOURCE_FILE),
            pl.int_range(first_row, first_row + df.height, dtype=pl.Int64()).alias(schema.SOURCE_ROW),
        )
    )


# -- Parquet ----------------------------------------------------------------------------------------
def read_parquet(
    path: str | os.PathLike[str],
    source_file: str,
    *,
    batch_size: int = 100_000,
    mapping: Mapping[str, str] | None = None,
) -> Iterator[pl.DataFrame]:
    """Stream a Parquet file of AIS positions as canonical batches.

    Reads record batches with pyarrow, only the columns needed, so the file is never whole in memory.

    Parameters
    ----------
    path
        The Parquet file.
    source_file
        Name recorded in ``source_file`` and used in error messages.
    batch_size
        Maximum rows per yielded DataFrame.
    mapping
        Optional explicit columns, canonical name -> source column (from ``--map``); wins over names.

    Yields
    ------
    polars.DataFrame
        Canonical columns (degrees, knots, metres, UTC); ``source_row`` is the 1-based row in the file.

    Raises
    ------
    UnreadableFileError
        Not a readable Parquet file.
    UnknownLayoutError
        No MMSI, time, latitude or longitude column could be recognised.
    MappingError
        ``mapping`` names an unknown canonical column or a column the file lacks.
    """
    try:
        pf = pq.ParquetFile(path)
    # UnicodeDecodeError: pyarrow decodes a damaged footer's column names as UTF-8
    except (OSError, pa.ArrowException, UnicodeDecodeError) as err:
        raise UnreadableFileError(f"{source_file}: not a readable Parquet file: {err}") from err
    with pf:
        arrow_schema = pf.schema_arrow
        fields = {f.name: f.type for f in arrow_schema}
        cols = _layout(fields, source_file, (schema.MMSI, schema.TIMESTAMP, schema.LAT, schema.LON), mapping)
        row = 1
        try:
            batches = pf.iter_batches(batch_size=max(1, batch_size), columns=sorted(set(cols.values())))
            for batch in batches:
                # BYTE_ARRAY columns without the UTF-8 annotation (older Spark and Hive writers) are text
                df = to_polars(batch, where=source_file, row=row, binary_as_text=True)
                yield _finish(_convert(df, cols, source_file), source_file, row)
                row += batch.num_rows
        except (OSError, pa.ArrowException, UnicodeDecodeError) as err:
            raise UnreadableFileError(f"{source_file}: cannot read Parquet data: {err}") from err


# -- GeoPackage / GeoJSON ---------------------------------------------------------------------------
def read_geo(
    path: str | os.PathLike[str],
    source_file: str,
    *,
    batch_size: int = 100_000,
    mapping: Mapping[str, str] | None = None,
) -> Iterator[pl.DataFrame]:
    """Stream the point layers of a GeoPackage or GeoJSON file as canonical batches.

    Position comes from the point geometry (lon = x, lat = y, degrees WGS84); attribute columns give the
    rest. Every layer with geometry is read, in file order; tables without geometry are ignored.

    Parameters
    ----------
    path
        The ``.gpkg`` / ``.geojson`` file (anything GDAL reads as vector data).
    source_file
        Name recorded in ``source_file`` and used in error messages.
    batch_size
        Maximum rows per yielded DataFrame.
    mapping
        Optional explicit columns, canonical name -> source column (from ``--map``); wins over names.

    Yields
    ------
    polars.DataFrame
        Canonical columns; ``source_row`` is the 1-based feature number, counted across layers.

    Raises
    ------
    UnreadableFileError
        GDAL cannot open the file.
    InputError
        A layer has non-point geometry, or a CRS other than WGS84 longitude/latitude (EPSG:4326).
    UnknownLayoutError
        No MMSI or time attribute could be recognised.
    """
    try:
        layers = pyogrio.list_layers(path)
    # UnicodeDecodeError: pyogrio decodes names (of layers, of fields) as UTF-8; a damaged file has others
    except (pyogrio.errors.DataSourceError, OSError, UnicodeDecodeError) as err:
        raise UnreadableFileError(f"{source_file}: GDAL cannot open it as vector data: {err}") from err
    row = 1
    for name, geometry_type in layers:
        if geometry_type is None:
            continue
        if geometry_type not in _POINT_LAYER_TYPES:
            raise InputError(f"{source_file}: layer {name!r} has {geometry_type} geometry; AIS positions "
                             "must be a Point layer")
        try:
            with pyogrio.open_arrow(path, layer=name, use_pyarrow=True, batch_size=max(1, batch_size)) as (
                meta, reader
            ):
                crs = meta.get("crs")
                if crs not in _WGS84:
                    raise InputError(f"{source_file}: layer {name!r} is in {crs}; reproject it to "
                                     "EPSG:4326 (WGS84 longitude/latitude) first")
                for batch in reader:
                    yield _geo_batch(batch, meta, name, source_file, row, mapping)
                    row += batch.num_rows
        # OSError: GDAL's SQLite reports a damaged file mid-read ("database disk image is malformed")
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, UnicodeDecodeError) as err:
            raise UnreadableFileError(f"{source_file}: cannot read layer {name!r}: {err}") from err


def _geo_batch(
    batch: pa.RecordBatch,
    meta: dict[str, object],
    layer: str,
    source_file: str,
    first_row: int,
    mapping: Mapping[str, str] | None,
) -> pl.DataFrame:
    where = f"{source_file}: layer {layer!r}"
    require_unique_names(batch, where=where)
    geom_name = str(meta.get("geometry_name") or "wkb_geometry")
    if geom_name not in batch.schema.names:
        geom_name = batch.schema.names[-1]
    # a geometry that is not WKB (a corrupt file) is missing: its row is rejected, counted
    geoms = shapely.from_wkb(batch.column(geom_name).to_numpy(zero_copy_only=False), on_invalid="ignore")
    kinds = shapely.get_type_id(geoms)
    bad = (kinds != shapely.GeometryType.POINT) & (kinds != shapely.GeometryType.MISSING)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{source_file}: layer {layer!r} feature {first_row + i} is a "
                         f"{geoms[i].geom_type}; AIS positions must be points")
    attrs = batch.drop_columns([geom_name])
    fields = {f.name: f.type for f in attrs.schema}
    cols = _layout(fields, source_file, (schema.MMSI, schema.TIMESTAMP), mapping)
    cols = {c: s for c, s in cols.items() if c not in (schema.LAT, schema.LON)}
    df = to_polars(attrs, where=where, row=first_row)
    x = shapely.get_x(geoms)
    y = shapely.get_y(geoms)
    return _finish(
        _convert(df, cols, where).with_columns(
            pl.Series(schema.LON, x, dtype=pl.Float64).fill_nan(None),
            pl.Series(schema.LAT, y, dtype=pl.Float64).fill_nan(None),
        ),
        source_file,
        first_row,
    )
