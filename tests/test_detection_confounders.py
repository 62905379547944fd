"""Grades that survive everyday confounders: precision and recall on the confounder theatres.

The theatres (tools/sim) mix true dark shuttles — going dark at sea or alongside a berth, switching
berths, two at Najin in one image — with the traffic that looks like them: ships waiting dark at an
outer anchorage, lay-ups alongside, liners with reception holes, fishing boats, silent berths and a
shared MMSI. Each theatre is written as files in each layout and ingested like any AIS file; detection
never sees the truth (tools/theatre_eval.py scores what comes out).
"""

from __future__ import annotations

import pytest

from theatre_eval import evaluate

SEEDS = range(10)


@pytest.fixture(scope="module", params=["marinecadastre", "dma", "nmea"])
def confounders(request):
    return request.param, evaluate("confounders", SEEDS, request.param)


def test_recall_and_precision_of_strong_najin_calls(confounders):
    layout, sc = confounders
    assert sc.true_calls >= 300, layout
    assert sc.recall >= 0.90, f"{layout}: recall {sc.recall:.3f} ({sc.found}/{sc.true_calls})"
    assert sc.precision >= 0.95, f"{layout}: precision {sc.precision:.3f} ({sc.correct}/{sc.flagged})"


def test_no_confounder_vessel_is_flagged_and_nothing_is_falsely_confirmed(confounders):
    layout, sc = confounders
    assert sc.confounder_flags == 0, layout
    assert sc.false_confirmed == 0, layout
    assert sc.confirmed > 0, layout  # the theatres do have imagery that confirms calls


def test_unidentified_calls_within_one_of_the_truth_at_every_port(confounders):
    layout, sc = confounders
    assert sc.unidentified_errors == [], layout


@pytest.mark.parametrize(
    "kind", ["anchorage_wait", "layup", "liners", "fishing", "silent_berth", "shared_mmsi"]
)
def test_everyday_traffic_alone_is_never_probable(kind):
    sc = evaluate(kind, range(5))
    assert sc.true_calls == 0
    assert sc.flagged == 0, f"{kind}: {sc.flagged} probable/confirmed calls by vessels never at Najin"


@pytest.mark.parametrize("kind", ["shuttle_berth_switch", "shuttle_berth_to_sea", "twin_image"])
def test_shuttles_that_go_dark_alongside_are_found(kind):
    sc = evaluate(kind, range(5))
    assert sc.recall >= 0.90, f"{kind}: recall {sc.recall:.3f}"
    assert sc.precision >= 0.95 and sc.false_confirmed == 0
