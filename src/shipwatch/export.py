"""Writing result tables: deterministic CSV, safe to open in a spreadsheet.

Vessel names and other text come from the air and are attacker-controlled: a cell starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` so that no spreadsheet
runs it as a formula. Times are written as UTC ISO 8601 (``2023-10-14T02:31:00Z``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FLOAT_DECIMALS = 6


def neutralize(expr: pl.Expr) -> pl.Expr:
    """Prefix text that a spreadsheet would treat as a formula with a single quote."""
    return pl.when(expr.str.contains(r"^[=+\-@\t\r]")).then(pl.lit("'") + expr).otherwise(expr)


def for_csv(df: pl.DataFrame) -> pl.DataFrame:
    """The table with text neutralized, times as ISO 8601 UTC and floats rounded."""
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(neutralize(col).alias(name))
        elif isinstance(dtype, pl.Datetime):
            tz = col.dt.convert_time_zone("UTC") if dtype.time_zone else col
            exprs.append(tz.dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(name))
        elif dtype in (pl.Float32, pl.Float64):
            exprs.append(col.round(FLOAT_DECIMALS).alias(name))
        elif isinstance(dtype, pl.List):
            exprs.append(col.cast(pl.List(pl.String)).list.join(";").alias(name))
        else:
            exprs.append(col)
    return df.select(exprs)


def write_csv(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as a deterministic, spreadsheet-safe CSV."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for_csv(df).write_csv(path, line_terminator="\n")
    return path


def write_json(data: Any, path: str | Path) -> Path:
    """Write JSON with sorted keys and a trailing newline."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return path
