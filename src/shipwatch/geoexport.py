"""Geo exports of a detection: GeoJSON, KML (Google Earth), GeoPackage and GeoParquet, one file per table.

:func:`export` writes ``<out_dir>/<table>.<ext>`` for the tables dark transits, gaps, port visits, sightings
and tracks, every row of the CSV kept (a row with nothing to draw, e.g. an open gap, has a null geometry).
Geometries are those of :meth:`shipwatch.detection.Detection.to_geopandas`, except the dark transits, drawn
over water like on the maps (last fix → call port → next fix, :func:`shipwatch.maps.layers.transit_route`).
All in EPSG:4326 (lon/lat).

* ``geojson``: RFC 7946, written here (coordinates to 6 decimals, times ISO 8601 UTC); same inputs, same bytes.
* ``kml``: written here with ElementTree (text XML-escaped), one ``Placemark`` per row with the popup text as its
  description, styles coloured by grade (transits) and by match (sightings), ``TimeSpan``/``TimeStamp`` for
  Google Earth's time slider; same inputs, same bytes.
* ``gpkg``: through pyogrio, one layer per file; GDAL's timestamps pinned (``OGR_CURRENT_DATE``).
* ``parquet``: GeoParquet through :meth:`geopandas.GeoDataFrame.to_parquet`.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import mapping

from shipwatch.errors import InputError
from shipwatch.maps import layers as L
from shipwatch.maps import style as S

if TYPE_CHECKING:
    import geopandas

    from shipwatch.detection import Detection

TABLES = ("dark_transits", "gaps", "port_visits", "sightings", "tracks")
FORMATS = {"geojson": "geojson", "kml": "kml", "gpkg": "gpkg", "parquet": "parquet"}
DIGITS = 6
#: GDAL writes this as the GeoPackage's change time, so that the file does not depend on the clock.
GPKG_DATE = "2000-01-01T00:00:00.000Z"
KML_NS = "http://www.opengis.net/kml/2.2"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_FIELDS = {
    "dark_transits": L.transit_fields,
    "gaps": L.gap_fields,
    "port_visits": L.visit_fields,
    "sightings": L.sighting_fields,
    "tracks": L.track_fields,
}


def frames(det: Detection, tables: tuple[str, ...] = TABLES) -> dict[str, geopandas.GeoDataFrame]:
    """The tables to export as GeoDataFrames (EPSG:4326), dark transits drawn over water."""
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise InputError(f"unknown table(s) {', '.join(unknown)}; choose from {', '.join(TABLES)}")
    gdfs = det.to_geopandas()
    out = {}
    for t in tables:
        gdf = gdfs[t]
        if t == "dark_transits":
            gdf = gdf.set_geometry(np.array(L.transit_routes(det), dtype=object), crs=gdf.crs)
        out[t] = gdf
    return out


# --- values -----------------------------------------------------------------------------------------
def _plain(v: Any) -> Any:
    """A cell as JSON/XML-friendly Python: times ISO 8601 UTC, NaN/NaT None, numpy scalars unwrapped."""
    if v is None:
        return None
    if hasattr(v, "to_pydatetime"):  # pandas Timestamp (NaT included)
        if v != v:
            return None
        v = v.to_pydatetime()
    if isinstance(v, datetime):
        return (
            v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if v.tzinfo else v.strftime("%Y-%m-%dT%H:%M:%S")
        )
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, float):
        return round(v, DIGITS)
    try:
        import pandas as pd

        if v is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    return v


def _rows(gdf: geopandas.GeoDataFrame) -> list[dict[str, Any]]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    data = gdf[cols].to_dict("records")
    return [{k: _plain(v) for k, v in r.items()} for r in data]


def _raw_rows(gdf: geopandas.GeoDataFrame) -> list[dict[str, Any]]:
    """Rows with native values (times as datetimes) for the popup text."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    out = []
    for r in gdf[cols].to_dict("records"):
        row = {}
        for k, v in r.items():
            if hasattr(v, "to_pydatetime"):
                v = None if v != v else v.to_pydatetime()
            elif isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            row[k] = v
        out.append(row)
    return out


def _geometry(g: Any) -> dict[str, Any] | None:
    if g is None or g.is_empty:
        return None
    g = shapely.set_precision(g, 10**-DIGITS) if g.geom_type != "Point" else g
    m = mapping(g)

    def rnd(c: Any) -> Any:
        if isinstance(c, (tuple, list)) and c and isinstance(c[0], (int, float)):
            return [round(float(x), DIGITS) for x in c]
        return [rnd(x) for x in c]

    return {"type": m["type"], "coordinates": rnd(m["coordinates"])}


# --- writers ----------------------------------------------------------------------------------------
def write_geojson(gdf: geopandas.GeoDataFrame, path: Path) -> Path:
    """A FeatureCollection, one feature per row (a null geometry kept), one feature per line."""
    feats = [
        json.dumps(
            {"type": "Feature", "properties": props, "geometry": _geometry(g)},
            ensure_ascii=False,
            allow_nan=False,
            separators=(",", ":"),
        )
        for props, g in zip(_rows(gdf), gdf.geometry, strict=True)
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(feats) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _xml_text(v: Any) -> str:
    return _BAD_XML.sub("\ufffd", "" if v is None else str(v))


def _kml_style(
    doc: ET.Element,
    sid: str,
    colour: str,
    *,
    width: float = 2.0,
    alpha: float = 1.0,
    poly_alpha: float = 0.35,
    icon_scale: float = 0.9,
) -> None:
    st = ET.SubElement(doc, "Style", id=sid)
    icon = ET.SubElement(st, "IconStyle")
    ET.SubElement(icon, "color").text = S.kml_colour(colour, alpha)
    ET.SubElement(icon, "scale").text = f"{icon_scale:g}"
    ET.SubElement(
        ET.SubElement(icon, "Icon"), "href"
    ).text = "http://maps.google.com/mapfiles/kml/shapes/shaded_dot.png"
    line = ET.SubElement(st, "LineStyle")
    ET.SubElement(line, "color").text = S.kml_colour(colour, alpha)
    ET.SubElement(line, "width").text = f"{width:g}"
    poly = ET.SubElement(st, "PolyStyle")
    ET.SubElement(poly, "color").text = S.kml_colour(colour, poly_alpha)


def _kml_coords(coords: Any) -> str:
    return " ".join(f"{round(x, DIGITS):g},{round(y, DIGITS):g}" for x, y, *_ in coords)


def _kml_geometry(parent: ET.Element, g: Any) -> None:
    if g is None or g.is_empty:
        return
    kind = g.geom_type
    if kind.startswith("Multi") or kind == "GeometryCollection":
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in shapely.get_parts(g):
            _kml_geometry(multi, part)
    elif kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _kml_coords(g.coords)
    elif kind == "LineString":
        ls = ET.SubElement(parent, "LineString")
        ET.SubElement(ls, "tessellate").text = "1"
        ET.SubElement(ls, "coordinates").text = _kml_coords(g.coords)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        outer = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(outer, "coordinates").text = _kml_coords(g.exterior.coords)
        for ring in g.interiors:
            inner = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(inner, "coordinates").text = _kml_coords(ring.coords)


def _kml_name(table: str, row: dict[str, Any]) -> str:
    if table == "dark_transits":
        return L.transit_name(row)
    if table == "sightings":
        return f"{row.get('sighting_id')} ({row.get('match')})"
    if table == "port_visits":
        return f"{row.get('vessel_name') or row.get('mmsi')} at {row.get('port')}"
    if table == "gaps":
        return f"{row.get('vessel_name') or row.get('mmsi')}: {L.fmt_num(row.get('hours'))} h silent"
    return f"{row.get('vessel_name') or row.get('mmsi')} track"


def _kml_style_id(table: str, row: dict[str, Any]) -> str:
    if table == "dark_transits":
        grade = row.get("evidence") if row.get("evidence") in S.GRADES else "possible"
        return f"transit-{grade}" + ("-routine" if grade == "possible" and row.get("routine") else "")
    if table == "sightings":
        return f"sighting-{row.get('match') if row.get('match') in S.MATCHES else 'unidentified'}"
    return table


def _kml_time(pm: ET.Element, table: str, row: dict[str, Any]) -> None:
    span = {
        "dark_transits": ("dark_start", "dark_end"),
        "gaps": ("start_time", "end_time"),
        "port_visits": ("arrival", "departure"),
        "tracks": ("start", "end"),
    }.get(table)
    if span:
        begin, end = (_plain(row.get(c)) for c in span)
        if begin or end:
            ts = ET.SubElement(pm, "TimeSpan")
            if begin:
                ET.SubElement(ts, "begin").text = begin
            if end:
                ET.SubElement(ts, "end").text = end
    elif table == "sightings" and row.get("observed_at") is not None:
        ET.SubElement(ET.SubElement(pm, "TimeStamp"), "when").text = _plain(row["observed_at"])


def write_kml(gdf: geopandas.GeoDataFrame, path: Path, table: str) -> Path:
    """One KML document, one ``Placemark`` per row, its popup text as the description."""
    ET.register_namespace("", KML_NS)
    kml = ET.Element("kml", xmlns=KML_NS)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = f"shipwatch {table}"
    for g in S.GRADES:
        _kml_style(doc, f"transit-{g}", S.GRADE_COLOURS[g], width=S.GRADE_WIDTHS[g] + 1)
    _kml_style(doc, "transit-possible-routine", S.GRADE_COLOURS["possible"], width=1.5, alpha=S.ROUTINE_ALPHA)
    for m in S.MATCHES:
        _kml_style(doc, f"sighting-{m}", S.MATCH_COLOURS[m], icon_scale=1.1 if m == "dark_transit" else 0.8)
    _kml_style(doc, "gaps", "#777777", width=1.5)
    _kml_style(doc, "port_visits", S.ROLE_COLOURS["destination"], width=1.5)
    _kml_style(doc, "tracks", S.TRACK, width=1.0, alpha=0.6)
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = table
    fields = _FIELDS[table]
    for row, g in zip(_raw_rows(gdf), gdf.geometry, strict=True):
        pm = ET.SubElement(folder, "Placemark")
        ET.SubElement(pm, "name").text = _xml_text(_kml_name(table, row))
        ET.SubElement(pm, "description").text = _xml_text("\n".join(f"{k}: {v}" for k, v in fields(row) if v))
        _kml_time(pm, table, row)
        ET.SubElement(pm, "styleUrl").text = "#" + _kml_style_id(table, row)
        ext = ET.SubElement(pm, "ExtendedData")
        for k, v in row.items():
            d = ET.SubElement(ext, "Data", name=_xml_text(k))
            ET.SubElement(d, "value").text = _xml_text(_plain(v))
        _kml_geometry(pm, g)
    ET.indent(kml, space=" ")
    body = ET.tostring(kml, encoding="unicode", xml_declaration=False)
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", encoding="utf-8", newline="\n")
    return path


def _for_ogr(gdf: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Unsigned and small integer columns widened (GeoPackage has no unsigned types)."""
    out = gdf.copy()
    for c in out.columns:
        if c != out.geometry.name and str(out[c].dtype) in (
            "uint8",
            "uint16",
            "uint32",
            "UInt32",
            "UInt16",
            "UInt8",
        ):
            out[c] = out[c].astype("Int64")
    return out


def write_gpkg(gdf: geopandas.GeoDataFrame, path: Path, table: str) -> Path:
    import pyogrio

    if path.exists():
        path.unlink()
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        _for_ogr(gdf).to_file(path, driver="GPKG", layer=table, engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})
    return path


def write_parquet(gdf: geopandas.GeoDataFrame, path: Path) -> Path:
    gdf.to_parquet(path, index=False, compression="zstd")
    return path


def export(
    det: Detection,
    out_dir: str | Path,
    *,
    fmt: str,
    tables: tuple[str, ...] | list[str] = TABLES,
) -> list[Path]:
    """Write ``<out_dir>/<table>.<ext>`` for each of ``tables`` in format ``fmt`` (geojson, kml, gpkg or
    parquet); returns the paths written, in the order of ``tables``.

    Raises
    ------
    InputError
        An unknown format or table, or an output folder that cannot be made.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"{out}: cannot create the output folder ({err.strerror})") from err
    written = []
    for table, gdf in frames(det, tuple(tables)).items():
        path = out / f"{table}.{FORMATS[fmt]}"
        if fmt == "geojson":
            written.append(write_geojson(gdf, path))
        elif fmt == "kml":
            written.append(write_kml(gdf, path, table))
        elif fmt == "gpkg":
            written.append(write_gpkg(gdf, path, table))
        else:
            written.append(write_parquet(gdf, path))
    return written
