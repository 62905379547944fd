"""Detection on simulated theatres with known truth (detection never sees the truth)."""

import polars as pl
import pytest

from shipwatch.pipeline import detect
from sim.theatres import make_theatre

STRONG = ("probable", "confirmed")
SEEDS = range(4)
DECOYS = ("liners", "fishing", "silent_berth", "shared_mmsi")


def _run(kind: str, seed: int):
    th = make_theatre(kind, seed=seed)
    return th, detect(th.positions, sightings=th.sightings)


def _matches(transits: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Detected Najin transits joined to the true dark calls they contain (same MMSI, call inside the gap)."""
    return (
        transits.filter(pl.col("call_port") == "Najin")
        .join(truth.filter(pl.col("dark")), on="mmsi", how="left")
        .with_columns(
            (
                pl.col("call_start").is_not_null()
                & (pl.col("call_start") >= pl.col("dark_start"))
                & (pl.col("call_end") <= pl.col("dark_end"))
            ).alias("hit")
        )
    )


@pytest.fixture(scope="module")
def runs():
    return [_run(kind, seed) for kind in ("shuttles", "mixed") for seed in SEEDS]


def test_recall_and_precision_of_najin_dark_calls(runs):
    true_calls = found = detected = correct = 0
    for th, res in runs:
        strong = res.dark_transits.filter(pl.col("evidence").is_in(STRONG))
        m = _matches(strong, th.truth)
        hits = m.filter("hit")
        true_calls += th.truth.filter(pl.col("dark")).height
        found += hits.select("mmsi", "call_start").unique().height
        detected += strong.filter(pl.col("call_port") == "Najin").height
        correct += hits.select("transit_id").unique().height
    assert true_calls >= 20
    recall, precision = found / true_calls, correct / detected
    assert recall >= 0.95, f"recall {recall:.3f} ({found}/{true_calls})"
    assert precision >= 0.95, f"precision {precision:.3f} ({correct}/{detected})"


def test_no_call_is_falsely_confirmed(runs):
    n_confirmed = 0
    for th, res in runs:
        confirmed = res.dark_transits.filter(pl.col("evidence") == "confirmed")
        n_confirmed += confirmed.height
        assert _matches(confirmed, th.truth).group_by("transit_id").agg(pl.col("hit").any())["hit"].all()
        attributed = res.sightings.filter(pl.col("match") == "dark_transit").join(
            th.sighting_truth.select("sighting_id", pl.col("mmsi").alias("true_mmsi")), on="sighting_id"
        )
        assert (attributed["mmsi"] == attributed["true_mmsi"]).all()
    assert n_confirmed > 0  # the theatres do have imagery that confirms calls


def test_visible_calls_are_not_dark(runs):
    for th, res in runs:
        visible = th.truth.filter(~pl.col("dark"))
        flagged = res.dark_transits.join(visible, on="mmsi").filter(
            (pl.col("call_start") >= pl.col("dark_start")) & (pl.col("call_end") <= pl.col("dark_end"))
        )
        assert flagged.height == 0


@pytest.mark.parametrize("kind", DECOYS)
@pytest.mark.parametrize("seed", range(3))
def test_no_decoy_is_flagged_probable(kind, seed):
    th, res = _run(kind, seed)
    assert th.truth.filter(pl.col("dark")).height == 0
    assert res.dark_transits.filter(pl.col("evidence").is_in(STRONG)).height == 0


def test_shared_mmsi_makes_no_gap_and_no_transit():
    th, res = _run("shared_mmsi", 0)
    shared = th.events.filter(pl.col("kind") == "shared_mmsi")["mmsi"].unique()
    assert shared.len() >= 1
    assert set(shared.to_list()) <= set(res.stats["cleaning"]["shared_mmsis"])
    window = res.tracks.filter(pl.col("shared_mmsi"))
    gaps = res.gaps.join(
        window.select("mmsi", "timestamp"), left_on=["mmsi", "start_time"], right_on=["mmsi", "timestamp"]
    )
    assert gaps.height == 0
    assert res.dark_transits.filter(pl.col("mmsi").is_in(shared.implode())).height == 0
