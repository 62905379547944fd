"""Write a canonical AIS table (a theatre's or the sample's positions) as public file layouts.

Three layouts, as ``domain.md`` §4 describes them, each read back by :func:`shipwatch.ingest.load_positions`:

- :func:`write_marinecadastre`: NOAA MarineCadastre (≤ 2024) daily ``AIS_YYYY_MM_DD.csv.gz`` files
  (the writer of the bundled sample);
- :func:`write_dma`: one Danish Maritime Authority CSV (``# Timestamp,Type of mobile,MMSI,...``,
  ``dd/mm/YYYY HH:MM:SS`` times, navigational status and ship type as DMA's text);
- :func:`write_nmea`: raw ``!AIVDM`` sentences encoded with pyais — a type 5 static and voyage message
  before each vessel's first position, then one type 1 position report per row — each line led by a
  tag block ``\\c:<epoch seconds>*hh\\`` that carries its time.

All three are deterministic: the same table gives the same bytes. :func:`write_positions` picks one
by name (:data:`LAYOUTS`).
"""

from __future__ import annotations

import math
from functools import reduce
from pathlib import Path

import polars as pl
from pyais import encode_dict

from shipwatch import schema
from sim.marinecadastre import write_daily_files

LAYOUTS = ("marinecadastre", "dma", "nmea")

DMA_HEADER = [
    "# Timestamp",
    "Type of mobile",
    "MMSI",
    "Latitude",
    "Longitude",
    "Navigational status",
    "ROT",
    "SOG",
    "COG",
    "Heading",
    "IMO",
    "Callsign",
    "Name",
    "Ship type",
    "Cargo type",
    "Width",
    "Length",
    "Type of position fixing device",
    "Draught",
    "Destination",
    "ETA",
    "Data source type",
]
# ITU-R M.1371 navigational status → the text DMA writes (readers/dma_codes.py maps it back).
DMA_NAV_STATUS = {
    0: "Under way using engine",
    1: "At anchor",
    2: "Not under command",
    3: "Restricted maneuverability",
    4: "Constrained by her draught",
    5: "Moored",
    6: "Aground",
    7: "Engaged in fishing",
    8: "Under way sailing",
}
# ITU ship type → DMA's category text (a category stands for its whole decade of codes).
_DMA_SHIP_TYPE_EXACT = {30: "Fishing", 31: "Towing", 50: "Pilot", 51: "SAR", 52: "Tug", 53: "Port tender"}
_DMA_SHIP_TYPE_DECADE = {4: "HSC", 6: "Passenger", 7: "Cargo", 8: "Tanker", 9: "Other"}


def _dma_ship_type(code: int | None) -> str:
    if code is None:
        return "Undefined"
    return _DMA_SHIP_TYPE_EXACT.get(code) or _DMA_SHIP_TYPE_DECADE.get(code // 10, "Undefined")


def write_marinecadastre(positions: pl.DataFrame, out_dir: Path, *, seed: int = 0) -> list[Path]:
    """Write ``positions`` as MarineCadastre daily ``.csv.gz`` files in ``out_dir``; return the paths."""
    return write_daily_files(positions, Path(out_dir), seed=seed)


def write_dma(positions: pl.DataFrame, path: Path) -> Path:
    """Write ``positions`` as one DMA CSV file at ``path`` (time-ordered, Class A); return the path."""
    df = positions.sort([schema.TIMESTAMP, schema.MMSI])

    def num(col: str, digits: int) -> pl.Expr:
        return pl.col(col).round(digits).cast(pl.String).fill_null("")

    out = df.select(
        pl.col(schema.TIMESTAMP).dt.strftime("%d/%m/%Y %H:%M:%S").alias("# Timestamp"),
        pl.lit("Class A").alias("Type of mobile"),
        pl.col(schema.MMSI).cast(pl.String).alias("MMSI"),
        num(schema.LAT, 6).alias("Latitude"),
        num(schema.LON, 6).alias("Longitude"),
        pl.col(schema.NAV_STATUS)
        .cast(pl.Int64)
        .replace_strict(DMA_NAV_STATUS, default="Unknown value", return_dtype=pl.String)
        .fill_null("Unknown value")
        .alias("Navigational status"),
        pl.lit("").alias("ROT"),
        num(schema.SOG, 1).alias("SOG"),
        num(schema.COG, 1).alias("COG"),
        pl.col(schema.HEADING).round(0).cast(pl.Int64).cast(pl.String).fill_null("").alias("Heading"),
        pl.col(schema.IMO).cast(pl.String).fill_null("Unknown").alias("IMO"),
        pl.col(schema.CALLSIGN).fill_null("Unknown").alias("Callsign"),
        pl.col(schema.VESSEL_NAME).fill_null("").alias("Name"),
        pl.col(schema.SHIP_TYPE)
        .map_elements(_dma_ship_type, return_dtype=pl.String)
        .fill_null("Undefined")
        .alias("Ship type"),
        pl.lit("").alias("Cargo type"),
        pl.col(schema.WIDTH_M).round(0).cast(pl.Int64).cast(pl.String).fill_null("").alias("Width"),
        pl.col(schema.LENGTH_M).round(0).cast(pl.Int64).cast(pl.String).fill_null("").alias("Length"),
        pl.lit("GPS").alias("Type of position fixing device"),
        num(schema.DRAUGHT_M, 1).alias("Draught"),
        pl.lit("Unknown").alias("Destination"),
        pl.lit("").alias("ETA"),
        pl.lit("AIS").alias("Data source type"),
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.write_csv(quote_style="necessary", line_terminator="\n"), encoding="utf-8")
    return path


def _nmea_checksum(text: str) -> str:
    return f"{reduce(lambda acc, ch: acc ^ ord(ch), text, 0):02X}"


def _tag(epoch_s: int) -> str:
    body = f"c:{epoch_s}"
    return f"\\{body}*{_nmea_checksum(body)}\\"


def _ais_text(value: str | None, width: int) -> str:
    """Upper case, AIS 6-bit characters only, at most ``width`` long."""
    allowed = set(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_")
    return "".join(c for c in (value or "").upper() if c in allowed)[:width]


def _or(value: float | None, missing: float) -> float:
    return missing if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _static_message(row: dict, seq_id: int) -> list[str]:
    length = float(_or(row[schema.LENGTH_M], 0.0))
    width = float(_or(row[schema.WIDTH_M], 0.0))
    to_bow = round(length * 0.6)
    to_port = round(width / 2)
    return encode_dict(
        {
            "msg_type": 5,
            "mmsi": row[schema.MMSI],
            "ais_version": 0,
            "imo": row[schema.IMO] or 0,
            "callsign": _ais_text(row[schema.CALLSIGN], 7),
            "shipname": _ais_text(row[schema.VESSEL_NAME], 20),
            "ship_type": row[schema.SHIP_TYPE] or 0,
            "to_bow": to_bow,
            "to_stern": round(length) - to_bow,
            "to_port": to_port,
            "to_starboard": round(width) - to_port,
            "epfd": 1,
            "draught": _or(row[schema.DRAUGHT_M], 0.0),
            "destination": "",
            "dte": 0,
        },
        talker_id="AI",
        sentence_type="VDM",
        radio_channel="A",
        seq_id=seq_id,
    )


def _position_message(row: dict, second: int) -> list[str]:
    status = row[schema.NAV_STATUS]
    return encode_dict(
        {
            "msg_type": 1,
            "mmsi": row[schema.MMSI],
            "status": 15 if status is None else int(status),
            "turn": 0,
            "speed": _or(row[schema.SOG], 102.3),
            "accuracy": 1,
            "lon": _or(row[schema.LON], 181.0),
            "lat": _or(row[schema.LAT], 91.0),
            "course": _or(row[schema.COG], 360.0),
            "heading": int(_or(row[schema.HEADING], 511)),
            "second": second,
        },
        talker_id="AI",
        sentence_type="VDM",
        radio_channel="A" if row[schema.MMSI] % 2 else "B",
    )


def write_nmea(positions: pl.DataFrame, path: Path) -> Path:
    """Write ``positions`` as tag-blocked ``!AIVDM`` lines at ``path`` (time-ordered); return the path.

    Each vessel's type 5 static message (name, IMO, call sign, ship type, dimensions, draught, two
    sentences) comes just before its first position report, with that report's time, and again
    whenever the static data on an MMSI change (two ships sharing one MMSI).
    """
    df = positions.sort([schema.TIMESTAMP, schema.MMSI])
    epochs = df[schema.TIMESTAMP].dt.epoch("s").to_list()
    static_cols = [
        schema.VESSEL_NAME,
        schema.IMO,
        schema.CALLSIGN,
        schema.SHIP_TYPE,
        schema.LENGTH_M,
        schema.WIDTH_M,
        schema.DRAUGHT_M,
    ]
    lines: list[str] = []
    last: dict[int, tuple] = {}
    seq = 0
    for t, row in zip(epochs, df.iter_rows(named=True), strict=True):
        tag = _tag(int(t))
        static = tuple(row[c] for c in static_cols)
        if last.get(row[schema.MMSI]) != static:  # first report, or another ship on a shared MMSI
            last[row[schema.MMSI]] = static
            seq = seq % 9 + 1
            lines += [tag + s for s in _static_message(row, seq)]
        lines += [tag + s for s in _position_message(row, int(t) % 60)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def write_positions(positions: pl.DataFrame, out_dir: Path, layout: str, *, name: str = "ais") -> list[Path]:
    """Write ``positions`` into ``out_dir`` in one of :data:`LAYOUTS`; return the files written.

    ``marinecadastre`` gives daily ``AIS_YYYY_MM_DD.csv.gz`` files, ``dma`` one ``<name>.csv`` and
    ``nmea`` one ``<name>.nmea``.
    """
    out_dir = Path(out_dir)
    if layout == "marinecadastre":
        return write_marinecadastre(positions, out_dir)
    if layout == "dma":
        return [write_dma(positions, out_dir / f"{name}.csv")]
    if layout == "nmea":
        return [write_nmea(positions, out_dir / f"{name}.nmea")]
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
