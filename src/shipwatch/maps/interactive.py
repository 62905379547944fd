"""The interactive map: one HTML file that works offline (Leaflet inlined, no web tiles by default).

Layers (each switchable in the layer control): the drawn coastline (GSHHG / Natural Earth, simplified),
optional web tiles (``tiles=URL``: the only network reference the file can hold), port polygons by role,
AIS tracks (simplified), dark transits by grade (routine vessels' possible calls in their own layer, off), and
imagery sightings by match. A month slider shows one month of transits and sightings, or all of them.

Data from the air is hostile: it is embedded once, as JSON inside ``<script type="application/json">`` with
``<``, ``>``, ``&``, U+2028 and U+2029 escaped, and popups are built with DOM ``textContent``, never HTML.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from shipwatch.maps import layers as L
from shipwatch.maps import style as S
from shipwatch.resources import DATA_DIR

if TYPE_CHECKING:
    from shipwatch.detection import Detection

LEAFLET_DIR = DATA_DIR / "vendor" / "leaflet"
#: Simplification of the coastline and of the tracks (degrees, ~200 m) and the cap on track vertices.
LAND_TOLERANCE = 0.002
TRACK_TOLERANCE = 0.002
MAX_TRACK_POINTS = 60_000
DIGITS = 5

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: sorted keys, and ``<``, ``>``, ``&``, U+2028/2029 as ``\\uXXXX``.

    >>> script_json({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _ESCAPES[m.group(0)], text)


def _round(coords: Any) -> list:
    return [[round(float(x), DIGITS), round(float(y), DIGITS)] for x, y in coords]


def _rings(poly: shapely.Polygon) -> list:
    return [_round(poly.exterior.coords)] + [_round(r.coords) for r in poly.interiors]


def _polys(geom: shapely.Geometry) -> list:
    return [_rings(p) for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]


def _fields(pairs: list[tuple[str, str]]) -> list[list[str]]:
    return [[k, v] for k, v in pairs if v]


def _month(value: Any) -> str:
    return value.strftime("%Y-%m") if value is not None else ""


def payload(
    det: Detection,
    *,
    bbox: L.BBox | None = None,
    transit_id: str | None = None,
    tiles: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Everything the page draws, as plain JSON-able data."""
    from shipwatch.coastline import land_polygons
    from shipwatch.detection import track_lines

    view = L.parse_bbox(bbox) or L.default_extent(det, show_routine=True)
    routes = L.transit_routes(det)
    focus = L.transit_row(det, transit_id) if transit_id is not None else None
    if focus is not None and bbox is None and routes[focus["_row"]] is not None:
        view = L.pad_bbox(routes[focus["_row"]].bounds, 0.15, 0.05)
    # what the page covers: the view and everything drawn, with room to pan
    geoms = (
        [shapely.box(*view)]
        + [r for r in routes if r is not None]
        + [p.geometry for p in det.ports if p.role != "reference"]
    )
    cover = L.pad_bbox(shapely.union_all(geoms).bounds, 0.5, 0.5)
    land = shapely.simplify(
        shapely.union_all(land_polygons(bbox=cover)), LAND_TOLERANCE, preserve_topology=True
    )

    ports = [
        {
            "name": p.name,
            "role": p.role,
            "polys": _polys(p.geometry),
            "call": _round([p.call_point()])[0],
            "fields": _fields(
                [
                    ("port", p.name),
                    ("role", p.role),
                    ("country", p.country or ""),
                    ("UN/LOCODE", p.locode or ""),
                    ("source", p.source or ""),
                ]
            ),
        }
        for p in det.ports
    ]
    tracks = []
    if det.tracks.height:
        lines, pieces = track_lines(det.tracks, min_gap_hours=det.settings.gaps.min_hours)
        tol = TRACK_TOLERANCE
        simple = shapely.simplify(lines, tol, preserve_topology=False)
        while int(shapely.get_num_coordinates(simple).sum()) > MAX_TRACK_POINTS and tol < 0.1:
            tol *= 2
            simple = shapely.simplify(lines, tol, preserve_topology=False)
        for line, row in zip(simple, pieces.iter_rows(named=True), strict=True):
            tracks.append(
                {
                    "coords": _round(line.coords),
                    "fields": _fields(L.track_fields(row)),
                    "months": [_month(row["start"]), _month(row["end"])],
                }
            )
    transits = []
    for row in det.dark_transits.with_row_index("_row").iter_rows(named=True):
        line = routes[row["_row"]]
        if line is None:
            continue
        grade = row["evidence"] if row["evidence"] in S.GRADES else "possible"
        layer = "routine" if grade == "possible" and row.get("routine") else grade
        transits.append(
            {
                "id": row["transit_id"],
                "coords": _round(line.coords),
                "grade": grade,
                "layer": layer,
                "month": row.get("month") or _month(row["dark_start"]),
                "fields": _fields(L.transit_fields(row)),
            }
        )
    sightings = []
    for row in det.sightings.iter_rows(named=True):
        if not (L._finite(row.get("lon"), row.get("lat"))):
            continue
        match = row.get("match") if row.get("match") in S.MATCHES else "unidentified"
        sightings.append(
            {
                "lon": round(row["lon"], DIGITS),
                "lat": round(row["lat"], DIGITS),
                "match": match,
                "month": _month(row.get("observed_at")),
                "fields": _fields(L.sighting_fields(row)),
            }
        )
    months = sorted({t["month"] for t in transits} | {s["month"] for s in sightings} - {""})
    watched = ", ".join(p.name for p in det.ports if p.role == "watch") or "watched ports"
    return {
        "title": f"Dark transits via {watched}, {L.period_text(det)}",
        "subtitle": (
            f"{det.dark_transits.height} dark transits; "
            + (f"source: {source}; " if source else "")
            + "land: GSHHG / Natural Earth (offline)"
        ),
        "view": [[view[1], view[0]], [view[3], view[2]]],
        "land": _polys(land),
        "ports": ports,
        "tracks": tracks,
        "transits": transits,
        "sightings": sightings,
        "months": months,
        "focus": focus["transit_id"] if focus is not None else None,
        "tiles": tiles,
        "style": {
            "sea": S.SEA,
            "land": S.LAND,
            "coast": S.COAST,
            "track": S.TRACK,
            "grades": S.GRADE_COLOURS,
            "widths": S.GRADE_WIDTHS,
            "roles": S.ROLE_COLOURS,
            "matches": S.MATCH_COLOURS,
            "match_labels": S.MATCH_LABELS,
        },
    }


def _leaflet() -> tuple[str, str]:
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\([^)]*\)", "none", css)  # icon images: not used, and nothing to fetch
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover - a vendored file changed
        raise RuntimeError("the vendored Leaflet would end its own <script>/<style> element")
    return js, css


_PAGE_CSS = """
html, body { margin: 0; height: 100%; font-family: "DejaVu Sans", Arial, sans-serif; }
#map { position: absolute; inset: 0; }
.sw-box { background: rgba(255,255,255,0.92); padding: 6px 10px; border-radius: 4px;
          box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 13px; max-width: 420px; }
.sw-box h1 { font-size: 16px; margin: 0 0 3px 0; }
.sw-legend div { line-height: 18px; white-space: nowrap; }
.sw-swatch { display: inline-block; width: 26px; height: 0; border-top: 3px dashed; vertical-align: middle;
             margin-right: 6px; }
.sw-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 14px 0 8px;
          vertical-align: middle; border: 1px solid #fff; }
.sw-pop table { border-collapse: collapse; font-size: 12px; }
.sw-pop th { text-align: left; padding: 1px 8px 1px 0; vertical-align: top; color: #555; font-weight: normal; }
.sw-pop td { padding: 1px 0; max-width: 360px; }
.sw-slider input { width: 220px; vertical-align: middle; }
"""

_PAGE_JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("shipwatch-data").textContent);
  var st = D.style;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function popup(fields) {
    var box = el("div", "sw-pop"), table = el("table");
    fields.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("th", null, f[0]));
      tr.appendChild(el("td", null, f[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function latlngs(coords) { return coords.map(function (c) { return [c[1], c[0]]; }); }
  function rings(poly) { return poly.map(latlngs); }

  var map = L.map("map", { zoomSnap: 0.25, preferCanvas: false });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("shipwatch; land: GSHHG / Natural Earth");
  document.getElementById("map").style.background = st.sea;

  var base = {};
  var coast = L.layerGroup();
  D.land.forEach(function (poly) {
    L.polygon(rings(poly), { color: st.coast, weight: 0.6, fillColor: st.land, fillOpacity: 1,
                             interactive: false }).addTo(coast);
  });
  base["Drawn coastline (offline)"] = coast;
  var tiles = null;
  if (D.tiles) {
    tiles = L.tileLayer(D.tiles, { maxZoom: 19 });
    base["Web tiles"] = tiles;
    tiles.addTo(map);
  } else {
    coast.addTo(map);
  }
  var overlays = {};
  var ports = L.layerGroup();
  D.ports.forEach(function (p) {
    var colour = st.roles[p.role] || "#444";
    p.polys.forEach(function (poly) {
      L.polygon(rings(poly), { color: colour, weight: 1.5, fillOpacity: 0.35 }).bindPopup(popup(p.fields))
        .addTo(ports);
    });
    L.circleMarker([p.call[1], p.call[0]], { radius: p.role === "reference" ? 4 : 6, color: "#fff", weight: 1,
      fillColor: colour, fillOpacity: 1 }).bindPopup(popup(p.fields))
      .bindTooltip(p.name, { permanent: p.role !== "reference", direction: "right", className: "sw-label" })
      .addTo(ports);
  });
  var tracks = L.layerGroup();
  var trackItems = D.tracks.map(function (t) {
    return { months: t.months, layer: L.polyline(latlngs(t.coords), { color: st.track, weight: 0.8, opacity: 0.18 })
      .bindPopup(popup(t.fields)) };
  });
  var gradeNames = { confirmed: "Dark transits: confirmed", probable: "Dark transits: probable",
                     possible: "Dark transits: possible", routine: "Dark transits: possible, routine vessels" };
  var groups = {};
  ["confirmed", "probable", "possible", "routine"].forEach(function (g) { groups[g] = L.layerGroup(); });
  var focusLayer = null;
  var transitItems = D.transits.map(function (t) {
    var w = st.widths[t.grade] * (t.id === D.focus ? 2 : 1.3);
    var line = L.polyline(latlngs(t.coords), { color: st.grades[t.grade], weight: w, dashArray: "8 5",
      opacity: t.layer === "routine" ? 0.45 : 0.9 }).bindPopup(popup(t.fields));
    if (t.id === D.focus) { focusLayer = line; }
    return { month: t.month, group: t.layer, layer: line };
  });
  var sightGroups = {};
  Object.keys(st.match_labels).forEach(function (m) { sightGroups[m] = L.layerGroup(); });
  var sightItems = D.sightings.map(function (s) {
    var big = s.match === "dark_transit";
    var mk = L.circleMarker([s.lat, s.lon], { radius: big ? 7 : 5, color: "#fff", weight: 1,
      fillColor: st.matches[s.match], fillOpacity: 0.95 }).bindPopup(popup(s.fields));
    return { month: s.month, group: s.match, layer: mk };
  });
  function show(month) {
    Object.keys(groups).forEach(function (g) { groups[g].clearLayers(); });
    Object.keys(sightGroups).forEach(function (g) { sightGroups[g].clearLayers(); });
    tracks.clearLayers();
    transitItems.forEach(function (t) { if (!month || t.month === month) { groups[t.group].addLayer(t.layer); } });
    sightItems.forEach(function (s) { if (!month || s.month === month) { sightGroups[s.group].addLayer(s.layer); } });
    trackItems.forEach(function (t) {
      if (!month || (t.months[0] <= month && month <= t.months[1])) { tracks.addLayer(t.layer); }
    });
  }
  show("");
  overlays["Ports"] = ports.addTo(map);
  overlays["AIS tracks"] = tracks.addTo(map);
  ["confirmed", "probable", "possible", "routine"].forEach(function (g) {
    overlays[gradeNames[g]] = groups[g];
    if (g !== "routine") { groups[g].addTo(map); }
  });
  ["dark_transit", "ambiguous", "unidentified", "ais"].forEach(function (m) {
    overlays[st.match_labels[m].replace("imagery: ", "Imagery: ")] = sightGroups[m].addTo(map);
  });
  L.control.layers(base, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false, metric: true, position: "bottomleft" }).addTo(map);

  var Info = L.Control.extend({ options: { position: "topleft" }, onAdd: function () {
    var box = el("div", "sw-box");
    box.appendChild(el("h1", null, D.title));
    box.appendChild(el("div", null, D.subtitle));
    var row = el("div", "sw-slider");
    var label = el("span", null, "all months");
    var input = el("input");
    input.type = "range"; input.min = 0; input.max = D.months.length; input.value = 0; input.step = 1;
    input.setAttribute("aria-label", "month");
    input.addEventListener("input", function () {
      var m = Number(input.value) === 0 ? "" : D.months[Number(input.value) - 1];
      label.textContent = m || "all months";
      show(m);
    });
    row.appendChild(el("span", null, "Month: "));
    row.appendChild(input);
    row.appendChild(label);
    box.appendChild(row);
    L.DomEvent.disableClickPropagation(box);
    return box;
  } });
  new Info().addTo(map);
  var Legend = L.Control.extend({ options: { position: "bottomright" }, onAdd: function () {
    var box = el("div", "sw-box sw-legend");
    ["confirmed", "probable", "possible"].forEach(function (g) {
      var row = el("div"), sw = el("span", "sw-swatch");
      sw.style.borderTopColor = st.grades[g];
      row.appendChild(sw); row.appendChild(document.createTextNode("dark transit: " + g)); box.appendChild(row);
    });
    Object.keys(st.roles).forEach(function (r) {
      var row = el("div"), dot = el("span", "sw-dot");
      dot.style.background = st.roles[r];
      row.appendChild(dot); row.appendChild(document.createTextNode("port: " + r)); box.appendChild(row);
    });
    ["dark_transit", "ambiguous", "unidentified", "ais"].forEach(function (m) {
      var row = el("div"), dot = el("span", "sw-dot");
      dot.style.background = st.matches[m];
      row.appendChild(dot); row.appendChild(document.createTextNode(st.match_labels[m])); box.appendChild(row);
    });
    return box;
  } });
  new Legend().addTo(map);
  map.fitBounds(D.view);
  if (focusLayer) { focusLayer.openPopup(); }
  document.body.setAttribute("data-shipwatch-ready", "1");
})();
"""


def render_html(det: Detection, **kwargs: Any) -> str:
    """The page as text (see :func:`write_html`)."""
    data = payload(det, **kwargs)
    js, css = _leaflet()
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(data['title'])}</title>\n"
        f"<!-- Leaflet 1.9.4 (BSD-2-Clause, (c) Vladimir Agafonkin, CloudMade), inlined -->\n"
        f'<style>\n{css}\n</style>\n<style>{_PAGE_CSS}</style>\n</head>\n<body>\n<div id="map"></div>\n'
        f'<script type="application/json" id="shipwatch-data">{script_json(data)}</script>\n'
        f"<script>\n{js}\n</script>\n<script>{_PAGE_JS}</script>\n</body>\n</html>\n"
    )


def write_html(
    det: Detection,
    path: str | Path,
    *,
    bbox: L.BBox | str | None = None,
    transit_id: str | None = None,
    tiles: str | None = None,
    source: str | None = None,
) -> Path:
    """Write the interactive map of ``det`` to ``path`` (one offline HTML file) and return the path.

    ``bbox`` (W, S, E, N) sets the initial view (default: watched and destination ports plus the transits);
    ``transit_id`` opens on one transit, its popup open; ``tiles`` (a ``{z}/{x}/{y}`` URL template) adds a
    web-tile base layer, the only network reference the file then holds. Same inputs, same bytes.
    """
    if tiles is not None and not re.match(r"^https?://", tiles):
        from shipwatch.errors import InputError

        raise InputError(
            f"tiles {tiles!r}: give an http(s) URL template like https://tile.example/{{z}}/{{x}}/{{y}}.png"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        render_html(det, bbox=bbox, transit_id=transit_id, tiles=tiles, source=source),
        encoding="utf-8",
        newline="\n",
    )
    return path
