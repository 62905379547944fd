"""Imagery sightings: match each to an AIS vessel, to a dark transit, or leave it unidentified.

A sighting (``observed_at`` UTC, ``lat``, ``lon``, optional ``length_m``, ``source``,
``sighting_id``) gets one match:

``ais``
    an AIS vessel was there: its position interpolated to the image time is within
    ``ais_distance_m``, and the lengths agree when both are known;
``dark_transit``
    it is at a watched port inside a dark transit's call window, with agreeing length, and joint
    attribution per image (one satellite pass) gives it to that transit: when k detections of one image
    have at most k candidate transits, every candidate was there (see :func:`_attribute`);
``ambiguous``
    more candidate transits than detections could explain it: which vessel it was is not known (their
    ids are in ``candidates``); it is not an unidentified call;
``unidentified``
    nothing explains it: no AIS vessel and no dark transit.

Whether an attributed sighting confirms its transit is decided in :mod:`shipwatch.grades` (it needs the
lengths known on both sides). Unidentified sightings at one port on consecutive UTC days
(``call_link_days``), with agreeing lengths, form one unidentified call (``call_id``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.errors import InputError
from shipwatch.frames import TableLike, to_polars
from shipwatch.geo import haversine_km
from shipwatch.grades import IMAGERY_COLUMNS
from shipwatch.ports import WATCH, Port, distance_matrix_km
from shipwatch.settings import SightingSettings
from shipwatch.tables import SIGHTINGS_OUT
from shipwatch.times import parse_iso_utc

AIS, DARK, AMBIGUOUS, UNIDENTIFIED = "ais", "dark_transit", "ambiguous", "unidentified"
REQUIRED = ("observed_at", "lat", "lon")
OUT_SCHEMA = SIGHTINGS_OUT
OUT_COLUMNS = list(OUT_SCHEMA)


def read_sightings(path: str | Path) -> pl.DataFrame:
    """Read a sightings CSV; one-line errors name the file and the problem."""
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError as err:
        raise InputError(f"{path}: sightings file not found") from err
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not a readable CSV ({err})") from err
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; a sightings file needs observed_at (UTC ISO 8601), lat, lon"
        )
    return parse_sightings(raw, source=str(path))


def parse_sightings(raw: pl.DataFrame, *, source: str = "<sightings>") -> pl.DataFrame:
    """Type a sightings table; rows with unusable time or position are errors naming the row."""
    clash = [c for c in raw.columns if c in OUT_SCHEMA or c.startswith("_")]
    raw = raw.rename({c: f"input_{c}" for c in clash})
    df = raw.with_columns(
        parse_iso_utc(pl.col("observed_at").cast(pl.String).str.strip_chars()).alias("observed_at"),
        pl.col("lat").cast(pl.Float64, strict=False),
        pl.col("lon").cast(pl.Float64, strict=False),
        (
            pl.col("length_m").cast(pl.Float64, strict=False)
            if "length_m" in raw.columns
            else pl.lit(None, pl.Float64)
        ).alias("length_m"),
        (pl.col("source") if "source" in raw.columns else pl.lit(None, pl.String)).alias("source"),
    )
    if "sighting_id" not in df.columns:
        df = df.with_columns(pl.format("S{}", pl.int_range(1, pl.len() + 1)).alias("sighting_id"))
    df = df.with_columns(pl.col("sighting_id").cast(pl.String))
    bad = df.with_row_index("_r", offset=2).filter(
        pl.col("observed_at").is_null()
        | ~pl.col("lat").is_between(-90, 90)
        | ~pl.col("lon").is_between(-180, 180)
        | pl.col("lat").is_null()
        | pl.col("lon").is_null()
    )
    if bad.height:
        r = bad.row(0, named=True)
        given = raw.row(r["_r"] - 2, named=True)
        col = "observed_at" if r["observed_at"] is None else "lat" if not _in(r["lat"], 90) else "lon"
        more = f" (and {bad.height - 1} more)" if bad.height > 1 else ""
        what = "UTC ISO 8601, e.g. 2023-10-14T02:31:00Z" if col == "observed_at" else "degrees"
        raise InputError(
            f"{source}: line {r['_r']}: bad {col} {given.get(col)!r}{more}; {col} must be {what}"
        )
    if df["sighting_id"].is_duplicated().any():
        dup = df.filter(pl.col("sighting_id").is_duplicated())["sighting_id"][0]
        raise InputError(f"{source}: duplicate sighting_id {dup!r}")
    return df


def _in(value: float | None, bound: float) -> bool:
    return value is not None and -bound <= value <= bound


def lengths_agree(
    a: pl.Expr | float | None, b: pl.Expr | float | None, cfg: SightingSettings
) -> pl.Expr | bool:
    """Whether two lengths (m) agree: they differ by at most ``length_tolerance_m`` or by at most
    ``length_tolerance_frac`` of the longer one. An unknown length agrees with anything.

    Works on polars expressions (returns an expression) and on plain numbers (returns a bool), with
    the one rule.
    """
    if isinstance(a, pl.Expr) or isinstance(b, pl.Expr):
        a, b = pl.lit(a) if not isinstance(a, pl.Expr) else a, pl.lit(b) if not isinstance(b, pl.Expr) else b
        tol = pl.max_horizontal(
            pl.lit(cfg.length_tolerance_m), pl.max_horizontal(a, b) * cfg.length_tolerance_frac
        )
        return ((a - b).abs() <= tol).fill_null(True)
    if a is None or b is None:
        return True
    return abs(a - b) <= max(cfg.length_tolerance_m, max(a, b) * cfg.length_tolerance_frac)


def ais_candidates(
    sightings: pl.DataFrame, tracks: pl.DataFrame, vessels: pl.DataFrame, settings: SightingSettings | None = None
) -> pl.DataFrame:
    """Every AIS vessel whose position, interpolated to a sighting's time, explains it (within
    ``ais_distance_m``, lengths agreeing): ``sighting_id, _t, mmsi, distance_m``. A loop over sightings,
    never over positions; buckets of vessels give disjoint candidates that concatenate."""
    cfg = settings or SightingSettings()
    if sightings.height == 0 or tracks.height == 0:
        return pl.DataFrame(
            schema={"sighting_id": pl.String, "_t": pl.Int64, s.MMSI: pl.Int64, "distance_m": pl.Float64}
        )
    by_time = tracks.select(s.MMSI, s.TIMESTAMP, s.LAT, s.LON).sort(s.TIMESTAMP)
    t_all = by_time[s.TIMESTAMP].dt.epoch("us").to_numpy()
    window = int(cfg.ais_time_minutes * 60e6)
    lengths = dict(zip(vessels[s.MMSI].to_list(), vessels[s.LENGTH_M].to_list(), strict=True))
    rows = []
    for sid, t_obs, lat, lon, length in sightings.select(  # a loop over sightings, not positions
        "sighting_id", pl.col("observed_at").dt.epoch("us"), "lat", "lon", "length_m"
    ).iter_rows():
        lo, hi = np.searchsorted(t_all, [t_obs - window, t_obs + window])
        near = by_time.slice(lo, hi - lo).with_columns(pl.col(s.TIMESTAMP).dt.epoch("us").alias("_t"))
        if near.height == 0:
            continue
        before = near.filter(pl.col("_t") <= t_obs).group_by(s.MMSI).agg(pl.all().sort_by("_t").last())
        after = near.filter(pl.col("_t") >= t_obs).group_by(s.MMSI).agg(pl.all().sort_by("_t").first())
        both = before.join(after, on=s.MMSI, how="full", coalesce=True, suffix="_b")
        # Interpolate when both sides exist, else take the one fix inside the window.
        w = ((t_obs - pl.col("_t")) / (pl.col("_t_b") - pl.col("_t"))).fill_nan(0.0).clip(0, 1)
        est = both.with_columns(
            pl.when(pl.col("_t").is_null())
            .then(pl.col("lat_b"))
            .when(pl.col("_t_b").is_null())
            .then(pl.col(s.LAT))
            .otherwise(pl.col(s.LAT) + (pl.col("lat_b") - pl.col(s.LAT)) * w)
            .alias("_lat"),
            pl.when(pl.col("_t").is_null())
            .then(pl.col("lon_b"))
            .when(pl.col("_t_b").is_null())
            .then(pl.col(s.LON))
            .otherwise(pl.col(s.LON) + (pl.col("lon_b") - pl.col(s.LON)) * w)
            .alias("_lon"),
        )
        d = haversine_km(est["_lat"].to_numpy(), est["_lon"].to_numpy(), lat, lon) * 1000.0
        for k in np.flatnonzero(d <= cfg.ais_distance_m):
            m = int(est[s.MMSI][int(k)])
            if lengths_agree(length, lengths.get(m), cfg):
                rows.append((sid, t_obs, m, float(d[k])))
    return pl.DataFrame(
        rows,
        schema={"sighting_id": pl.String, "_t": pl.Int64, s.MMSI: pl.Int64, "distance_m": pl.Float64},
        orient="row",
    )


def resolve_ais(candidates: pl.DataFrame) -> pl.DataFrame:
    """One-to-one AIS matches per image from :func:`ais_candidates` (of one or many buckets of vessels):
    candidate pairs are taken nearest first, and a vessel that explains one detection cannot explain
    another in the same image."""
    rows = candidates.select("sighting_id", "_t", s.MMSI, "distance_m").rows()
    taken_sightings: set[str] = set()
    taken_vessels: set[tuple[int, int]] = set()
    matches = []
    for sid, t_obs, m, dist in sorted(
        rows, key=lambda r: (r[3], r[0], r[2])
    ):  # candidate pairs, nearest first
        if sid not in taken_sightings and (t_obs, m) not in taken_vessels:
            taken_sightings.add(sid)
            taken_vessels.add((t_obs, m))
            matches.append((sid, m, dist))
    return pl.DataFrame(
        matches, schema={"sighting_id": pl.String, s.MMSI: pl.Int64, "distance_m": pl.Float64}, orient="row"
    )


def match_sightings(
    sightings: TableLike,
    tracks: TableLike,
    *,
    transits: pl.DataFrame,
    vessels: pl.DataFrame,
    ports: list[Port],
    settings: SightingSettings | None = None,
    ais: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Match sightings; return (sightings with match columns, imagery per attributed transit).

    The second table (:data:`shipwatch.grades.IMAGERY_COLUMNS`) is what
    :func:`shipwatch.grades.grade_transits` reads.

    Parameters
    ----------
    sightings
        From :func:`read_sightings` / :func:`parse_sightings`.
    tracks
        Cleaned positions (:func:`shipwatch.tracks.clean_tracks`).
    transits
        From :func:`shipwatch.transits.dark_transits`.
    vessels
        From :func:`shipwatch.vessels.vessel_info`.
    ais
        AIS candidates already found (:func:`ais_candidates` of every bucket of vessels); None finds them
        in ``tracks``.
    """
    cfg = settings or SightingSettings()
    sightings, tracks = to_polars(sightings, what="sightings"), to_polars(tracks, what="tracks")
    if sightings.height == 0:
        return sightings.with_columns(
            [pl.lit(None, dtype).alias(c) for c, dtype in OUT_SCHEMA.items()]
        ), pl.DataFrame(schema=IMAGERY_COLUMNS)
    dist = distance_matrix_km(
        ports, sightings["lat"].to_numpy(), sightings["lon"].to_numpy(), max_km=cfg.port_buffer_m / 1000.0
    )
    idx = np.argmin(dist, axis=1)
    at_port = dist[np.arange(len(idx)), idx] <= cfg.port_buffer_m / 1000.0
    names = np.array([p.name for p in ports], dtype=object)
    df = sightings.with_columns(
        pl.Series("port", np.where(at_port, names[idx], None).tolist(), dtype=pl.String)
    )

    cands = ais_candidates(df, tracks, vessels, cfg) if ais is None else ais
    df = df.join(resolve_ais(cands), on="sighting_id", how="left")

    watched = [p.name for p in ports if p.role == WATCH]
    pairs = (
        df.filter(pl.col(s.MMSI).is_null() & pl.col("port").is_in(watched))
        .select("sighting_id", "port", "observed_at", pl.col("length_m").alias("_slen"))
        .join(
            transits.select(
                "transit_id",
                pl.col("call_port").alias("port"),
                "call_window_start",
                "call_window_end",
                pl.col(s.LENGTH_M).alias("_tlen"),
                pl.col(s.MMSI).alias("_tm"),
            ),
            on="port",
        )
        .filter(
            pl.col("observed_at").is_between(pl.col("call_window_start"), pl.col("call_window_end"))
            & lengths_agree(pl.col("_slen"), pl.col("_tlen"), cfg)
        )
        .select("sighting_id", "port", "observed_at", "transit_id", "_tm", "_slen", "_tlen")
    )
    attributed = _attribute(pairs)
    df = (
        df.join(attributed, on="sighting_id", how="left")
        .with_columns(
            pl.when(pl.col(s.MMSI).is_not_null())
            .then(pl.lit(AIS))
            .when(pl.col("_match").is_not_null())
            .then(pl.col("_match"))
            .otherwise(pl.lit(UNIDENTIFIED))
            .alias("match"),
            pl.coalesce(s.MMSI, "_tm").alias(s.MMSI),
        )
        .drop("_match", "_tm")
    )
    df = _unidentified_calls(df, cfg)
    imagery = (
        df.filter(pl.col("match") == DARK)
        .join(pairs.select("sighting_id", "transit_id", "_slen", "_tlen"), on=["sighting_id", "transit_id"])
        .sort("observed_at", "sighting_id")
        .group_by("transit_id", maintain_order=True)
        .agg(
            pl.col("sighting_id").str.join(";").alias("sighting_ids"),
            pl.format(
                "{} at {} {}, {} (vessel {})",
                "sighting_id",
                "port",
                pl.col("observed_at").dt.strftime("%Y-%m-%dT%H:%MZ"),
                pl.when(pl.col("_slen").is_not_null())
                .then(pl.format("{} m", pl.col("_slen").round(0).cast(pl.Int64)))
                .otherwise(pl.lit("length unknown")),
                pl.when(pl.col("_tlen").is_not_null())
                .then(pl.format("{} m", pl.col("_tlen").round(0).cast(pl.Int64)))
                .otherwise(pl.lit("length unknown")),
            )
            .str.join("; ")
            .alias("_seen"),
            (pl.col("_slen").is_not_null() & pl.col("_tlen").is_not_null()).any().alias("imaged"),
        )
        .with_columns(
            pl.concat_str(
                [
                    pl.col("_seen"),
                    pl.when(pl.col("imaged"))
                    .then(pl.lit(", lengths agree and no other candidate explains it"))
                    .otherwise(
                        pl.lit(", length not known on both sides, so it supports but does not confirm")
                    ),
                ]
            ).alias("imagery")
        )
        .select("transit_id", "sighting_ids", "imagery", "imaged")
    )
    keep = [c for c in sightings.columns] + OUT_COLUMNS
    return df.sort("observed_at", "sighting_id").select(keep), imagery


def _attribute(pairs: pl.DataFrame) -> pl.DataFrame:
    """Joint attribution of imagery detections to candidate dark transits, one satellite pass at a time.

    Within one image (one port, one ``observed_at``) detections and candidate transits form a bipartite
    graph (a pair: the detection is inside the transit's call window with agreeing length). In each
    connected part, when there are exactly as many candidates as detections, every candidate was there:
    each is given one detection (the assignment with the closest lengths). Otherwise which vessel each
    detection is cannot be told: with more candidates than detections any of them may be missing, with
    fewer any detection may be another, unknown ship. The detections are then ``ambiguous`` and list
    their candidates (they are explainable, so they are no unidentified call). A loop over sightings (a
    few hundred), never over positions.

    Returns ``sighting_id, _match (dark_transit / ambiguous), transit_id, _tm (its MMSI), candidates``.
    """
    from scipy.optimize import linear_sum_assignment

    out: list[tuple[str, str, str | None, int | None, str | None]] = []
    for _, image in pairs.sort("sighting_id", "transit_id").group_by(
        ["port", "observed_at"], maintain_order=True
    ):
        rows = image.rows(named=True)
        # connected parts, by union-find over detections and candidates
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def find(x: tuple[str, str], parent: dict = parent) -> tuple[str, str]:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for r in rows:
            a, b = find(("s", r["sighting_id"])), find(("t", r["transit_id"]))
            if a != b:
                parent[b] = a
        parts: dict[tuple[str, str], list[dict]] = {}
        for r in rows:
            parts.setdefault(find(("s", r["sighting_id"])), []).append(r)
        for part in parts.values():
            sids = sorted({r["sighting_id"] for r in part})
            tids = sorted({r["transit_id"] for r in part})
            if len(tids) != len(sids):
                own: dict[str, list[str]] = {}
                for r in part:
                    own.setdefault(r["sighting_id"], []).append(r["transit_id"])
                out += [(sid, AMBIGUOUS, None, None, ";".join(sorted(own[sid]))) for sid in sids]
                continue
            big = 1e9
            cost = np.full((len(sids), len(tids)), big)
            mmsi = {}
            for r in part:
                diff = 0.0 if r["_slen"] is None or r["_tlen"] is None else abs(r["_slen"] - r["_tlen"])
                cost[sids.index(r["sighting_id"]), tids.index(r["transit_id"])] = diff
                mmsi[r["transit_id"]] = r["_tm"]
            for i, j in zip(*linear_sum_assignment(cost), strict=True):
                if cost[i, j] < big:
                    out.append((sids[i], DARK, tids[j], mmsi[tids[j]], None))
    return pl.DataFrame(
        out,
        schema={
            "sighting_id": pl.String,
            "_match": pl.String,
            "transit_id": pl.String,
            "_tm": pl.Int64,
            "candidates": pl.String,
        },
        orient="row",
    )


def _unidentified_calls(df: pl.DataFrame, cfg: SightingSettings) -> pl.DataFrame:
    """Chain unidentified sightings at one port, close in time with agreeing lengths, into calls."""
    u = df.filter((pl.col("match") == UNIDENTIFIED) & pl.col("port").is_not_null()).sort(
        "port", "observed_at", "sighting_id"
    )
    # Greedy chaining needs the previous call's length, so it walks the (few) sightings of each port.
    call_ids: dict[str, str] = {}
    for (port,), group in u.group_by(["port"], maintain_order=True):
        open_calls: list[tuple[str, object, float | None]] = []  # (call_id, last time, length)
        for sid, t, length in group.select("sighting_id", "observed_at", "length_m").iter_rows():
            found = None
            for k, (cid, last_t, clen) in enumerate(open_calls):
                # two detections in one image are two ships, never one call
                if (
                    last_t != t
                    and (t.date() - last_t.date()).days <= cfg.call_link_days
                    and lengths_agree(length, clen, cfg)
                ):
                    found = k
                    open_calls[k] = (cid, t, clen if clen is not None else length)
                    call_ids[sid] = cid
                    break
            if found is None:
                cid = f"U-{port}-{sid}"
                open_calls.append((cid, t, length))
                call_ids[sid] = cid
    ids = pl.DataFrame(
        {"sighting_id": list(call_ids), "call_id": list(call_ids.values())},
        schema={"sighting_id": pl.String, "call_id": pl.String},
    )
    return df.join(ids, on="sighting_id", how="left")
