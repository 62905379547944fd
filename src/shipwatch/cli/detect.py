"""``shipwatch detect``: port visits, gaps, dark transits and the monthly summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shipwatch.cli._report import print_run
from shipwatch.pipeline import run


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "detect",
        help="detect port visits, AIS gaps and dark transits",
        description="Detect port visits, AIS gaps and dark transits in AIS files, folders or a shipwatch store, "
        "and write port_visits.csv, gaps.csv, dark_transits.csv, sightings.csv, monthly_summary.csv and run.json.",
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="raw AIS files/folders, or a store made by 'shipwatch ingest'",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument(
        "--sightings", metavar="FILE", help="imagery sightings CSV (observed_at, lat, lon[, length_m, ...])"
    )
    p.add_argument("--ports", metavar="FILE", help="port polygons GeoJSON (default: bundled data/ports)")
    p.add_argument("--config", metavar="FILE", help="TOML file overriding detection thresholds")
    p.add_argument("--since", metavar="DATE", help="ignore positions before this UTC date/time")
    p.add_argument("--until", metavar="DATE", help="ignore positions from this UTC date/time on")
    p.add_argument(
        "--map", dest="mapping", metavar="SPEC", help="column mapping for CSVs of an unknown layout"
    )
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="run the buckets of vessels here (local, default) or on a Dask cluster (needs shipwatch[dask])",
    )
    p.add_argument(
        "--workers", type=int, metavar="N", help="worker processes of a local Dask cluster (default 2)"
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler (tcp://host:8786)"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    result, manifest = run(
        args.paths,
        args.out,
        sightings=args.sightings,
        ports=args.ports,
        config=args.config,
        since=args.since,
        until=args.until,
        mapping=args.mapping,
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
    )
    print_run(result, manifest, Path(args.out), stream=sys.stdout)
    return 0
