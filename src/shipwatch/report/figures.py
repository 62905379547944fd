"""The one adapter between the report and the figure/export modules.

The report asks for five things: a monthly chart, a static map of the transits (whole period, and one
thumbnail per transit), an offline interactive map, and GeoJSON/KML exports. When :mod:`shipwatch.maps` and
:mod:`shipwatch.geoexport` are installed they draw and write them; until then the small matplotlib and
hand-written fallbacks below do. Every file written here is deterministic (no timestamp or software
version in PNG/SVG metadata), so a rerun on the same data gives the same bytes.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import polars as pl

from shipwatch.detection import Detection

try:  # the real modules; the fallbacks below when they are missing or lack what the report calls
    from shipwatch import maps as _maps
except ImportError:  # pragma: no cover - depends on the installation
    _maps = None
if _maps is not None and not all(hasattr(_maps, f) for f in ("save_map", "save_monthly", "write_html")):
    _maps = None  # pragma: no cover
try:
    from shipwatch import geoexport as _geoexport
except ImportError:  # pragma: no cover
    _geoexport = None
if _geoexport is not None and not hasattr(_geoexport, "export"):
    _geoexport = None  # pragma: no cover

EVIDENCE_COLOURS = {"confirmed": "#b2182b", "probable": "#ef8a62", "possible": "#999999"}
PNG_META = {"Software": None}


def backend() -> str:
    """Which implementation draws the figures: ``shipwatch.maps`` or ``fallback``."""
    return "shipwatch.maps" if _maps is not None else "fallback"


def _pyplot():
    import logging

    import matplotlib

    matplotlib.use("Agg", force=True)
    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # a cron run stays quiet
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "shipwatch-report"
    plt.rcParams["path.simplify"] = True
    return plt


# --- monthly chart ---------------------------------------------------------------------------------------
def save_monthly_chart(
    detection: Detection, path: Path, *, reference: pl.DataFrame | None = None, labels: dict[str, str] | None = None
) -> Path:
    """Dark calls per month by port and grade, beside the published counts.

    :func:`shipwatch.maps.save_monthly` draws it when every month is whole; a period that covers part of a
    month gets the fallback below, whose axis says so (``labels``: ``2023-10 (1–7 only)``) and which sets a
    published count only beside a month the period covers whole.
    """
    whole = all(labels is None or labels.get(m, m) == m for m in detection.monthly_summary["month"].to_list())
    if _maps is not None and whole:
        return Path(_maps.save_monthly(detection, path, reference=reference))
    plt = _pyplot()
    ms = detection.monthly_summary.filter(pl.col("role") == "watch")
    per = ms.group_by("month", maintain_order=True).agg(
        pl.col("dark_calls_confirmed").sum(), pl.col("dark_calls_probable").sum(),
        pl.col("dark_calls_possible").sum(), pl.col("unidentified_calls").sum(),
    ).sort("month")
    months = per["month"].to_list()
    x = list(range(len(months)))
    fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=100)
    conf, prob = per["dark_calls_confirmed"].to_list(), per["dark_calls_probable"].to_list()
    ax.bar(x, conf, color=EVIDENCE_COLOURS["confirmed"], label="confirmed")
    ax.bar(x, prob, bottom=conf, color=EVIDENCE_COLOURS["probable"], label="probable")
    ax.plot(x, per["unidentified_calls"].to_list(), "s", color="#2166ac", label="unidentified imagery calls")
    if reference is not None and months:
        shown = [m for m in months if (labels or {}).get(m, m) == m]
        one = reference.filter(
            (pl.col("period_start") == pl.col("period_end")) & pl.col("period_start").is_in(shown)
            & (pl.col("metric") == "dark_calls")
        )
        for r in one.iter_rows(named=True):
            i = months.index(r["period_start"])
            ax.plot([i - 0.4, i + 0.4], [float(r["count"])] * 2, color="black", lw=1.5)
            ax.annotate(str(r["source"]), (i, float(r["count"])), textcoords="offset points", xytext=(0, 3),
                        ha="center", fontsize=7)
    names = [(labels or {}).get(m, m) for m in months]
    ax.set_xticks(x, names, rotation=30 if len(x) > 4 else 0, ha="right" if len(x) > 4 else "center", fontsize=8)
    ax.set_ylabel("dark calls (probable + confirmed)")
    ax.set_title("Dark calls at watched ports per month (black line: a published count)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata=PNG_META)
    plt.close(fig)
    return Path(path)


# --- maps ------------------------------------------------------------------------------------------------
def _transit_points(t: dict[str, Any]) -> list[tuple[float, float]]:
    pts = [(t["start_lon"], t["start_lat"]), (t["call_lon"], t["call_lat"]), (t["end_lon"], t["end_lat"])]
    return [(x, y) for x, y in pts if x is not None and y is not None]


def _bbox_of(detection: Detection, transits: list[dict[str, Any]], pad: float) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for t in transits:
        for x, y in _transit_points(t):
            xs.append(x)
            ys.append(y)
    ends = {t[k] for t in transits for k in ("departure_port", "call_port", "arrival_port") if t.get(k)}
    for p in detection.ports:
        if (p.role in ("watch", "destination") and not transits) or (p.name in ends and len(transits) == 1):
            c = p.geometry.centroid
            xs.append(c.x)
            ys.append(c.y)
    if not xs:
        return (129.5, 41.5, 133.5, 43.6)
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def _draw(ax, detection: Detection, transits: list[dict[str, Any]], bbox, *, small: bool) -> None:
    from shipwatch.coastline import land_polygons

    x0, y0, x1, y1 = bbox
    from matplotlib.collections import PolyCollection

    land = [list(zip(*poly.exterior.xy, strict=True)) for poly in land_polygons(bbox=bbox)]
    ax.add_collection(PolyCollection(land, facecolors="#e8e4d8", edgecolors="#b5ae98", linewidths=0.4, zorder=1))
    for t in transits:
        pts = _transit_points(t)
        colour = EVIDENCE_COLOURS.get(t["evidence"], "#555555")
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "-", color=colour, lw=1.6 if small else 1.0,
                alpha=0.9, zorder=3)
        ax.plot(pts[0][0], pts[0][1], "o", ms=3, color=colour, zorder=4)
        ax.plot(pts[-1][0], pts[-1][1], "s", ms=3, color=colour, zorder=4)
    for p in detection.ports:
        c = p.geometry.centroid
        if x0 <= c.x <= x1 and y0 <= c.y <= y1 and (p.role != "reference" or not small):
            colour = {"watch": "#7b3294", "destination": "#008837"}.get(p.role, "#444444")
            ax.plot(c.x, c.y, "^", ms=6 if p.role != "reference" else 3, color=colour, zorder=5)
            if p.role != "reference" or not small:
                ax.annotate(p.name, (c.x, c.y), textcoords="offset points", xytext=(4, 3),
                            fontsize=7 if small else 8, zorder=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / max(0.2, math.cos(math.radians((y0 + y1) / 2))))
    ax.set_facecolor("#f4f8fb")
    ax.tick_params(labelsize=6)


def save_transit_map(
    detection: Detection, path: Path, *, transit_id: str | None = None, bbox: tuple | None = None
) -> Path:
    """The dark transits of ``detection`` (or one of them, as a thumbnail) on a map.

    The whole period: :func:`shipwatch.maps.save_map` (A4, legend, tracks, imagery). A thumbnail (one transit)
    is always drawn here, small and quick (``shipwatch.maps`` takes about a second a map, and a legend
    bigger than a thumbnail): last fix (circle), call, next fix (square) over the bundled coastline. The
    same drawing is the fallback of the whole-period map when :mod:`shipwatch.maps` is missing.
    """
    if _maps is not None and transit_id is None:
        return Path(_maps.save_map(detection, path, bbox=bbox))
    plt = _pyplot()
    rows = detection.dark_transits
    if transit_id is not None:
        rows = rows.filter(pl.col("transit_id") == transit_id)
    transits = rows.to_dicts()
    small = transit_id is not None
    box = bbox or _bbox_of(detection, transits, 0.25 if small else 0.4)
    width = 3.2 if small else 7.5
    ratio = (box[3] - box[1]) / max(1e-6, (box[2] - box[0]) * math.cos(math.radians((box[1] + box[3]) / 2)))
    height = min(max(width * ratio, 1.6 if small else 3.5), 4.0 if small else 8.0) + (0.3 if small else 0.8)
    fig, ax = plt.subplots(figsize=(width, height), dpi=90 if small else 100)
    _draw(ax, detection, transits, box, small=small)
    if not small:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=c, label=e) for e, c in EVIDENCE_COLOURS.items()]
        ax.legend(handles=handles, fontsize=7, loc="lower right", title="evidence", title_fontsize=7)
        ax.set_title(f"{len(transits)} dark transit(s): last fix ● → call → next fix ■", fontsize=9)
        fig.tight_layout()
    else:
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.08, top=0.97)
    fig.savefig(path, metadata=PNG_META)
    plt.close(fig)
    return Path(path)


def interactive_map(detection: Detection, path: Path, *, tiles: str | None = None) -> Path:
    """An offline HTML map of the transits (:func:`shipwatch.maps.write_html`; fallback: a zoomable SVG and
    a table of the transits)."""
    if _maps is not None:
        return Path(_maps.write_html(detection, path, tiles=tiles))
    import io

    from shipwatch.report.render import render_template

    plt = _pyplot()
    transits = detection.dark_transits.to_dicts()
    fig, ax = plt.subplots(figsize=(10, 7.5), dpi=100)
    _draw(ax, detection, transits, _bbox_of(detection, transits, 0.4), small=False)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    text = render_template("interactive_fallback.html.j2", svg=svg, transits=transits)
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)


# --- exports ---------------------------------------------------------------------------------------------
def _iso(v: Any) -> Any:
    return v.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(v, "strftime") else v


_PROPS = ("transit_id", "mmsi", "vessel_name", "dark_start", "dark_end", "departure_port", "call_port",
          "arrival_port", "evidence", "why", "month")


def export(detection: Detection, out_dir: Path, *, fmt: str) -> list[Path]:
    """Dark transits (and, with :mod:`shipwatch.geoexport`, the sightings) as GeoJSON or KML in ``out_dir``."""
    if _geoexport is not None:
        return [Path(p) for p in _geoexport.export(detection, out_dir, fmt=fmt, tables=("dark_transits", "sightings"))]
    rows = detection.dark_transits.to_dicts()
    out_dir = Path(out_dir)
    if fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "properties": {k: _iso(t[k]) for k in _PROPS},
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in _transit_points(t)]},
            }
            for t in rows
        ]
        path = out_dir / "dark_transits.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1,
                                   ensure_ascii=False) + "\n", encoding="utf-8")
        return [path]
    if fmt == "kml":
        kml = ET.Element("kml", xmlns="http://www.opengis.net/kml/2.2")
        doc = ET.SubElement(kml, "Document")
        ET.SubElement(doc, "name").text = "shipwatch dark transits"
        for t in rows:
            pm = ET.SubElement(doc, "Placemark")
            ET.SubElement(pm, "name").text = f"{t['vessel_name'] or t['mmsi']} → {t['call_port']}"
            ET.SubElement(pm, "description").text = f"{t['evidence']}: {t['why']}"  # escaped by ElementTree
            ext = ET.SubElement(pm, "ExtendedData")
            for k in _PROPS:
                d = ET.SubElement(ext, "Data", name=k)
                ET.SubElement(d, "value").text = "" if t[k] is None else str(_iso(t[k]))
            line = ET.SubElement(pm, "LineString")
            ET.SubElement(line, "coordinates").text = " ".join(f"{x:.6f},{y:.6f}" for x, y in _transit_points(t))
        path = out_dir / "dark_transits.kml"
        ET.ElementTree(kml).write(path, encoding="utf-8", xml_declaration=True)
        return [path]
    raise ValueError(f"unknown export format {fmt!r}")
