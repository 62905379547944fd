"""``shipwatch detect``: port visits, gaps, dark transits and the monthly summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shipwatch import quality
from shipwatch.cli._report import print_run
from shipwatch.pipeline import run
from shipwatch.sightings import read_sightings
from shipwatch.times import to_utc


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
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Handler of ``shipwatch detect``: exit 0, or 1 when a warning was printed (the outputs are written)."""
    start, end = to_utc(args.since), to_utc(args.until)
    quality.check_period(start, end)
    result, manifest = run(
        args.paths,
        args.out,
        sightings=args.sightings,
        ports=args.ports,
        config=args.config,
        since=args.since,
        until=args.until,
        mapping=args.mapping,
    )
    print_run(result, manifest, Path(args.out), stream=sys.stdout)
    warnings = detect_warnings(result, manifest, args, start, end)
    for line in warnings:
        print(f"shipwatch detect: warning: {line}", file=sys.stderr)
    return 1 if warnings else 0


def detect_warnings(result, manifest: dict, args: argparse.Namespace, start, end) -> list[str]:
    """One line per result that was computed but is probably not what the user wanted."""
    out: list[str] = []
    acc = manifest.get("row_accounting") or {}
    skipped = acc.get("skipped") or []
    if skipped:
        n = len(skipped)
        out.append(
            f"skipped {n} file{'s' if n != 1 else ''} that {'are' if n != 1 else 'is'} not AIS "
            f"(first: {skipped[0]['path']}: {skipped[0]['reason']})"
        )
    if acc.get("rows_read") and acc.get("rows_rejected") == acc.get("rows_read"):
        out.append(f"every one of the {acc['rows_read']:,} rows read was rejected; check the input or --map")
    tracks = result.tracks
    for line in (
        quality.no_watch_port(result.ports),
        quality.window_empty(tracks, start, end),
        quality.far_from_ports(tracks, result.ports),
    ):
        if line:
            out.append(line)
    if args.sightings and tracks.height:
        _, outside = quality.sightings_outside(
            read_sightings(args.sightings),
            tracks["timestamp"].min(),
            tracks["timestamp"].max(),
            context_days=result.settings.gaps.context_days,
        )
        if line := quality.sightings_warning(outside, tracks["timestamp"].min(), tracks["timestamp"].max()):
            out.append(line)
    return out
