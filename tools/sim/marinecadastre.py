"""Write a canonical AIS table as NOAA MarineCadastre (≤ 2024) daily CSV files, reproducibly.

One file per UTC day, ``AIS_YYYY_MM_DD.csv.gz``, with the 17-column MarineCadastre header, ISO
times, ``IMO`` prefixed to IMO numbers, rows only roughly time-ordered (like the real files).
Gzip members carry mtime 0 and no file name, and floats are written in their shortest form, so
the same table always gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import polars as pl

from shipwatch import schema
from shipwatch.readers.layouts.marinecadastre import MARINECADASTRE_HEADER

HEADER = list(MARINECADASTRE_HEADER)


def write_gzip_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` gzip-compressed (level 9, mtime 0, no embedded file name) to ``path``."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    path.write_bytes(buf.getvalue())


def to_marinecadastre(df: pl.DataFrame) -> pl.DataFrame:
    """The canonical table as MarineCadastre string columns (one row per report)."""

    def num(col: str, digits: int) -> pl.Expr:
        return pl.col(col).round(digits).cast(pl.String)

    def integer(col: str) -> pl.Expr:
        return pl.col(col).round(0).cast(pl.Int64).cast(pl.String)

    return df.select(
        pl.col(schema.MMSI).cast(pl.String).alias("MMSI"),
        pl.col(schema.TIMESTAMP).dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime"),
        num(schema.LAT, 5).alias("LAT"),
        num(schema.LON, 5).alias("LON"),
        num(schema.SOG, 1).alias("SOG"),
        num(schema.COG, 1).alias("COG"),
        integer(schema.HEADING).fill_null("511").alias("Heading"),
        pl.col(schema.VESSEL_NAME).alias("VesselName"),
        pl.when(pl.col(schema.IMO).is_not_null())
        .then(pl.lit("IMO") + pl.col(schema.IMO).cast(pl.String))
        .alias("IMO"),
        pl.col(schema.CALLSIGN).alias("CallSign"),
        pl.col(schema.SHIP_TYPE).cast(pl.String).alias("VesselType"),
        pl.col(schema.NAV_STATUS).cast(pl.String).alias("Status"),
        integer(schema.LENGTH_M).alias("Length"),
        integer(schema.WIDTH_M).alias("Width"),
        num(schema.DRAUGHT_M, 1).alias("Draft"),
        pl.col(schema.SHIP_TYPE).cast(pl.String).alias("Cargo"),
        pl.col(schema.TRANSCEIVER).alias("TransceiverClass"),
    )


def write_daily_files(df: pl.DataFrame, out_dir: Path, *, seed: int) -> list[Path]:
    """Write ``df`` (canonical) as one gzip CSV per UTC day in ``out_dir``; return the paths written.

    Within a day rows are ordered by 10-minute bucket and, inside a bucket, in a seeded random
    order: close to time order, never strictly sorted, always the same for the same ``seed``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    df = df.sort([schema.TIMESTAMP, schema.MMSI])
    df = df.with_columns(
        (pl.col(schema.TIMESTAMP).dt.epoch("s") // 600).alias("_bucket"),
        pl.Series("_shuffle", rng.permutation(df.height)),
        pl.col(schema.TIMESTAMP).dt.date().alias("_day"),
    ).sort(["_bucket", "_shuffle"])
    paths = []
    for (day,), part in df.group_by("_day", maintain_order=True):
        path = out_dir / f"AIS_{day:%Y_%m_%d}.csv.gz"
        text = to_marinecadastre(part).write_csv(quote_style="necessary", line_terminator="\n")
        write_gzip_bytes(path, text.encode("utf-8"))
        paths.append(path)
    return paths
