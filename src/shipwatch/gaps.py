"""AIS gap events: one record per silence longer than ``min_hours`` between consecutive positions.

A gap joins two consecutive positions of one MMSI more than ``min_hours`` apart: Global Fishing Watch's
rule exactly (``pipe-gaps`` counts intervals *longer than* its threshold; fixes exactly 6 h apart are
no gap). Pairs with an end inside a
shared-MMSI window are never gaps: two ships on one number make false silences. Gaps still open
at the end of the data (no position yet after them) are reported with ``open = true``.

Coverage is estimated from the data itself: how many *other* vessels were heard within
``coverage_radius_km`` of the gap's start or end while the gap lasted. Many vessels heard and
this one silent points at a transponder turned off, not at a reception hole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.frames import TableLike, to_polars
from shipwatch.geo import KM_PER_NM, haversine_km
from shipwatch.settings import GapSettings
from shipwatch.tables import GAP_ID, NEAREST_KM, PORT, SHARED, before_column, event_id, gaps_schema
from shipwatch.times import US_PER_HOUR
from shipwatch.vessels import vessel_info


def gap_columns(settings: GapSettings) -> list[str]:
    """Column order of the gaps table for these settings."""
    return list(gaps_schema(settings.before_hours))


def find_gaps(
    labelled: TableLike,
    *,
    settings: GapSettings | None = None,
    data_end: datetime | None = None,
    entry_km: float = 0.5,
    vessels: pl.DataFrame | None = None,
    with_coverage: bool = True,
) -> pl.DataFrame:
    """Every gap longer than ``settings.min_hours`` in a labelled track table.

    Parameters
    ----------
    labelled
        Output of :func:`shipwatch.visits.label_ports` (sorted by mmsi, timestamp).
    settings
        Thresholds; see :class:`~shipwatch.settings.GapSettings`.
    data_end
        End of the observation period; a vessel silent from its last position until then for at
        more than ``min_hours`` gets an open gap. Defaults to the last timestamp in the data.
    entry_km
        A gap end within this distance (km) of a port polygon is "in port" (``start_in_port``).
    vessels
        :func:`shipwatch.vessels.vessel_info` of the same tracks, if already computed (for names).
    with_coverage
        Count other vessels heard near the ends (needs every vessel: False when ``labelled`` is one
        bucket of vessels, then :func:`coverage` fills it from the runs of all buckets).
    """
    cfg = settings or GapSettings()
    df = to_polars(labelled, what="labelled")
    if df.height > 1:  # sorted by (mmsi, timestamp) as clean_tracks gives it; sort only what is not
        m, ts = df[s.MMSI].to_numpy(), df[s.TIMESTAMP].dt.epoch("us").to_numpy()
        dm = np.diff(m)
        if (dm < 0).any() or ((dm == 0) & (np.diff(ts) < 0)).any():
            df = df.sort([s.MMSI, s.TIMESTAMP], maintain_order=True)
    if data_end is None and df.height:
        data_end = df[s.TIMESTAMP].max()
    min_us = int(cfg.min_hours * US_PER_HOUR)
    same = pl.col(s.MMSI).shift(-1) == pl.col(s.MMSI)  # the next row is the same vessel's
    nxt = [
        pl.when(same).then(pl.col(c).shift(-1))
        for c in (s.TIMESTAMP, s.LAT, s.LON, PORT, NEAREST_KM, SHARED, s.SOG, s.COG)
    ]
    pairs = df.with_row_index("_row").with_columns(
        nxt[0].alias("end_time"),
        nxt[1].alias("end_lat"),
        nxt[2].alias("end_lon"),
        nxt[3].alias("end_port"),
        (nxt[4] <= entry_km).fill_null(False).alias("end_in_port"),
        nxt[5].alias("_end_shared"),
        nxt[6].alias("end_sog"),
        nxt[7].alias("end_cog"),
    )
    last = pl.col("end_time").is_null()
    open_end = pl.lit(data_end, dtype=s.TIME_DTYPE) if data_end is not None else pl.lit(None, s.TIME_DTYPE)
    span_us = (
        pl.when(last)
        .then(open_end - pl.col(s.TIMESTAMP))
        .otherwise(pl.col("end_time") - pl.col(s.TIMESTAMP))
        .dt.total_microseconds()
    )
    gaps = pairs.filter(
        (span_us > min_us) & ~pl.col(SHARED) & ~pl.col("_end_shared").fill_null(False)
    ).with_columns(
        last.alias("open"),
        (span_us / US_PER_HOUR).alias("hours"),
        pl.col(s.TIMESTAMP).alias("start_time"),
        pl.col(s.LAT).alias("start_lat"),
        pl.col(s.LON).alias("start_lon"),
        pl.col(PORT).alias("start_port"),
        (pl.col(NEAREST_KM) <= entry_km).fill_null(False).alias("start_in_port"),
        pl.col(s.SOG).alias("start_sog"),
        pl.col(s.COG).alias("start_cog"),
    )
    dist = haversine_km(
        gaps["start_lat"].to_numpy(),
        gaps["start_lon"].to_numpy(),
        gaps["end_lat"].to_numpy(writable=True),
        gaps["end_lon"].to_numpy(writable=True),
    )
    gaps = gaps.with_columns(
        pl.Series("distance_km", dist).fill_nan(None),
    ).with_columns(
        (pl.col("distance_km") / KM_PER_NM).alias("distance_nm"),
        (pl.col("distance_km") / KM_PER_NM / pl.col("hours")).alias("implied_speed_kn"),
        event_id("G", "start_time").alias(GAP_ID),
    )
    gaps = _positions_before(df, gaps, cfg)
    if with_coverage:
        gaps = gaps.with_columns(coverage(gaps, presence_runs(df, cfg), cfg).alias("coverage_vessels"))
    else:  # filled in later from the runs of every bucket (shipwatch.engine)
        gaps = gaps.with_columns(pl.lit(0, pl.UInt32).alias("coverage_vessels"))
    names = (vessels if vessels is not None else vessel_info(df)).select(s.MMSI, s.VESSEL_NAME)
    return gaps.join(names, on=s.MMSI, how="left").sort(["start_time", s.MMSI]).select(gap_columns(cfg))


def _positions_before(df: pl.DataFrame, gaps: pl.DataFrame, cfg: GapSettings) -> pl.DataFrame:
    """Count each vessel's own positions in the hours before each gap (inclusive of the start fix)."""
    if gaps.height == 0:
        return gaps.with_columns([pl.lit(0, pl.UInt32).alias(before_column(h)) for h in cfg.before_hours])
    # One sortable int64 key per row: vessel rank in the high bits, seconds in the low bits.
    t0 = df[s.TIMESTAMP].min()
    secs = ((df[s.TIMESTAMP] - t0).dt.total_seconds()).to_numpy().astype(np.int64)
    rank = df[s.MMSI].rle_id().to_numpy().astype(np.int64)
    key = (rank << 32) | secs
    rows = gaps["_row"].to_numpy().astype(np.int64)
    out = []
    for h in cfg.before_hours:
        lower = np.searchsorted(key, key[rows] - int(h * 3600), side="left")
        out.append(pl.Series(before_column(h), (rows - lower + 1).astype(np.uint32)))
    return gaps.with_columns(out)


def _cells(lat: pl.Expr, lon: pl.Expr, radius_km: float) -> tuple[pl.Expr, pl.Expr]:
    """Grid cells about ``radius_km`` wide; x is scaled by the cosine of the cell row's latitude."""
    cy = (lat * 111.0 / radius_km).floor().cast(pl.Int32)
    coslat = ((cy.cast(pl.Float64) + 0.5) * radius_km / 111.0).radians().cos().clip(0.05, 1.0)
    cx = (lon * 111.0 * coslat / radius_km).floor().cast(pl.Int32)
    return cx, cy


def presence_runs(df: pl.DataFrame, settings: GapSettings | None = None) -> pl.DataFrame:
    """Where each vessel was heard: per (cell, vessel), stretches of reports no more than 6 h apart.

    ``df`` is sorted by (mmsi, timestamp), as :func:`shipwatch.tracks.clean_tracks` returns it, so a run
    ends where the vessel changes cell or falls silent for 6 h: no sort is needed. (A vessel that leaves a
    cell and returns within 6 h gives two runs where one would do; a gap, longer than 6 h, cannot fall
    inside the hole between them, so coverage counts are the same.) Runs of disjoint sets of vessels
    (store buckets) concatenate: :func:`coverage` of the concatenation is that of the whole table.
    Columns ``cx, cy, mmsi, a, b`` (epoch seconds).
    """
    cfg = settings or GapSettings()
    cx, cy = _cells(pl.col(s.LAT), pl.col(s.LON), cfg.coverage_radius_km)
    return (
        df.lazy()
        .select(s.MMSI, cx.alias("cx"), cy.alias("cy"), pl.col(s.TIMESTAMP).dt.epoch("s").alias("t"))
        .with_columns(
            (
                (pl.col(s.MMSI) != pl.col(s.MMSI).shift())
                | (pl.col("cx") != pl.col("cx").shift())
                | (pl.col("cy") != pl.col("cy").shift())
                | (pl.col("t").diff() > 6 * 3600)
            )
            .fill_null(True)
            .cum_sum()
            .alias("_run")
        )
        .group_by("_run", maintain_order=True)
        .agg(
            pl.col("cx").first(),
            pl.col("cy").first(),
            pl.col(s.MMSI).first(),
            pl.col("t").first().alias("a"),
            pl.col("t").last().alias("b"),
        )
        .drop("_run")
        .collect()
    )


#: Rows of the presence-runs x gap-cells join held at a time (bounds memory, flat as days are added).
COVERAGE_CHUNK_ROWS = 500_000


def coverage(
    gaps: pl.DataFrame,
    runs: pl.DataFrame | Sequence[pl.DataFrame],
    settings: GapSettings | None = None,
    *,
    chunk_rows: int = COVERAGE_CHUNK_ROWS,
) -> pl.Series:
    """Distinct other vessels heard in the 3x3 cells around either end of each gap, during it
    (``runs`` from :func:`presence_runs` of all vessels: one table, or one per store bucket).

    The runs meet the gaps' cells in chunks of whole vessels, each giving about ``chunk_rows`` joined
    rows (counted beforehand per (cell, day)): distinct vessels per gap then add up over chunks
    exactly, and memory stays flat whatever the number of days or how crowded a port is."""
    cfg = settings or GapSettings()
    if gaps.height == 0:
        return pl.Series("coverage_vessels", [], dtype=pl.UInt32)
    r = cfg.coverage_radius_km
    day = 86400
    end_t = pl.col("end_time").fill_null(pl.col("start_time") + pl.duration(hours=pl.col("hours")))
    ends = []
    indexed = gaps.lazy().with_row_index("_g")  # a gap's row: pairs of two integers, not of its text id
    for lat, lon in (("start_lat", "start_lon"), ("end_lat", "end_lon")):
        gx, gy = _cells(pl.col(lat), pl.col(lon), r)
        ends.append(
            indexed
            .filter(pl.col(lat).is_not_null())
            .select(
                "_g",
                pl.col(s.MMSI).alias("_own"),
                gx.alias("gx"),
                gy.alias("gy"),
                pl.col("start_time").dt.epoch("s").alias("ga"),
                end_t.dt.epoch("s").alias("gb"),
            )
        )
    offsets = pl.LazyFrame(
        {"dx": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dy": [-1, 0, 1] * 3}, schema={"dx": pl.Int32, "dy": pl.Int32}
    )
    # every (gap, cell, UTC day) to look in: the join below is bounded by (cell, day)
    cells = (
        pl.concat(ends)
        .join(offsets, how="cross")
        .select(
            "_g",
            "_own",
            (pl.col("gx") + pl.col("dx")).alias("cx"),
            (pl.col("gy") + pl.col("dy")).alias("cy"),
            "ga",
            "gb",
        )
        .unique()
        .with_columns(pl.int_ranges(pl.col("ga") // day, pl.col("gb") // day + 1).alias("day"))
        .explode("day", empty_as_null=True)
        .collect()
    )
    key = ["cx", "cy", "day"]
    per_key = cells.group_by(key).len("_w").lazy()  # rows each run's (cell, day) meets in the join
    counts = np.zeros(gaps.height, dtype=np.int64)
    for frame in [runs] if isinstance(runs, pl.DataFrame) else runs:
        touching = (
            frame.lazy()
            # one row per UTC day a run touches, kept where a gap looks
            .with_columns(pl.int_ranges(pl.col("a") // day, pl.col("b") // day + 1).alias("day"))
            .explode("day", empty_as_null=True)
            .join(per_key, on=key, how="inner")
            .collect()
        )
        if touching.height == 0:
            continue
        # chunks of whole vessels whose join holds about ``chunk_rows`` rows: distinct vessels per gap
        # then add up over chunks exactly (the tables, store buckets, hold disjoint vessels too)
        weight = touching.group_by(s.MMSI).agg(pl.col("_w").cast(pl.Int64).sum()).sort(s.MMSI)
        chunk = (weight["_w"].cum_sum() - weight["_w"]) // max(chunk_rows, 1)
        touching = touching.join(weight.select(s.MMSI, chunk.alias("_c")), on=s.MMSI, how="left")
        for part in touching.partition_by("_c", include_key=False):
            per_gap = (
                part.lazy()
                .join(cells.lazy(), on=key, how="inner")
                .filter(
                    (pl.col(s.MMSI) != pl.col("_own"))
                    & (pl.col("a") <= pl.col("gb"))
                    & (pl.col("b") >= pl.col("ga"))
                )
                .group_by("_g")
                .agg(pl.col(s.MMSI).n_unique().alias("n"))
                .collect()
            )
            counts[per_gap["_g"].to_numpy()] += per_gap["n"].to_numpy()
    return pl.Series("coverage_vessels", counts, dtype=pl.UInt32)
