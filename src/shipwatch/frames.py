"""The one entry check: what the public functions accept as tables, turned into polars.

shipwatch computes in polars; analysts hand it what they have. :func:`to_polars` accepts a polars
DataFrame or LazyFrame, a pandas DataFrame, a GeoPandas GeoDataFrame or a pyarrow Table, and
:func:`as_positions` checks that a table of positions has what detection needs, saying what it received
and what to do (modelled on geopandas ``tools/sjoin.py::_basic_checks``).

A GeoDataFrame's point geometry gives ``lon``/``lat``; it must be in EPSG:4326.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from shipwatch import schema as s
from shipwatch.errors import InputError
from shipwatch.times import parse_iso_utc

#: What :func:`to_polars` accepts, for type hints (pandas and geopandas stay optional imports).
TableLike = Any

_KEYS = (s.MMSI, s.TIMESTAMP, s.LAT, s.LON)


def _kind(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__.split('.')[0]}.{cls.__name__}"


def _from_geodataframe(gdf: Any, what: str) -> pl.DataFrame:
    geom = gdf.geometry
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise InputError(
            f"{what}: the GeoDataFrame's CRS is {gdf.crs}, expected EPSG:4326 (longitude/latitude); "
            "use gdf.to_crs(4326)"
        )
    kinds = set(geom.geom_type.dropna().unique())
    if kinds - {"Point"}:
        raise InputError(f"{what}: expected point geometry, got {', '.join(sorted(kinds))}")
    plain = gdf.drop(columns=[gdf.geometry.name])
    df = pl.from_pandas(plain)
    empty = geom.isna() | geom.is_empty
    x = geom.x.where(~empty)
    y = geom.y.where(~empty)
    return df.with_columns(
        pl.Series(s.LON, x.to_numpy(), dtype=pl.Float64).fill_nan(None),
        pl.Series(s.LAT, y.to_numpy(), dtype=pl.Float64).fill_nan(None),
    )


def to_polars(data: TableLike, *, what: str = "table") -> pl.DataFrame:
    """``data`` as a polars DataFrame (no copy when it already is one).

    Parameters
    ----------
    data
        polars DataFrame or LazyFrame, pandas DataFrame, GeoDataFrame (points in EPSG:4326; the geometry
        becomes ``lon``/``lat``), or pyarrow Table.
    what
        Name of the argument, for the error message.

    Raises
    ------
    InputError
        For anything else, or a GeoDataFrame that is not points in EPSG:4326.
    """
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    module = type(data).__module__.split(".")[0]
    if module == "geopandas":
        return _from_geodataframe(data, what)
    if module == "pandas":
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return pl.from_pandas(data.reset_index(drop=True))
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(data, pa.Table | pa.RecordBatch):
            out = pl.from_arrow(data)
            assert isinstance(out, pl.DataFrame)
            return out
    raise InputError(
        f"{what} should be a polars, pandas or GeoPandas DataFrame or a pyarrow Table, got {_kind(data)}"
    )


def as_positions(data: TableLike, *, what: str = "positions") -> pl.DataFrame:
    """A table of AIS positions in the canonical schema (:mod:`shipwatch.schema`), whatever it came as.

    Needs ``mmsi``, ``timestamp`` (UTC; naive times are taken as UTC), ``lat`` and ``lon`` (or a point
    geometry); other canonical columns are optional, extra columns are dropped. Times become
    ``datetime[us, UTC]``.

    Raises
    ------
    InputError
        Naming the columns received and those needed.
    """
    df = to_polars(data, what=what)
    missing = [c for c in _KEYS if c not in df.columns]
    if missing:
        shown = ", ".join(df.columns[:12]) + (", ..." if df.width > 12 else "")
        raise InputError(
            f"{what} lack column(s) {', '.join(missing)}: got a table with columns [{shown}]; "
            f"detection needs {', '.join(_KEYS)} (or a point geometry for lat/lon), see shipwatch.schema"
        )
    t = df.schema[s.TIMESTAMP]
    if isinstance(t, pl.Datetime):
        ts = pl.col(s.TIMESTAMP)
        ts = ts.dt.convert_time_zone(s.UTC) if t.time_zone else ts.dt.replace_time_zone(s.UTC)
        df = df.with_columns(ts.cast(s.TIME_DTYPE))
    elif t == pl.String:
        parsed = parse_iso_utc(pl.col(s.TIMESTAMP).str.strip_chars())
        bad = df.filter(pl.col(s.TIMESTAMP).is_not_null() & parsed.is_null())
        if bad.height:
            raise InputError(
                f"{what}: {bad.height} timestamp(s) are not ISO 8601 times, e.g. {bad[s.TIMESTAMP][0]!r}; "
                "convert them to UTC datetimes first"
            )
        df = df.with_columns(parsed)
    else:
        raise InputError(f"{what}: column timestamp is {t}, expected datetimes (UTC)")
    if df.schema == s.CANONICAL_SCHEMA:
        return df
    return s.conform(df)


def with_columns_of(df: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """``df`` restricted to ``columns``, in that order and with those types (missing ones null)."""
    return df.select(
        pl.col(c).cast(t) if c in df.columns else pl.lit(None, dtype=t).alias(c) for c, t in columns.items()
    )
