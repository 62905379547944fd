"""``shipwatch demo``: the whole pipeline on the bundled sample."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shipwatch.cli._report import print_run
from shipwatch.cli.summary import summary_text
from shipwatch.errors import InputError
from shipwatch.pipeline import run
from shipwatch.resources import SAMPLE_DIR, SAMPLE_SIGHTINGS
from shipwatch.summary import read_reference


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole pipeline on the bundled Aug 2023 - Feb 2024 sample",
        description="Run ingest + detection on the bundled simulated sample (data/sample_ais) with its imagery "
        "sightings, write the results and print the monthly table beside published counts.",
    )
    p.add_argument(
        "--out", default="shipwatch-demo", metavar="DIR", help="output folder (default ./shipwatch-demo)"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    days = sorted(SAMPLE_DIR.glob("AIS_*.csv.gz"))
    if not days:
        raise InputError(f"{SAMPLE_DIR}: no sample AIS files; regenerate them with 'make sample'")
    out = Path(args.out)
    result, manifest = run(days, out, sightings=SAMPLE_SIGHTINGS if SAMPLE_SIGHTINGS.exists() else None)
    print_run(result, manifest, out, stream=sys.stdout, table=False)
    print()
    print(summary_text(result.monthly_summary, read_reference()))
    return 0
