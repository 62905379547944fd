"""Imagery sightings: match each to an AIS vessel, to a dark transit, or leave it unidentified.

A sighting (``observed_at`` UTC, ``lat``, ``lon``, optional ``length_m``, ``source``,
``sighting_id``) gets one match:

``ais``
    an AIS vessel was there: its position interpolated to the image time is within
    ``ais_distance_m``, and the lengths agree when both are known;
``dark_transit``
    it is at a watched port inside exactly one dark transit's call window, with agreeing length;
``unidentified``
    neither (when several dark transits could explain it, their ids are listed in ``candidates``).

A probable transit with an attributed sighting whose length agrees becomes ``confirmed``.
Unidentified sightings at one port on consecutive UTC days (``call_link_days``), with agreeing
lengths, form one unidentified call (``call_id``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from shipwatch import schema as s
from shipwatch.errors import InputError
from shipwatch.frames import TableLike, to_polars
from shipwatch.geo import haversine_km
from shipwatch.ports import WATCH, Port, distance_matrix_km
from shipwatch.settings import SightingSettings
from shipwatch.tables import SIGHTINGS_OUT
from shipwatch.times import parse_iso_utc
from shipwatch.transits import CONFIRMED, PROBABLE

AIS, DARK, UNIDENTIFIED = "ais", "dark_transit", "unidentified"
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
        raise InputError(
            f"{source}: line {r['_r']}: unusable observed_at/lat/lon ({raw.row(r['_r'] - 2, named=True)}); "
            "observed_at must be UTC ISO 8601 and lat/lon in degrees"
        )
    if df["sighting_id"].is_duplicated().any():
        dup = df.filter(pl.col("sighting_id").is_duplicated())["sighting_id"][0]
        raise InputError(f"{source}: duplicate sighting_id {dup!r}")
    return df


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


def _ais_matches(
    sightings: pl.DataFrame, tracks: pl.DataFrame, vessels: pl.DataFrame, cfg: SightingSettings
) -> pl.DataFrame:
    """For each sighting, the nearest AIS vessel whose interpolated position explains it, if any.

    Matching is one-to-one per image (sightings sharing ``observed_at``): candidate pairs are taken
    nearest first, and a vessel that explains one detection cannot explain another in the same image.
    """
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
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Match sightings; return (sightings with match columns, transits with confirmed evidence).

    Parameters
    ----------
    sightings
        From :func:`read_sightings` / :func:`parse_sightings`.
    tracks
        Cleaned positions (:func:`shipwatch.tracks.clean_tracks`).
    transits
        From :func:`shipwatch.transits.dark_transits`.
    vessels
        From :func:`shipwatch.visits.vessel_info`.
    """
    cfg = settings or SightingSettings()
    sightings, tracks = to_polars(sightings, what="sightings"), to_polars(tracks, what="tracks")
    if sightings.height == 0:
        return sightings.with_columns(
            [pl.lit(None, dtype).alias(c) for c, dtype in OUT_SCHEMA.items()]
        ), transits
    dist = distance_matrix_km(
        ports, sightings["lat"].to_numpy(), sightings["lon"].to_numpy(), max_km=cfg.port_buffer_m / 1000.0
    )
    idx = np.argmin(dist, axis=1)
    at_port = dist[np.arange(len(idx)), idx] <= cfg.port_buffer_m / 1000.0
    names = np.array([p.name for p in ports], dtype=object)
    df = sightings.with_columns(
        pl.Series("port", np.where(at_port, names[idx], None).tolist(), dtype=pl.String)
    )

    ais = _ais_matches(df, tracks, vessels, cfg)
    df = df.join(ais, on="sighting_id", how="left")

    watched = [p.name for p in ports if p.role == WATCH]
    cands = (
        df.filter(pl.col(s.MMSI).is_null() & pl.col("port").is_in(watched))
        .select("sighting_id", "port", "observed_at", pl.col("length_m").alias("_slen"))
        .join(
            transits.select(
                "transit_id",
                pl.col("call_port").alias("port"),
                "call_window_start",
                "call_window_end",
                s.LENGTH_M,
                pl.col(s.MMSI).alias("_tm"),
            ),
            on="port",
        )
        .filter(
            pl.col("observed_at").is_between(pl.col("call_window_start"), pl.col("call_window_end"))
            & lengths_agree(pl.col("_slen"), pl.col(s.LENGTH_M), cfg)
        )
        .sort("transit_id")
        .group_by("sighting_id")
        .agg(
            pl.col("transit_id"),
            pl.col("_tm").first(),
            pl.len().alias("_k"),
            (pl.col("_slen").is_not_null() & pl.col(s.LENGTH_M).is_not_null())
            .first()
            .alias("_lengths_known"),
        )
    )
    # A transit can explain one detection per image: when several detections of one image would
    # each be explained only by the same transit, none of them is attributed.
    df = (
        df.join(cands, on="sighting_id", how="left")
        .with_columns(
            pl.when(pl.col("_k") == 1)
            .then(pl.len().over("observed_at", pl.col("transit_id").list.first()))
            .alias("_claims")
        )
        .with_columns(
            pl.when(pl.col(s.MMSI).is_not_null())
            .then(pl.lit(AIS))
            .when((pl.col("_k") == 1) & (pl.col("_claims") == 1))
            .then(pl.lit(DARK))
            .otherwise(pl.lit(UNIDENTIFIED))
            .alias("match"),
        )
        .with_columns(
            pl.when(pl.col("match") == DARK).then(pl.col("_tm")).otherwise(pl.col(s.MMSI)).alias(s.MMSI),
            pl.when(pl.col("match") == DARK).then(pl.col("transit_id").list.first()).alias("_tid"),
            pl.when((pl.col("match") == UNIDENTIFIED) & (pl.col("_k") >= 1))
            .then(pl.col("transit_id").list.join(";"))
            .alias("candidates"),
        )
        .drop("transit_id")
        .rename({"_tid": "transit_id"})
    )
    df = _unidentified_calls(df, cfg)

    attributed = (
        df.filter(pl.col("match") == DARK)
        .sort("sighting_id")
        .group_by("transit_id")
        .agg(
            pl.col("sighting_id").str.join(";").alias("_sids"), pl.col("_lengths_known").any().alias("_conf")
        )
    )
    transits = (
        transits.join(attributed, on="transit_id", how="left")
        .with_columns(
            pl.col("_sids").alias("sighting_ids"),
            pl.when((pl.col("evidence") == PROBABLE) & pl.col("_conf").fill_null(False))
            .then(pl.lit(CONFIRMED))
            .otherwise(pl.col("evidence"))
            .alias("evidence"),
        )
        .drop("_sids", "_conf")
    )
    keep = [c for c in sightings.columns] + OUT_COLUMNS
    return df.sort("observed_at", "sighting_id").select(keep), transits


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
