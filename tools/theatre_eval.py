"""Scoring detection on simulated theatres with known truth (used by the tests and ``make evaluate``).

Detection never sees the truth: a theatre's positions (or its files, written in one of the layouts of
``sim.layouts`` and ingested like any AIS file) and its sightings go in; the truth is used only here, to
score what came out.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from shipwatch.ingest import load_positions
from shipwatch.pipeline import detect
from sim.layouts import write_positions
from sim.theatres import Theatre, make_theatre

STRONG = ("probable", "confirmed")


@dataclass
class Score:
    """Counts over one or more theatres (probable + confirmed Najin calls)."""

    true_calls: int = 0
    found: int = 0
    flagged: int = 0
    correct: int = 0
    confirmed: int = 0
    false_confirmed: int = 0
    confounder_flags: int = 0
    unidentified_errors: list[tuple[str, int, int]] = field(default_factory=list)  # (port, got, truth)

    def add(self, other: Score) -> None:
        for name in (
            "true_calls",
            "found",
            "flagged",
            "correct",
            "confirmed",
            "false_confirmed",
            "confounder_flags",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unidentified_errors += other.unidentified_errors

    @property
    def recall(self) -> float:
        return self.found / self.true_calls if self.true_calls else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.flagged if self.flagged else 1.0


def run_theatre(th: Theatre, layout: str | None = None):
    """Detect on a theatre, from its table (``layout`` None) or from files written in ``layout``."""
    if layout is None:
        return detect(th.positions, sightings=th.sightings)
    with tempfile.TemporaryDirectory(prefix="theatre-") as tmp:
        write_positions(th.positions, Path(tmp), layout)
        positions, _ = load_positions([tmp])
    return detect(positions, sightings=th.sightings)


def score(th: Theatre, res) -> Score:
    """Compare a detection with the theatre's truth."""
    sc = Score()
    dark = th.truth.filter(pl.col("dark"))
    sc.true_calls = dark.height
    strong = res.dark_transits.filter(pl.col("evidence").is_in(STRONG) & (pl.col("call_port") == "Najin"))
    hits = strong.join(dark.select("mmsi", "call_start", "call_end"), on="mmsi", how="inner").filter(
        (pl.col("call_start") >= pl.col("dark_start")) & (pl.col("call_end") <= pl.col("dark_end"))
    )
    sc.found = hits.select("mmsi", "call_start").unique().height
    sc.flagged = strong.height
    sc.correct = hits.select("transit_id").unique().height
    confirmed = strong.filter(pl.col("evidence") == "confirmed")
    sc.confirmed = confirmed.height
    sc.false_confirmed = confirmed.filter(~pl.col("transit_id").is_in(hits["transit_id"].implode())).height
    shuttles = dark["mmsi"].unique().implode()
    sc.confounder_flags = strong.filter(~pl.col("mmsi").is_in(shuttles)).height
    # imaged calls of vessels with no AIS at all are the only true unidentified calls
    truth_u = (
        th.sightings.join(th.sighting_truth, on="sighting_id")
        .filter(pl.col("mmsi").is_null())
        .join(res.sightings.select("sighting_id", "port"), on="sighting_id")
        .group_by("port")
        .agg(pl.col("ref").n_unique().alias("truth"))
    )
    got_u = res.monthly_summary.group_by("port").agg(pl.col("unidentified_calls").sum().alias("got"))
    both = got_u.join(truth_u, on="port", how="full", coalesce=True).fill_null(0)
    for port, got, truth in both.select("port", "got", "truth").rows():
        if abs(got - truth) > 1:
            sc.unidentified_errors.append((port, got, truth))
    return sc


def evaluate(kind: str, seeds, layout: str | None = None) -> Score:
    """The summed score of ``kind`` theatres over ``seeds``."""
    total = Score()
    for seed in seeds:
        th = make_theatre(kind, seed=seed)
        total.add(score(th, run_theatre(th, layout)))
    return total


if __name__ == "__main__":  # python tools/theatre_eval.py: the table of docs/detection.md
    import sys

    kinds = sys.argv[1:] or [
        "shuttles",
        "mixed",
        "anchorage_wait",
        "layup",
        "shuttle_berth_switch",
        "shuttle_berth_to_sea",
        "twin_image",
        "liners",
        "fishing",
        "silent_berth",
        "shared_mmsi",
        "confounders",
    ]
    print(
        "| theatre | layout | seeds | true calls | found | flagged | correct | recall | precision | confirmed "
        "| false confirmed | confounder flags | unidentified off by > 1 |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        for layout in (None, "marinecadastre", "dma", "nmea") if kind == "confounders" else (None,):
            sc = evaluate(kind, range(10), layout)
            print(
                f"| {kind} | {layout or 'table'} | 10 | {sc.true_calls} | {sc.found} | {sc.flagged} | {sc.correct} "
                f"| {sc.recall:.3f} | {sc.precision:.3f} | {sc.confirmed} | {sc.false_confirmed} "
                f"| {sc.confounder_flags} | {len(sc.unidentified_errors)} |",
                flush=True,
            )
