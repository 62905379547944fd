"""The output tables of a detection run: names, column order and types, in one place.

Every stage builds its table in this order, the writers write it (``RUN_DIR/<table>.csv``), the run-folder
reader (:func:`shipwatch.results.read_results`) types it back, and the tests check against it. Column
names that several tables share are constants here, and so is the one id format of every event.

Times are ``datetime[us, UTC]`` in memory and UTC ISO 8601 (``2023-10-14T02:31:00Z``) in the CSVs.
"""

from __future__ import annotations

import polars as pl

from shipwatch import schema as s

# --- shared column names -----------------------------------------------------------------------------
PORT = "port"
ROLE = "role"
MONTH = "month"
EVIDENCE = "evidence"
IDENTITY = "identity"  # 0 for an ordinary track; 1, 2, ... for the ships behind a shared MMSI
SHARED = "shared_mmsi"  # True inside the window where an MMSI was used by two ships at once
NEAREST_PORT = "nearest_port"  # nearest port within exit_km, without hysteresis
NEAREST_KM = "nearest_port_km"  # distance (km) to that port's polygon
VISIT_ID, GAP_ID, TRANSIT_ID, SIGHTING_ID, CALL_ID = (
    "visit_id",
    "gap_id",
    "transit_id",
    "sighting_id",
    "call_id",
)
#: The key of one vessel identity: an MMSI, and which of the ships behind a shared MMSI.
VESSEL_KEYS = [s.MMSI, IDENTITY]

_T = s.TIME_DTYPE
_F, _S, _B, _I64 = pl.Float64(), pl.String(), pl.Boolean(), pl.Int64()

PORT_VISITS: dict[str, pl.DataType] = {
    s.MMSI: _I64,
    s.VESSEL_NAME: _S,
    PORT: _S,
    "arrival": _T,
    "departure": _T,
    "hours": _F,
    "confidence": pl.Int8(),
    ROLE: _S,
    "positions": pl.UInt32(),
    "stop": _B,
    "in_port_gap_hours": _F,
    "entry_observed": _B,
    "exit_observed": _B,
    IDENTITY: pl.Int16(),
    VISIT_ID: _S,
}

GAPS_HEAD: dict[str, pl.DataType] = {
    GAP_ID: _S,
    s.MMSI: _I64,
    s.VESSEL_NAME: _S,
    "start_time": _T,
    "end_time": _T,
    "open": _B,
    "hours": _F,
    "start_lat": _F,
    "start_lon": _F,
    "end_lat": _F,
    "end_lon": _F,
    "distance_km": _F,
    "distance_nm": _F,
    "implied_speed_kn": _F,
}
GAPS_TAIL: dict[str, pl.DataType] = {
    "start_port": _S,
    "end_port": _S,
    "start_in_port": _B,
    "end_in_port": _B,
    "start_sog": _F,
    "start_cog": _F,
    "end_sog": _F,
    "end_cog": _F,
    "coverage_vessels": pl.UInt32(),
}


def before_column(hours: float) -> str:
    """Name of the column counting a vessel's own positions in the ``hours`` before a gap."""
    return f"positions_{hours:g}h_before"


def gaps_schema(before_hours: tuple[float, ...] = (6.0, 12.0, 24.0)) -> dict[str, pl.DataType]:
    """The gaps table for the windows ``before_hours`` (:attr:`shipwatch.settings.GapSettings.before_hours`)."""
    return {**GAPS_HEAD, **{before_column(h): pl.UInt32() for h in before_hours}, **GAPS_TAIL}


DARK_TRANSITS: dict[str, pl.DataType] = {
    TRANSIT_ID: _S,
    s.MMSI: _I64,
    s.VESSEL_NAME: _S,
    "dark_start": _T,
    "dark_end": _T,
    "dark_hours": _F,
    "departure_port": _S,
    "call_port": _S,
    "arrival_port": _S,
    EVIDENCE: _S,
    "why": _S,
    "sighting_ids": _S,
    "imagery": _S,
    MONTH: _S,
    GAP_ID: _S,
    # where: the last fix, the call point and the next fix (lon, lat)
    "start_lon": _F,
    "start_lat": _F,
    "call_lon": _F,
    "call_lat": _F,
    "end_lon": _F,
    "end_lat": _F,
    # motion across the silence
    "start_port": _S,
    "end_port": _S,
    "displacement_km": _F,
    "implied_speed_kn": _F,
    "motion": _S,
    "sog_before": _F,
    "cog_before": _F,
    "sog_after": _F,
    "cog_after": _F,
    "kept_course": _B,
    # link to destination ports
    "departed_destination": _B,
    "arrived_destination": _B,
    # timing: straight line (reachability, a lower bound) and over water (the stronger grades)
    "speed_kn": _F,
    "km_to_call": _F,
    "km_from_call": _F,
    "hours_needed": _F,
    "sea_km_to_call": _F,
    "sea_km_from_call": _F,
    "sea_hours_needed": _F,
    "fits_timing": _B,
    "call_window_start": _T,
    "call_window_end": _T,
    s.LENGTH_M: _F,
    # how routine this vessel's silences are
    "vessel_candidate_calls": pl.UInt32(),
    "vessel_gaps_per_30d": _F,
    "routine": _B,
}

#: The columns of a sightings input (after :func:`shipwatch.sightings.parse_sightings`); other input
#: columns are kept after these.
SIGHTINGS_IN: dict[str, pl.DataType] = {
    SIGHTING_ID: _S,
    "observed_at": _T,
    "lat": _F,
    "lon": _F,
    s.LENGTH_M: _F,
    "source": _S,
}
#: What matching adds to each sighting.
SIGHTINGS_OUT: dict[str, pl.DataType] = {
    PORT: _S,
    "match": _S,
    s.MMSI: _I64,
    TRANSIT_ID: _S,
    CALL_ID: _S,
    "candidates": _S,
    "distance_m": _F,
}

MONTHLY_SUMMARY: dict[str, pl.DataType] = {
    MONTH: _S,
    PORT: _S,
    ROLE: _S,
    **{
        c: _I64
        for c in (
            "dark_calls",
            "dark_calls_confirmed",
            "dark_calls_probable",
            "dark_calls_possible",
            "dark_calls_possible_routine",
            "dark_arrivals",
            "dark_departures",
            "unidentified_calls",
            "vessels",
            "ais_visits",
        )
    },
}

#: The cleaned, labelled positions a run keeps (``tracks.parquet``): what maps and tracks are drawn from.
TRACKS: dict[str, pl.DataType] = {
    s.MMSI: _I64,
    IDENTITY: pl.Int16(),
    s.TIMESTAMP: _T,
    s.LAT: _F,
    s.LON: _F,
    s.SOG: _F,
    s.COG: _F,
    SHARED: _B,
    PORT: _S,
}

#: One row per vessel (MMSI): what its reports say it is (:func:`shipwatch.vessels.vessel_info`).
VESSELS: dict[str, pl.DataType] = {
    s.MMSI: _I64,
    s.VESSEL_NAME: _S,
    s.IMO: _I64,
    s.CALLSIGN: _S,
    s.SHIP_TYPE: pl.Int16(),
    s.LENGTH_M: _F,
}

#: Table name → file name in a run folder, in the order they are written.
CSV_FILES: dict[str, str] = {
    "port_visits": "port_visits.csv",
    "gaps": "gaps.csv",
    "dark_transits": "dark_transits.csv",
    "sightings": "sightings.csv",
    "monthly_summary": "monthly_summary.csv",
    "vessels": "vessels.csv",
}
TRACKS_FILE = "tracks.parquet"
MANIFEST_FILE = "run.json"


def empty(columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty table with these columns."""
    return pl.DataFrame(schema=columns)


def event_id(prefix: str, time: str, *extra: str) -> pl.Expr:
    """The one id format of events: ``<prefix><mmsi>-<YYYYmmddTHHMMSS of time>[-<extra>...]``.

    ``V273990195-20230801T004248`` (a visit), ``G…`` (a gap), ``DT-…-Najin`` (a dark transit).
    """
    parts = [
        pl.lit(prefix),
        pl.col(s.MMSI).cast(pl.String),
        pl.lit("-"),
        pl.col(time).dt.strftime("%Y%m%dT%H%M%S"),
    ]
    for e in extra:
        parts += [pl.lit("-"), pl.col(e).cast(pl.String)]
    return pl.concat_str(parts)
