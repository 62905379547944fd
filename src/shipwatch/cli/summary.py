"""``shipwatch summary``: the monthly table of a detection run, beside published counts."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from shipwatch.cli._report import monthly_table
from shipwatch.cli._table import render
from shipwatch.errors import InputError
from shipwatch.summary import compare_published, read_reference


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "summary",
        help="print the monthly table of a detect run beside published counts",
        description="Print monthly_summary.csv of a 'shipwatch detect' output folder and, for published counts "
        "whose period the run covers, the detected total beside the published one.",
    )
    p.add_argument(
        "out_dir", metavar="OUT_DIR", help="output folder of 'shipwatch detect' or 'shipwatch demo'"
    )
    p.add_argument("--reference", metavar="FILE", help="published counts CSV (default: data/reference)")
    p.set_defaults(handler=handle)


def load_summary(out_dir: str | Path) -> pl.DataFrame:
    """Read ``monthly_summary.csv`` from a detect output folder."""
    path = Path(out_dir) / "monthly_summary.csv"
    if not path.exists():
        raise InputError(f"{path}: not found; run 'shipwatch detect ... --out {out_dir}' first")
    return pl.read_csv(path, schema_overrides={"month": pl.String})


def summary_text(summary: pl.DataFrame, reference: pl.DataFrame) -> str:
    """The monthly table, then published counts beside detected totals."""
    cmp = compare_published(summary, reference)
    return (
        "monthly summary:\n"
        + monthly_table(summary)
        + "\n\npublished counts beside detected totals (detected '-' = not comparable or period not covered):\n"
        + render(cmp.select("source", "published", "detected", "metric", "port", "period", "what"))
    )


def handle(args: argparse.Namespace) -> int:
    print(summary_text(load_summary(args.out_dir), read_reference(args.reference)))
    return 0
