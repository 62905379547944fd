"""``shipwatch report``: the self-contained HTML report of one period, from a TOML config (cron-friendly)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from shipwatch.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write the self-contained HTML report of a period, as a config describes it",
        description="Ingest (when a store is configured), detect and write OUT/<period>/report.html with its "
        "figures, exports and manifest, atomically, and point OUT/latest at it. Exit 0 ok, 1 ok but "
        "data-quality warnings over the config's thresholds, 2 bad config or input.",
    )
    p.add_argument("--config", required=True, metavar="FILE", help="the report config (TOML)")
    p.add_argument("--as-of", metavar="DATE", help="run date for relative periods (default today UTC)")
    p.add_argument("--quiet", action="store_true", help="no output on success (warnings and errors still go to stderr)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from shipwatch.report.build import main_log, run_report

    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError as err:
            raise ConfigError(f"--as-of must be a date like 2023-11-05, got {args.as_of!r}") from err
    outcome = run_report(args.config, as_of=as_of, log=main_log(args.quiet))
    for w in outcome.warnings:
        print(f"shipwatch report: warning: {w}", file=sys.stderr)
    if not args.quiet:
        state = "unchanged" if outcome.unchanged else "written"
        print(f"{outcome.folder / 'report.html'} ({state}, {outcome.seconds:.1f} s)", file=sys.stderr)
    return outcome.exit_code
