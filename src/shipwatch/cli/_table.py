"""Plain-text tables for the terminal."""

from __future__ import annotations

import polars as pl


def render(df: pl.DataFrame, *, max_rows: int = 60) -> str:
    """A fixed-width table with a header rule; numbers right-aligned, nulls as ``-``."""
    cols = df.columns
    rows = [["-" if v is None else str(v) for v in r] for r in df.head(max_rows).iter_rows()]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
    numeric = [df.schema[c].is_numeric() for c in cols]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        )

    out = [line(cols), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
    if df.height > max_rows:
        out.append(f"... {df.height - max_rows} more rows")
    return "\n".join(s.rstrip() for s in out)
