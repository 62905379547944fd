"""``shipwatch export``: a run folder's tables as GeoJSON, KML, GeoPackage or GeoParquet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shipwatch.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    from shipwatch.geoexport import FORMATS, TABLES

    p = sub.add_parser(
        "export",
        help="export dark transits, gaps, port visits, sightings and tracks as GeoJSON/KML/GPKG/GeoParquet",
        description="Write <table>.<ext> for " + ", ".join(TABLES) + " of a run folder (EPSG:4326), "
        "one row per CSV row; KML opens in Google Earth.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder (with run.json)")
    p.add_argument("--format", dest="fmt", required=True, choices=list(FORMATS), help="output format")
    p.add_argument("--out", metavar="DIR", help="output folder (default RUN_DIR)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from shipwatch.geoexport import export
    from shipwatch.results import read_results

    run_dir = Path(args.run_dir)
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: not a folder; give the folder written by 'shipwatch detect --out'")
    det = read_results(run_dir)
    for path in export(det, Path(args.out) if args.out else run_dir, fmt=args.fmt):
        print(f"wrote {path}", file=sys.stdout)
    return 0
