"""Text values of AIS codes as the Danish Maritime Authority writes them, mapped to ITU-R M.1371 codes.

Shared by every reader of DMA data (CSV and GeoPackage). Keys are lower case; anything not in a
table ("Unknown value", "Undefined") becomes null.
"""

from __future__ import annotations

# ITU-R M.1371 navigational status, by the text DMA writes (lowercase).
NAV_STATUS_TEXT: dict[str, int] = {
    "under way using engine": 0,
    "at anchor": 1,
    "not under command": 2,
    "restricted maneuverability": 3,
    "restricted manoeuvrability": 3,
    "restricted manoeuverability": 3,
    "constrained by her draught": 4,
    "moored": 5,
    "aground": 6,
    "engaged in fishing": 7,
    "under way sailing": 8,
    "reserved for future amendment [hsc]": 9,
    "reserved for future amendment [wig]": 10,
    "power-driven vessel towing astern": 11,
    "power-driven vessel pushing ahead or towing alongside": 12,
    "reserved for future use": 13,
    "ais-sart": 14,
    "ais-sart is active": 14,
}
# DMA ship-type categories → the representative ITU code of the category ("Undefined" → null).
SHIP_TYPE_TEXT: dict[str, int] = {
    "wig": 20,
    "fishing": 30,
    "towing": 31,
    "towing long/wide": 32,
    "dredging": 33,
    "diving": 34,
    "military": 35,
    "sailing": 36,
    "pleasure": 37,
    "spare 1": 38,
    "spare 2": 39,
    "hsc": 40,
    "pilot": 50,
    "sar": 51,
    "tug": 52,
    "port tender": 53,
    "anti-pollution": 54,
    "law enforcement": 55,
    "medical": 58,
    "not party to conflict": 59,
    "passenger": 60,
    "cargo": 70,
    "tanker": 80,
    "other": 90,
}
