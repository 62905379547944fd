"""Reject reasons: every reason a row can be rejected with is defined here, once.

Readers give a row a reason when they already know it is unusable (a line with too many fields, an
NMEA sentence with a bad checksum, a base-station report); :mod:`shipwatch.validate` gives the rest
(MMSI not a ship, no time, position not available). Each reason is a short, stable English phrase: it
is what ``rejected_by_reason`` counts, what ``rejects/*.parquet`` stores and what the CLI prints.
"""

from __future__ import annotations

__all__ = ["NOT_SHIP_MESSAGES", "Reason"]


class Reason:
    """The reject reasons shipwatch assigns."""

    # --- given by the readers -----------------------------------------------------------------------
    NOT_POSITION = "not a position report"
    STATIC_JOINED = "static data (joined)"
    TOO_MANY_FIELDS = "too many fields (an unquoted comma in a text field?)"
    LINE_BREAK_IN_FIELD = "line break inside a field (stray quotes joined lines?)"
    UNCLOSED_QUOTE = "a quote that never closes (file read with quotes as ordinary characters)"
    UNPARSEABLE_MMSI = "unparseable MMSI"
    UNPARSEABLE_TIME = "unparseable timestamp"
    UNPARSEABLE_POSITION = "unparseable position"
    # NMEA
    BAD_CHECKSUM = "bad checksum"
    UNDECODABLE = "undecodable sentence"
    EMPTY_PAYLOAD = "empty payload"
    INCOMPLETE_MULTIPART = "incomplete multipart"
    TRUNCATED = "truncated payload"
    IMPLAUSIBLE_TIME = "implausible time (before 2000 or after 2100)"
    #: A DMA row whose "Type of mobile" is not Class A or B: ``{}`` is that type (``pl.format`` template).
    DMA_NOT_A_SHIP = "not a ship: {} (DMA type of mobile)"
    # --- given by validation ------------------------------------------------------------------------
    MISSING_MMSI = "missing MMSI"
    MMSI_ZERO = "MMSI 0"
    BASE_STATION = "not a ship: base station (00MIDxxxx)"
    ATON = "not a ship: aid to navigation (99MIDxxxx)"
    SAR_AIRCRAFT = "not a ship: SAR aircraft (111MIDxxx)"
    SART = "not a ship: AIS-SART (970xxxxxx)"
    MOB = "not a ship: man-overboard device (972xxxxxx)"
    EPIRB = "not a ship: EPIRB-AIS (974xxxxxx)"
    MMSI_NOT_9_DIGITS = "MMSI not 9 digits"
    MISSING_TIME = "missing timestamp"
    POSITION_NOT_AVAILABLE = "position not available (lat 91 / lon 181)"
    MISSING_POSITION = "missing position"
    POSITION_OUT_OF_RANGE = "position out of range"
    NULL_ISLAND = "position 0,0"
    # --- files, not rows (IngestReport.skipped) ------------------------------------------------------
    NOT_AIS_FILE = "not an AIS file"


#: Reasons of AIS message types sent by things that are not ships (for layouts carrying a message type).
NOT_SHIP_MESSAGES: dict[int, str] = {
    4: "not a ship: base station report (message 4)",
    9: "not a ship: SAR aircraft report (message 9)",
    21: "not a ship: aid-to-navigation report (message 21)",
}
