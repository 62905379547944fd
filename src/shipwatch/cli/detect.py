"""``shipwatch detect``: port visits, gaps, dark transits and the monthly summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

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
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
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
    # A few numbers from the tracks, read lazily and streamed: a bucketed run's tracks are never all in memory.
    lf = result.tracks_lazy
    span = (
        lf.select(
            pl.len().alias("n"), pl.col("timestamp").min().alias("t0"), pl.col("timestamp").max().alias("t1")
        )
        .collect(engine="streaming")
        .row(0, named=True)
    )
    in_window = lf.select("timestamp")
    if start is not None:
        in_window = in_window.filter(pl.col("timestamp") >= start)
    if end is not None:
        in_window = in_window.filter(pl.col("timestamp") < end)
    window = in_window.head(1).collect(engine="streaming")
    if (start is not None or end is not None) and window.height == 0:
        where = (
            f"the data span {span['t0']:%Y-%m-%d} to {span['t1']:%Y-%m-%d}"
            if span["n"]
            else "no positions were read"
        )
        out.append(f"no positions in the period asked for (--since/--until); {where}")
    elif start is None and end is None and span["n"] == 0:
        out.append("no positions were read")
    if line := quality.no_watch_port(result.ports):
        out.append(line)
    chosen = [p for p in result.ports if p.role in ("watch", "destination")]
    if chosen and span["n"]:
        # only positions inside the ports' widened boxes can be near one; when none is, no position is
        near = lf.filter(pl.any_horizontal(_box(p, quality.NEAR_PORT_KM) for p in chosen)).select(
            "lat", "lon"
        )
        line = quality.far_from_ports(near.collect(engine="streaming"), result.ports, none_near_is_far=True)
        if line:
            out.append(line)
    if args.sightings and span["n"]:
        _, outside = quality.sightings_outside(
            read_sightings(args.sightings),
            span["t0"],
            span["t1"],
            context_days=result.settings.gaps.context_days,
        )
        if line := quality.sightings_warning(outside, span["t0"], span["t1"]):
            out.append(line)
    return out


def _box(port, margin_km: float) -> pl.Expr:
    """Positions inside a port's bounding box widened by ``margin_km`` (a cheap lazy prefilter)."""
    w, s, e, n = port.box(margin_km)
    return pl.col("lat").is_between(s, n) & pl.col("lon").is_between(w, e)
