"""Colours, markers and sizes shared by the static map, the chart, the interactive map and the KML.

One place, so that a grade or a sighting match looks the same in a PNG, in the HTML map and in Google Earth.
"""

from __future__ import annotations

#: A4 landscape, inches, and the resolution of the PNGs (11.69 in x 170 dpi = 1,987 px wide).
A4_LANDSCAPE = (11.69, 8.27)
DPI = 170

SEA = "#dcecf7"
LAND = "#e4dccb"
COAST = "#9c9180"
TRACK = "#33506e"
FOCUS_TRACK = "#08306b"

#: Dark-transit grades, strongest first.
GRADES = ("confirmed", "probable", "possible")
GRADE_COLOURS = {"confirmed": "#b2182b", "probable": "#e66101", "possible": "#5e3c99"}
GRADE_WIDTHS = {"confirmed": 2.4, "probable": 1.8, "possible": 1.3}
ROUTINE_ALPHA = 0.35

ROLES = ("watch", "destination", "reference")
ROLE_COLOURS = {"watch": "#a50f15", "destination": "#08519c", "reference": "#636363"}
ROLE_MARKERS = {"watch": "s", "destination": "^", "reference": "o"}

#: Sighting matches (shipwatch.sightings): colour and matplotlib marker.
MATCHES = ("dark_transit", "ambiguous", "unidentified", "ais")
MATCH_COLOURS = {
    "ais": "#1a9850",
    "dark_transit": "#d7191c",
    "ambiguous": "#fdae61",
    "unidentified": "#111111",
}
MATCH_MARKERS = {"ais": "o", "dark_transit": "*", "ambiguous": "D", "unidentified": "X"}
MATCH_LABELS = {
    "ais": "imagery: ship with AIS on",
    "dark_transit": "imagery: matched to a dark transit",
    "ambiguous": "imagery: ambiguous",
    "unidentified": "imagery: unidentified ship",
}
UNIDENTIFIED_BAR = "#969696"


def kml_colour(hex_rgb: str, alpha: float = 1.0) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``.

    >>> kml_colour("#b2182b")
    'ff2b18b2'
    """
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{round(alpha * 255):02x}{b}{g}{r}"
