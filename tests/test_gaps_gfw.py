"""Global Fishing Watch's gap rule, exactly: cases from GFW's open-source pipe-gaps (tests/data/pipe_gaps_cases.json)."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl
import pytest

from conftest import ROOT
from shipwatch import schema
from shipwatch.pipeline import detect
from shipwatch.settings import GapSettings, Settings

CASES = json.loads((ROOT / "tests" / "data" / "pipe_gaps_cases.json").read_text(encoding="utf-8"))["cases"]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pipe_gaps_case(case):
    # The fixes sit in the open sea (no port), 1 km apart: only time decides.
    fixes = pl.DataFrame(
        {
            schema.MMSI: [int(m) for m, _ in case["fixes"]],
            schema.TIMESTAMP: [_utc(t) for _, t in case["fixes"]],
            schema.LAT: [40.0 + 0.01 * i for i in range(len(case["fixes"]))],
            schema.LON: [140.0] * len(case["fixes"]),
        }
    )
    # open gaps are GFW's too, but pipe-gaps' cases above only count closed ones
    settings = Settings(
        gaps=GapSettings(min_hours=case["threshold_hours"], before_hours=(case["hours_before"],))
    )
    since = _utc(case["since"]) if case["since"] else None
    gaps = detect(fixes, settings=settings, since=since).gaps.filter(~pl.col("open"))
    got = [
        {"start": a, "end": b, "positions_before": n}
        for a, b, n in gaps.select(
            "start_time", "end_time", f"positions_{case['hours_before']:g}h_before"
        ).rows()
    ]
    want = [{**g, "start": _utc(g["start"]), "end": _utc(g["end"])} for g in case["expected_gaps"]]
    assert got == want
