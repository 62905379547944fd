"""The grade of every dark transit, and why: one owner for ``possible``, ``probable`` and ``confirmed``.

A grade an analyst cannot defend is worse than no grade, so each says in plain words (``why``) what
evidence it rests on, from the evidence columns :mod:`shipwatch.transits` and the imagery attribution
of :mod:`shipwatch.sightings` give it.

``confirmed``
    Imagery: a sighting inside the watched port during the call window, whose length agrees with the
    vessel's (both known), that no other candidate vessel and no AIS vessel explains (joint attribution
    per satellite pass). Imagery is independent evidence: it confirms a reachable call on its own.
``probable``
    AIS alone shows a delivery: the vessel left a destination port just before going dark or reached
    one just after (``link_hours``, also when it went dark or reappeared inside the port), and the
    other side of the silence is a destination port too or the open sea, not another port (coastal
    traffic between Vostochny and Nakhodka is not a delivery); the silence
    fits the round trip to the watched port *over water* (long enough at its own speed, no longer
    than the slowest credible trip with the longest stay); the ends of the silence show a voyage (two
    ports or ``moved_km`` apart, or under way at both ends); and it did not simply keep its course
    across the silence (a reception hole on a crossing).
``possible``
    Reachable only: it could have made the call, over the straight-line lower bound. The ``why`` says
    what is missing for ``probable``. However long the silence, a vessel that reappeared where it went
    dark, stopped, is at most ``possible`` from AIS alone: nothing moved. So is one stopped at one end
    only (it waited, then left).
"""

from __future__ import annotations

import polars as pl

from shipwatch.settings import TransitSettings

POSSIBLE, PROBABLE, CONFIRMED = "possible", "probable", "confirmed"
EVIDENCE = (POSSIBLE, PROBABLE, CONFIRMED)

#: What :func:`grade_transits` reads from an imagery attribution (:func:`shipwatch.sightings.match_sightings`).
IMAGERY_COLUMNS = {
    "transit_id": pl.String,
    "sighting_ids": pl.String,
    "imagery": pl.String,
    "imaged": pl.Boolean,
}


def _num(col: str, decimals: int = 0) -> pl.Expr:
    """A number as text for the ``why`` (rounded)."""
    e = pl.col(col).round(decimals)
    return (e.cast(pl.Int64) if decimals == 0 else e).cast(pl.String)


def grade_transits(
    transits: pl.DataFrame, *, imagery: pl.DataFrame | None, settings: TransitSettings | None = None
) -> pl.DataFrame:
    """``transits`` with ``evidence`` (the grade) and ``why`` set from their evidence columns.

    Parameters
    ----------
    transits
        Candidates from :func:`shipwatch.transits.dark_transits`, with their evidence columns.
    imagery
        Per transit attributed by imagery: ``transit_id``, ``sighting_ids``, ``imagery`` (plain words)
        and ``imaged`` (a length-matched sighting that nothing else explains); None for AIS alone.
    settings
        Thresholds (the text quotes them).
    """
    cfg = settings or TransitSettings()
    t = transits.drop([c for c in ("sighting_ids", "imagery", "imaged") if c in transits.columns])
    if imagery is None or imagery.height == 0:
        imagery = pl.DataFrame(schema=IMAGERY_COLUMNS)
    t = t.join(imagery.select(list(IMAGERY_COLUMNS)), on="transit_id", how="left").with_columns(
        pl.col("imaged").fill_null(False)
    )
    dep, arr = pl.col("departed_destination"), pl.col("arrived_destination")
    # Linked to the delivery pattern: a destination port on one side of the silence, and on the other
    # side a destination port too or no port at all (open sea). A vessel that left Vostochny and next
    # turned up at Nakhodka, or came from Nakhodka to Vostochny, is everyday coastal traffic.
    other_dep = pl.col("departure_port").is_not_null() & ~dep
    other_arr = pl.col("arrival_port").is_not_null() & ~arr
    linked = (dep & ~other_arr) | (arr & ~other_dep)
    still = pl.col("motion") == "still"
    shows_voyage = pl.col("motion").is_in(["moved", "under_way"])
    course = pl.col("kept_course")
    fits = pl.col("fits_timing")
    probable = linked & fits & shows_voyage & ~course
    grade = (
        pl.when(pl.col("imaged"))
        .then(pl.lit(CONFIRMED))
        .when(probable)
        .then(pl.lit(PROBABLE))
        .otherwise(pl.lit(POSSIBLE))
    )

    link_text = (
        pl.when(dep & other_arr)
        .then(
            pl.format(
                "left {} just before going dark but reached {}, not a destination port, just after",
                "departure_port",
                "arrival_port",
            )
        )
        .when(arr & other_dep)
        .then(
            pl.format(
                "reached {} just after reappearing but came from {}, not a destination port",
                "arrival_port",
                "departure_port",
            )
        )
        .when(dep & arr)
        .then(
            pl.format(
                "left {} just before going dark and reached {} just after", "departure_port", "arrival_port"
            )
        )
        .when(dep)
        .then(pl.format("left {} just before going dark", "departure_port"))
        .when(arr)
        .then(pl.format("reached {} just after reappearing", "arrival_port"))
        .otherwise(pl.lit("no destination port just before or after the silence"))
    )
    ends = pl.format(
        "{} → {}",
        pl.col("start_port").fill_null(pl.lit("at sea")),
        pl.col("end_port").fill_null(pl.lit("at sea")),
    )
    motion_text = (
        pl.when(pl.col("motion") == "moved")
        .then(pl.format("moved {} km across the silence ({})", _num("displacement_km"), ends))
        .when(still)
        .then(
            pl.format(
                "nothing moved: reappeared {} km from where it went dark, stopped at both ends ({})",
                _num("displacement_km", 1),
                ends,
            )
        )
        .otherwise(
            pl.format("reappeared {} km from where it went dark ({})", _num("displacement_km", 1), ends)
        )
    )
    timing_text = (
        pl.when(fits)
        .then(
            pl.format(
                "its {} h silence fits the round trip to {} over water ({} km, at least {} h)",
                _num("dark_hours"),
                "call_port",
                _num_sum("sea_km_to_call", "sea_km_from_call"),
                _num("sea_hours_needed"),
            )
        )
        .when(pl.col("dark_hours") < pl.col("sea_hours_needed"))
        .then(
            pl.format(
                "its {} h silence is too short for the round trip to {} over water (at least {} h)",
                _num("dark_hours"),
                "call_port",
                _num("sea_hours_needed"),
            )
        )
        .otherwise(
            pl.format(
                "its {} h silence is longer than the slowest delivery round trip to {} with a {} h stay",
                _num("dark_hours"),
                "call_port",
                pl.lit(f"{cfg.max_dwell_hours:g}"),
            )
        )
    )
    course_text = (
        pl.when(course)
        .then(
            pl.format(
                "; it kept its course across the silence ({} kn before, {} kn on average over it): a reception hole, not a call",
                _num("sog_before", 1),
                _num("implied_speed_kn", 1),
            )
        )
        .otherwise(pl.lit(""))
    )
    ais = pl.concat_str([link_text, pl.lit("; "), motion_text, pl.lit("; "), timing_text, course_text])
    routine_text = (
        pl.when(pl.col("routine"))
        .then(
            pl.format(
                "; routine silences: {} candidate calls by this vessel in the run", "vessel_candidate_calls"
            )
        )
        .otherwise(pl.lit(""))
    )
    why = (
        pl.when(pl.col("imaged"))
        .then(pl.concat_str([pl.lit("imagery: "), pl.col("imagery"), pl.lit(". AIS: "), ais]))
        .when(probable)
        .then(ais)
        .otherwise(pl.concat_str([pl.lit("reachable only: "), ais, routine_text]))
    )
    return t.with_columns(grade.alias("evidence"), why.alias("why"))


def _num_sum(a: str, b: str) -> pl.Expr:
    return (pl.col(a) + pl.col(b)).round(0).cast(pl.Int64).cast(pl.String)
