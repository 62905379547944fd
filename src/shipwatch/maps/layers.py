"""What every map draws, computed once: transit routes over water, the extent, the period, popup text.

The static map (:mod:`shipwatch.maps.static`), the interactive map (:mod:`shipwatch.maps.interactive`) and the
exports (:mod:`shipwatch.geoexport`) all take their geometry and their words from here.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import shapely

from shipwatch.errors import InputError
from shipwatch.ports import DESTINATION, WATCH

if TYPE_CHECKING:
    from shipwatch.detection import Detection

BBox = tuple[float, float, float, float]


# --- text -------------------------------------------------------------------------------------------
def fmt_time(value: Any) -> str:
    """A time as ``2023-10-14 02:31 UTC`` ('' when missing)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def fmt_num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def vessel_label(row: dict[str, Any]) -> str:
    name = row.get("vessel_name") or "(no name)"
    mmsi = row.get("mmsi")
    return f"{name} (MMSI {mmsi})" if mmsi is not None else str(name)


def transit_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The popup of one dark transit: (label, text) pairs, plain text (escape at the point of use)."""
    grade = row.get("evidence") or ""
    if row.get("routine"):
        grade += " (routine vessel: goes dark often)"
    route = " → ".join(str(row.get(c) or "?") for c in ("departure_port", "call_port", "arrival_port"))
    return [
        ("vessel", vessel_label(row)),
        ("transit", str(row.get("transit_id") or "")),
        ("dark from", fmt_time(row.get("dark_start"))),
        ("dark until", fmt_time(row.get("dark_end"))),
        ("hours dark", fmt_num(row.get("dark_hours"))),
        ("route", route),
        ("grade", grade),
        ("why", str(row.get("why") or "")),
        ("imagery", str(row.get("imagery") or row.get("sighting_ids") or "")),
    ]


def sighting_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("sighting", str(row.get("sighting_id") or "")),
        ("observed", fmt_time(row.get("observed_at"))),
        ("port", str(row.get("port") or "")),
        ("match", str(row.get("match") or "")),
        ("vessel MMSI", "" if row.get("mmsi") is None else str(row.get("mmsi"))),
        ("transit", str(row.get("transit_id") or "")),
        ("candidates", str(row.get("candidates") or "")),
        ("length m", fmt_num(row.get("length_m"), 0)),
        ("source", str(row.get("source") or "")),
    ]


def gap_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("vessel", vessel_label(row)),
        ("gap", str(row.get("gap_id") or "")),
        ("silent from", fmt_time(row.get("start_time"))),
        ("silent until", fmt_time(row.get("end_time")) or "(still silent: open gap)"),
        ("hours", fmt_num(row.get("hours"))),
        ("from port", str(row.get("start_port") or "")),
        ("to port", str(row.get("end_port") or "")),
    ]


def visit_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("vessel", vessel_label(row)),
        ("port", str(row.get("port") or "")),
        ("arrival", fmt_time(row.get("arrival"))),
        ("departure", fmt_time(row.get("departure"))),
        ("hours", fmt_num(row.get("hours"))),
        ("confidence", str(row.get("confidence") or "")),
    ]


def track_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("vessel", vessel_label(row)),
        ("from", fmt_time(row.get("start"))),
        ("to", fmt_time(row.get("end"))),
        ("positions", str(row.get("positions") or "")),
    ]


def transit_name(row: dict[str, Any]) -> str:
    return f"{row.get('vessel_name') or row.get('mmsi')}: {row.get('call_port')} ({row.get('evidence')})"


def period_text(det: Detection) -> str:
    """First – last dark start (the data span when there is no transit), as ``2023-08-23 – 2023-12-29``."""
    col = det.dark_transits["dark_start"] if det.dark_transits.height else det.tracks["timestamp"]
    col = col.drop_nulls()
    if col.len() == 0:
        return "no data"
    first, last = col.min(), col.max()
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


def describe_source(manifest: dict[str, Any] | None) -> str:
    """The data source of a run in a few words, from ``run.json`` ``inputs``."""
    if not manifest:
        return ""
    inputs = manifest.get("inputs") or []
    ais = [i for i in inputs if i.get("role") != "sightings"]
    imagery = [i for i in inputs if i.get("role") == "sightings"]
    parts = []
    if ais:
        folders = sorted(
            {Path(i["path"]).parent.name if i.get("files", 1) == 1 else Path(i["path"]).name for i in ais}
        )
        files = sum(int(i.get("files") or 1) for i in ais)
        parts.append(
            f"AIS: {files} file{'s' if files != 1 else ''} in {', '.join(folders[:3])}"
            + (" …" if len(folders) > 3 else "")
        )
    if imagery:
        parts.append("imagery: " + ", ".join(Path(i["path"]).name for i in imagery))
    return "; ".join(parts)


# --- geometry ---------------------------------------------------------------------------------------
def _finite(*values: Any) -> bool:
    return all(v is not None and math.isfinite(float(v)) for v in values)


def transit_route(row: dict[str, Any], ports: dict[str, Any]) -> shapely.LineString | None:
    """The dark transit drawn over water: last fix → call port (its call point) → next fix.

    The inbound leg is :func:`shipwatch.seaway.sea_route` from the last fix to the call port, the outbound
    leg the route from the next fix to the port reversed. A missing end leaves its leg out; a call port
    that is not in the registry is drawn straight through the call point. None when nothing can be drawn.
    """
    from shipwatch.seaway import sea_route

    port = ports.get(row.get("call_port"))
    if port is not None:
        call = port.call_point()
    elif _finite(row.get("call_lon"), row.get("call_lat")):
        call = (float(row["call_lon"]), float(row["call_lat"]))
    else:
        return None
    coords: list[tuple[float, float]] = []
    if _finite(row.get("start_lon"), row.get("start_lat")):
        start = (float(row["start_lon"]), float(row["start_lat"]))
        coords += list(sea_route(port, *start).coords) if port is not None else [start]
    coords.append(call)
    if _finite(row.get("end_lon"), row.get("end_lat")):
        end = (float(row["end_lon"]), float(row["end_lat"]))
        coords += list(sea_route(port, *end).coords)[::-1] if port is not None else [end]
    coords = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
    if len(coords) < 2:
        return None
    return shapely.LineString(coords)


def transit_routes(det: Detection) -> list[shapely.LineString | None]:
    """:func:`transit_route` of every row of ``det.dark_transits``, in order (cached on the detection)."""
    cache = det.__dict__.setdefault("_maps_cache", {})
    key = ("routes", id(det.dark_transits), det.dark_transits.height)
    if key not in cache:
        ports = {p.name: p for p in det.ports}
        cache[key] = [transit_route(r, ports) for r in det.dark_transits.iter_rows(named=True)]
    return cache[key]


def shown_transits(det: Detection, *, show_routine: bool = False) -> pl.DataFrame:
    """Dark transits to draw, with their row index ``_row``: routine vessels' *possible* calls are left
    out unless ``show_routine``."""
    t = det.dark_transits.with_row_index("_row")
    if show_routine or t.height == 0:
        return t
    return t.filter(~((pl.col("evidence") == "possible") & pl.col("routine").fill_null(False)))


def pad_bbox(b: BBox, frac: float = 0.12, min_deg: float = 0.05) -> BBox:
    w, h = b[2] - b[0], b[3] - b[1]
    px, py = max(w * frac, min_deg), max(h * frac, min_deg)
    return (b[0] - px, b[1] - py, b[2] + px, b[3] + py)


def default_extent(det: Detection, *, show_routine: bool = False) -> BBox:
    """The watched and destination ports plus the drawn transits, with a margin."""
    geoms = [p.geometry for p in det.ports if p.role in (WATCH, DESTINATION)]
    routes = transit_routes(det)
    geoms += [
        routes[i] for i in shown_transits(det, show_routine=show_routine)["_row"].to_list() if routes[i]
    ]
    if not geoms:
        geoms = [p.geometry for p in det.ports]
    if not geoms and det.tracks.height:
        t = det.tracks
        return pad_bbox((t["lon"].min(), t["lat"].min(), t["lon"].max(), t["lat"].max()))
    if not geoms:
        return (129.5, 41.5, 133.5, 43.5)
    b = shapely.union_all(geoms).bounds
    return pad_bbox(b)


def transit_row(det: Detection, transit_id: str) -> dict[str, Any]:
    """One dark transit by id; :class:`InputError` naming a few known ids when it is unknown."""
    t = det.dark_transits.with_row_index("_row").filter(pl.col("transit_id") == transit_id)
    if t.height == 0:
        known = det.dark_transits["transit_id"].head(3).to_list()
        hint = f"; for example {', '.join(known)}" if known else "; this run has no dark transits"
        raise InputError(f"unknown transit id {transit_id!r} (see dark_transits.csv{hint})")
    return t.row(0, named=True)


def parse_bbox(text: str | BBox | None) -> BBox | None:
    """``W,S,E,N`` degrees (text or a 4-sequence) checked; :class:`InputError` when it is not a box."""
    if text is None:
        return None
    try:
        vals = [float(v) for v in (text.split(",") if isinstance(text, str) else text)]
    except (TypeError, ValueError) as err:
        raise InputError(
            f"bbox {text!r}: give four numbers W,S,E,N in degrees, like 130,41.5,133.5,43.5"
        ) from err
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise InputError(f"bbox {text!r}: give four numbers W,S,E,N in degrees, like 130,41.5,133.5,43.5")
    w, s, e, n = vals
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(f"bbox {text!r}: need -180 <= W < E <= 180 and -90 <= S < N <= 90 (W,S,E,N order)")
    return (w, s, e, n)


def focus_window(det: Detection, row: dict[str, Any], hours: float) -> pl.DataFrame:
    """The vessel's own positions from ``hours`` before the dark start to ``hours`` after its end."""
    from datetime import timedelta

    start = row["dark_start"] - timedelta(hours=hours)
    end = (row["dark_end"] or row["dark_start"]) + timedelta(hours=hours)
    t = det.tracks
    return t.filter((pl.col("mmsi") == row["mmsi"]) & pl.col("timestamp").is_between(start, end)).sort(
        "timestamp"
    )


def focus_sightings(det: Detection, row: dict[str, Any], hours: float) -> pl.DataFrame:
    """Imagery of a transit: its own sightings and those at its call port during the window."""
    from datetime import timedelta

    sg = det.sightings
    if sg.height == 0:
        return sg
    start = row["dark_start"] - timedelta(hours=hours)
    end = (row["dark_end"] or row["dark_start"]) + timedelta(hours=hours)
    own = set(filter(None, (row.get("sighting_ids") or "").replace(",", ";").split(";")))
    return sg.filter(
        (pl.col("transit_id") == row["transit_id"]).fill_null(False)
        | pl.col("sighting_id").is_in(list(own))
        | (
            (pl.col("port") == row["call_port"]).fill_null(False)
            & pl.col("observed_at").is_between(start, end)
        )
    )


def focus_visits(det: Detection, row: dict[str, Any], hours: float) -> pl.DataFrame:
    from datetime import timedelta

    start = row["dark_start"] - timedelta(hours=hours)
    end = (row["dark_end"] or row["dark_start"]) + timedelta(hours=hours)
    v = det.port_visits
    return v.filter(
        (pl.col("mmsi") == row["mmsi"])
        & (pl.col("arrival") <= end)
        & (pl.col("departure").fill_null(end) >= start)
    )


def decimate(line: shapely.Geometry, tolerance: float) -> shapely.Geometry:
    """A line simplified to ``tolerance`` degrees (topology not preserved: cheap)."""
    return shapely.simplify(line, tolerance, preserve_topology=False) if tolerance > 0 else line


def km_per_degree_lon(lat: float) -> float:
    return 111.32 * float(np.cos(np.radians(lat)))
