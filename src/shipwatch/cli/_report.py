"""What the CLI prints after a detection run."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import polars as pl

from shipwatch.cli._table import render
from shipwatch.detection import Detection

HEADLINE = [
    "month",
    "port",
    "dark_calls",
    "dark_calls_confirmed",
    "dark_calls_possible",
    "dark_arrivals",
    "unidentified_calls",
    "vessels",
]


def monthly_table(summary: pl.DataFrame) -> str:
    """The monthly summary, one line per month and port."""
    return render(summary.select([c for c in HEADLINE if c in summary.columns]), max_rows=200)


def print_run(result: Detection, manifest: dict, out: Path, *, stream: TextIO, table: bool = True) -> None:
    """One screen: what was read, what was found, where it was written, the monthly table."""
    st = result.stats
    evidence = dict(st["dark_transits"]) if st["dark_transits"] else {}
    matches = dict(st["sightings"]) if st["sightings"] else {}
    print(
        f"positions: {st['positions']:,} from {st['vessels']:,} vessels "
        f"({st['cleaning']['teleports_removed']} teleports removed, "
        f"{len(st['cleaning']['shared_mmsis'])} shared MMSIs flagged)",
        file=stream,
    )
    print(f"port visits: {st['port_visits']:,}   gaps: {st['gaps']:,} ({st['gaps_open']} open)", file=stream)
    print(
        "dark transits: "
        + ", ".join(f"{evidence.get(k, 0)} {k}" for k in ("confirmed", "probable", "possible")),
        file=stream,
    )
    if matches:
        print("sightings: " + ", ".join(f"{v} {k}" for k, v in sorted(matches.items())), file=stream)
    if table:
        print(f"\nmonthly summary ({out / 'monthly_summary.csv'}):", file=stream)
        print(monthly_table(result.monthly_summary), file=stream)
    print(
        f"\nwrote {', '.join(manifest['outputs'])} and run.json to {out} "
        f"in {manifest['timings_s']['total']:.1f} s",
        file=stream,
    )
