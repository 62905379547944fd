"""Port visits: entry and exit with hysteresis, stops, in-port gaps and a confidence grade.

Modelled on Global Fishing Watch's port visits, with distances measured to port polygons:
a vessel enters a port within ``entry_km`` of its polygon and leaves beyond ``exit_km``.
Confidence: 4 = a stop or an in-port gap plus observed entry and exit; 3 = a stop or gap plus
entry or exit; 2 = a stop or gap alone, or entry and exit alone; 1 = anything less.
"""

from __future__ import annotations

import polars as pl

from shipwatch import schema as s
from shipwatch.frames import TableLike, to_polars
from shipwatch.ports import Port
from shipwatch.settings import VisitSettings
from shipwatch.tables import IDENTITY, PORT, PORT_VISITS, ROLE, VESSEL_KEYS, VISIT_ID, empty, event_id
from shipwatch.times import US_PER_HOUR
from shipwatch.vessels import vessel_info


def port_visits(
    labelled: TableLike,
    *,
    ports: list[Port],
    settings: VisitSettings | None = None,
    vessels: pl.DataFrame | None = None,
    split_hours: dict[str, float] | None = None,
) -> pl.DataFrame:
    """One row per visit of a vessel to a port, from a table labelled by
    :func:`shipwatch.port_labels.label_ports`; columns :data:`shipwatch.tables.PORT_VISITS`.

    ``vessels`` is :func:`shipwatch.vessels.vessel_info` of the same tracks when the caller already has
    it (for names). ``split_hours`` (port name → hours; :func:`shipwatch.transits.round_trip_hours`)
    splits a visit at a silence inside the port at least that long, so that no visit hides a voyage.
    """
    cfg = settings or VisitSettings()
    labelled = to_polars(labelled, what="labelled")
    # only vessels that were ever in a port have visits (at sea most positions are in none)
    in_port = labelled[PORT].is_not_null()
    if not in_port.any():
        return empty(PORT_VISITS)
    if not in_port.all():
        callers = labelled.filter(in_port)[s.MMSI].unique()
        labelled = labelled.filter(pl.col(s.MMSI).is_in(callers.implode()))
    roles = pl.DataFrame({PORT: [p.name for p in ports], ROLE: [p.role for p in ports]})
    names = (vessels if vessels is not None else vessel_info(labelled)).select(s.MMSI, s.VESSEL_NAME)
    gap_us = cfg.in_port_gap_hours * US_PER_HOUR
    split_us = (
        pl.col(PORT).replace_strict(split_hours, default=None, return_dtype=pl.Float64) * US_PER_HOUR
        if split_hours
        else pl.lit(None, pl.Float64)
    )
    df = (
        labelled.select(*VESSEL_KEYS, s.TIMESTAMP, s.SOG, PORT)
        .with_columns(
            pl.col(s.TIMESTAMP).diff().over(VESSEL_KEYS).dt.total_microseconds().alias("_dt"),
            pl.int_range(pl.len()).over(VESSEL_KEYS).alias("_i"),
            pl.len().over(VESSEL_KEYS).alias("_n"),
        )
        .with_columns(
            # a new run where the port changes, or after a silence in port long enough for a voyage
            (
                (pl.col(PORT).fill_null("") != pl.col(PORT).fill_null("").shift()).fill_null(True)
                | (pl.col(PORT).is_not_null() & (pl.col("_dt") >= split_us)).fill_null(False)
            )
            .cum_sum()
            .over(VESSEL_KEYS)
            .alias("_run"),
        )
    )
    visits = (
        df.filter(pl.col(PORT).is_not_null())
        .group_by([*VESSEL_KEYS, "_run"])
        .agg(
            pl.col(PORT).first(),
            pl.col(s.TIMESTAMP).min().alias("arrival"),
            pl.col(s.TIMESTAMP).max().alias("departure"),
            pl.len().alias("positions"),
            (pl.col(s.SOG) < cfg.stop_kn).any().fill_null(False).alias("stop"),
            # the first row's diff is the silence before entry, not inside the port
            (pl.col("_dt").slice(1).max().fill_null(0) / US_PER_HOUR).alias("in_port_gap_hours"),
            (pl.col("_i").min() > 0).alias("entry_observed"),
            (pl.col("_i").max() < pl.col("_n").first() - 1).alias("exit_observed"),
        )
        .with_columns(
            ((pl.col("departure") - pl.col("arrival")).dt.total_seconds() / 3600.0).alias("hours"),
        )
    )
    stop_or_gap = pl.col("stop") | (pl.col("in_port_gap_hours") * US_PER_HOUR >= gap_us)
    both = pl.col("entry_observed") & pl.col("exit_observed")
    either = pl.col("entry_observed") | pl.col("exit_observed")
    confidence = (
        pl.when(stop_or_gap & both)
        .then(4)
        .when(stop_or_gap & either)
        .then(3)
        .when(stop_or_gap | both)
        .then(2)
        .otherwise(1)
    )
    return (
        visits.with_columns(confidence.cast(pl.Int8).alias("confidence"))
        .join(roles, on=PORT, how="left")
        .join(names, on=s.MMSI, how="left")
        .sort([s.MMSI, "arrival", IDENTITY])
        .with_columns(event_id("V", "arrival").alias(VISIT_ID))
        .select(list(PORT_VISITS))
    )
