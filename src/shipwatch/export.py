"""Writing result tables: deterministic CSV, safe to open in a spreadsheet.

Vessel names and other text come from the air and are attacker-controlled: a cell starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` so that no spreadsheet
runs it as a formula. Times are written as UTC ISO 8601 (``2023-10-14T02:31:00Z``).
"""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

import polars as pl

from shipwatch.errors import InputError

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


def write_error(path: str | Path, err: OSError) -> InputError:
    """The one-line error for a write that failed: the path and the cause in plain words."""
    cause = {
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "disk full",
        errno.EDQUOT: "disk quota exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder",
        errno.ENAMETOOLONG: "name too long",
    }.get(err.errno, err.strerror or type(err).__name__)
    return InputError(f"{path}: cannot write ({cause}); choose another --out or free some space")


def safe_name(text: str, *, default: str = "unnamed", limit: int = 100) -> str:
    """``text`` (a vessel name, a config value) made safe as one file name: no path separators, no
    ``..``, no control characters, no leading dot or dash, at most ``limit`` characters.

    Examples
    --------
    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    >>> safe_name("MV SEÑORA/2")
    'MV_SEÑORA_2'
    >>> safe_name("..")
    'unnamed'
    """
    name = re.sub(r"[^\w.\-]+", "_", str(text), flags=re.UNICODE)
    name = re.sub(r"\.{2,}", "_", name).strip("._-")
    name = re.sub(r"_+", "_", name)[:limit].strip("._-")
    return name or default


def _atomic(path: Path, write) -> Path:
    """Write through a temporary name beside ``path`` then rename: a reader never sees half a file, and a
    failed write leaves nothing behind (the temporary is removed)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise write_error(path, err) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_csv(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as a deterministic, spreadsheet-safe CSV (atomically; one-line error on failure)."""
    table = for_csv(df)
    return _atomic(Path(path), lambda tmp: table.write_csv(tmp, line_terminator="\n"))


def write_json(data: Any, path: str | Path) -> Path:
    """Write JSON with sorted keys and a trailing newline (atomically; one-line error on failure)."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    return _atomic(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet(df: pl.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """Write Parquet atomically (one-line error on failure)."""
    return _atomic(Path(path), lambda tmp: df.write_parquet(tmp, **kwargs))


def write_parquet_lazy(lf: pl.LazyFrame, path: str | Path, **kwargs: Any) -> Path:
    """Stream a LazyFrame to Parquet atomically (bounded memory; one-line error on failure)."""
    return _atomic(Path(path), lambda tmp: lf.sink_parquet(tmp, **kwargs))
