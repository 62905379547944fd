"""""`shipwatch ingest PATH... --store DIR [--map SPEC] [--report FILE.json]`.

Exit codes: 0 done; 1 done, but with a warning on stderr (files found in a folder that are not AIS
were skipped, or every row read was rejected); 2 unusable input (a missing or unreadable file named
on the command line, an unknown layout, a bad --map).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shipwatch.export import write_error, write_json
from shipwatch.ingest import IngestReport, ingest

MAX_FILES_SHOWN = 10
MAX_REASONS_SHOWN = 5


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``ingest`` command to the ``shipwatch`` parser."""
    p = sub.add_parser(
        "ingest",
        help="read AIS files (CSV, NMEA, Parquet, GeoPackage; .gz/.zst/.zip) into a Parquet store",
        description="Read every AIS file given (files or directories) into one clean, partitioned Parquet "
        "store, without losing a row: each row read is accepted, rejected (kept with its reason under "
        "STORE/rejects/) or counted as an exact duplicate.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="AIS files or directories (searched recursively)")
    p.add_argument("--store", required=True, metavar="DIR", help="store directory (created if new)")
    p.add_argument(
        "--map",
        metavar="SPEC",
        help="column mapping for CSV files of unknown layout: time=COL,mmsi=COL,lat=COL,lon=COL"
        "[,time_format=%%d/%%m/%%Y %%H:%%M][,tz=Europe/Copenhagen] or a TOML file with those keys; "
        "id=COL instead of mmsi=COL keys vessels by an id that is not an MMSI (no MMSI rules, no flag)",
    )
    p.add_argument("--report", metavar="FILE.json", help="also write the row accounting as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handler of ``shipwatch ingest``; returns the exit code."""
    if args.report:
        _check_writable(Path(args.report))  # before the store is touched, not after
    bar = _progress_bar()
    try:
        report = ingest(args.paths, args.store, mapping=args.map, progress=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()
    if args.report:
        write_json(report.to_dict(), args.report)
    print(summary(report))
    warnings = ingest_warnings(report)
    for line in warnings:
        print(f"shipwatch ingest: warning: {line}", file=sys.stderr)
    return 1 if warnings else 0


def _check_writable(path: Path) -> None:
    """Raise the one-line write error now if ``path`` cannot be created (a file left untouched if it exists)."""
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as err:
        raise write_error(path, err).with_traceback(None) from err
    if not existed:
        path.unlink(missing_ok=True)


def ingest_warnings(report: IngestReport) -> list[str]:
    """One line per thing the user should look at (the ingest then exits 1): files skipped as not AIS,
    and an ingest in which every row read was rejected."""
    out = []
    if report.skipped:
        n = len(report.skipped)
        first = report.skipped[0]
        out.append(
            f"skipped {n} file{'s' if n != 1 else ''} that {'are' if n != 1 else 'is'} not AIS "
            f"(first: {first.path}: {first.reason}); see the summary or --report"
        )
    if report.rows_read and report.rows_rejected == report.rows_read:
        top = next(iter(report.rejected_by_reason), "")
        out.append(
            f"every one of the {report.rows_read:,} rows read was rejected (most often: {top}); "
            "check the input files or the --map columns"
        )
    return out


class _Bar:
    """A tqdm bar on stderr that shows only on a terminal and only after 2 s."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._rows = tqdm(
            desc="reading", unit=" rows", unit_scale=True, delay=2, file=sys.stderr, leave=False
        )

    def update(self, unit: str, n: int) -> None:
        if unit == "rows":
            self._rows.update(n)
        else:
            self._rows.set_description("merging", refresh=False)

    def close(self) -> None:
        self._rows.close()


def _progress_bar() -> _Bar | None:
    return _Bar() if sys.stderr.isatty() else None


def summary(report: IngestReport) -> str:
    """The one-screen summary printed at the end of an ingest."""
    n = len(report.files)
    lines = [
        f"ingested {n} file{'s' if n != 1 else ''} into {report.store}",
        f"  rows read   {report.rows_read:>12,}",
        f"  accepted    {report.rows_accepted:>12,}",
        f"  rejected    {report.rows_rejected:>12,}",
        f"  duplicate   {report.rows_duplicate:>12,}",
    ]
    if report.rejected_by_reason:
        lines.append("top reject reasons:")
        for reason, count in list(report.rejected_by_reason.items())[:MAX_REASONS_SHOWN]:
            lines.append(f"  {count:>12,}  {reason}")
        if len(report.rejected_by_reason) > MAX_REASONS_SHOWN:
            lines.append(
                f"  ... {len(report.rejected_by_reason) - MAX_REASONS_SHOWN} more reasons (see --report)"
            )
    lines.append("files:")
    for f in report.files[:MAX_FILES_SHOWN]:
        note = "  (already ingested: same content)" if f.already_ingested else ""
        if f.note:
            note += f"  ({f.note})"
        lines.append(f"  {f.dialect:<20} {f.rows:>12,} rows  {f.path}{note}")
    if n > MAX_FILES_SHOWN:
        lines.append(f"  ... {n - MAX_FILES_SHOWN} more files (see --report)")
    if report.skipped:
        lines.append("skipped (not read):")
        for f in report.skipped[:MAX_FILES_SHOWN]:
            lines.append(f"  {f.path}  ({f.reason})")
        if len(report.skipped) > MAX_FILES_SHOWN:
            lines.append(f"  ... {len(report.skipped) - MAX_FILES_SHOWN} more skipped (see --report)")
    if report.rows_rejected:
        lines.append(f"rejected rows and their reasons are in {Path(str(report.store)) / 'rejects'}")
    return "\n".join(lines)
