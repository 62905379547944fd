"""``shipwatch map``: the transit map (PNG), the interactive map (HTML) and the monthly chart of a run folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shipwatch.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "map",
        help="draw the transit map (PNG + offline HTML) and the monthly chart of a run folder",
        description="Draw RUN_DIR/transit_map.png (A4, for a brief), RUN_DIR/transit_map.html (one offline file, "
        "Leaflet inlined) and RUN_DIR/monthly_chart.png from a folder written by 'shipwatch detect' or 'demo'.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder (with run.json)")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="the PNG to write (the HTML goes beside it, .html); default RUN_DIR/transit_map.png",
    )
    p.add_argument("--transit", metavar="ID", help="draw one dark transit zoomed in (a transit_id)")
    p.add_argument("--bbox", metavar="W,S,E,N", help="map extent in degrees, e.g. 130,41.8,133.5,43.3")
    p.add_argument(
        "--tiles",
        metavar="URL",
        help="web-tile URL template for the HTML map "
        "(the only network access it then makes), e.g. https://tile.example/{z}/{x}/{y}.png",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from shipwatch.maps import describe_source, save_map, save_monthly, write_html
    from shipwatch.maps.layers import parse_bbox, transit_row
    from shipwatch.results import read_manifest, read_results

    run_dir = Path(args.run_dir)
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: not a folder; give the folder written by 'shipwatch detect --out'")
    bbox = parse_bbox(args.bbox)
    source = describe_source(read_manifest(run_dir))
    det = read_results(run_dir)
    if args.transit is not None:
        transit_row(det, args.transit)  # an unknown id fails before anything is written
    png = Path(args.out) if args.out else run_dir / "transit_map.png"
    if png.suffix.lower() != ".png":
        png = png.with_suffix(".png")
    written = [
        save_map(det, png, bbox=bbox, transit_id=args.transit, source=source),
        write_html(
            det, png.with_suffix(".html"), bbox=bbox, transit_id=args.transit, tiles=args.tiles, source=source
        ),
        save_monthly(det, png.parent / "monthly_chart.png"),
    ]
    for path in written:
        print(f"wrote {path}", file=sys.stdout)
    return 0
