"""Read raw AIS NMEA 0183 (``!AIVDM``/``!AIVDO``) into the canonical table, decoding with pyais.

What one output row is
----------------------
One row per AIS *message*: every non-blank line that is not a ``#`` comment is consumed by exactly one
row. A row consumes one line, except a completed multipart message, which consumes all of its fragment
lines and takes ``source_row`` (1-based physical line number, counting blank and comment lines) of its
first fragment. Hence ``rows = counted lines - sum(parts - 1 over completed multipart messages)``.
Rows the reader already knows are unusable carry a non-null ``reason``:

- ``"bad checksum"``: the sentence checksum does not match (or its tag block's, with
  ``tag_block_checksum="reject"``);
- ``"undecodable sentence"``: not an AIS sentence, malformed, invalid payload characters, unknown type;
- ``"empty payload"``: a well-formed sentence without payload (``!AIVDM,1,1,,B,,0*25``);
- ``"incomplete multipart"``: fragments that never formed a whole message (one row per broken group,
  one per orphan fragment);
- ``"truncated payload"``: a position or static message too short to hold the fields we read;
- ``"static data (joined)"``: types 5 and 24, whose data are joined onto that vessel's position rows;
- ``"not a position report"``: every other message type (4, 11 base stations, 21 AtoN, 6/7/8, ...);
- ``"implausible time"``: a position report whose tag-block or Gatehouse time lies outside 2000..2100
  (``c:0002780328`` would be 1970): its time is null rather than a wrong one.

Multipart messages
------------------
Fragments are grouped by tag-block group (``g:``), else by sequence id, channel and fragment count,
and may arrive in any order: a message is complete when all its parts are there. A fragment number
seen twice in an open group closes that group as incomplete and starts a new one. Fragments without
a sequence id or tag-block group cannot be told apart from another message's, so they must arrive in
order (part 1 first).

Tag-block checksums
-------------------
A tag block whose checksum is missing or wrong in front of a valid sentence: with
``tag_block_checksum="keep"`` (the default, as pyais and AISdb do) the sentence is decoded and its
``c:`` time used (still checked for plausibility); with ``"reject"`` the row is rejected as
"bad checksum".

Gatehouse wrappers
------------------
A ``$PGHP,1,<yyyy>,<mm>,<dd>,<hh>,<mi>,<ss>,<ms>,...`` line gives the time (UTC) of the AIS sentence
that follows it (the next one only, as pyais does). A valid wrapper is consumed with that sentence and
is not a row of its own; one with a bad checksum or an unreadable time is a row ("bad checksum",
"undecodable sentence").

Position rows (types 1, 2, 3, 18, 19, 27) have a null ``reason``; their values are decoded, not validated:
the "not available" values lat 91, lon 181, SOG 102.3, COG 360 and heading 511 stay as numbers. Type 27's
own "not available" codes (SOG 63, COG 511) are mapped to 102.3 and 360 so validation treats them alike.
Zero IMO, ship type, dimensions and draught mean "not available" in ITU-R M.1371 and become null.

Time of a message, first found wins
-----------------------------------
1. the tag block ``c:`` field (epoch seconds, or milliseconds when >= 1e11), 2000..2100, else the
   row is rejected as "implausible time";
2. the Gatehouse ``$PGHP`` wrapper line just before the sentence (same plausibility rule);
3. the last comma field after the checksum, if it is a plausible epoch (USCG/AISdb style
   ``...,0*30,d-080,...,1325394060,1325394001``), seconds or milliseconds, 2000..2100;
4. the UTC clock of the most recent valid base-station report (type 4 or 11) *earlier in the same file*.
   This is a coarse fallback for plain NMEA with no time at all: every message gets the clock of the last
   base station heard, not its own reception time; messages before the first base-station report get a
   null time (validation rejects them as having no usable time).

Static data
-----------
Static and voyage data (type 5; type 24 parts A and B; type 19, which also carries a position) are joined
onto the position rows of the same MMSI by line order with polars ``join_asof``: each field comes from
the most recent static report at or before the position (fields accumulated over that vessel's earlier
static reports), else from the first static report after it. Because the join may look ahead to the end
of the file, the whole file is decoded before the first batch is yielded; decoded batches beyond the first
are spooled to a temporary Arrow IPC file so memory stays bounded by about one batch.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

import polars as pl
from pyais.exceptions import AISBaseException
from pyais.messages import AISSentence, GatehouseSentence, NMEASentenceFactory

from shipwatch import schema
from shipwatch.errors import ShipwatchError, UnreadableFileError
from shipwatch.reasons import Reason
from shipwatch.times import US_PER_SECOND

__all__ = [
    "BAD_CHECKSUM",
    "EMPTY_PAYLOAD",
    "IMPLAUSIBLE_TIME",
    "INCOMPLETE_MULTIPART",
    "NOT_POSITION",
    "STATIC_JOINED",
    "TRUNCATED",
    "UNDECODABLE",
    "read_nmea",
]

# The reasons this reader gives (defined in shipwatch.reasons; these names are kept for callers).
BAD_CHECKSUM = Reason.BAD_CHECKSUM
UNDECODABLE = Reason.UNDECODABLE
EMPTY_PAYLOAD = Reason.EMPTY_PAYLOAD
INCOMPLETE_MULTIPART = Reason.INCOMPLETE_MULTIPART
TRUNCATED = Reason.TRUNCATED
STATIC_JOINED = Reason.STATIC_JOINED
NOT_POSITION = Reason.NOT_POSITION
IMPLAUSIBLE_TIME = Reason.IMPLAUSIBLE_TIME

POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
STATIC_TYPES = frozenset({5, 19, 24})
BASE_STATION_TYPES = frozenset({4, 11})

_MAX_PENDING = 1000  # open multipart groups kept before the oldest is given up as incomplete
_EPOCH_MIN, _EPOCH_MAX = 946_684_800, 4_102_444_800  # 2000-01-01 .. 2100-01-01, seconds
_CHECKSUM = re.compile(rb"\*[0-9A-Fa-f]{2}")
_ARMOR = re.compile(rb"[0-W`-w]+")  # the 64 characters of AIS six-bit payload armoring
_USED_FIELDS = frozenset(
    {"mmsi", "status", "speed", "lon", "lat", "course", "heading", "shipname", "ship_type", "imo",
     "callsign", "to_bow", "to_stern", "to_port", "to_starboard", "draught", "partno",
     "year", "month", "day", "hour", "minute", "second"}
)

_T = "_t"  # epoch microseconds, internal
_TYPE = "_type"  # AIS message type, internal
_STATIC_COLS = [schema.VESSEL_NAME, schema.IMO, schema.CALLSIGN, schema.SHIP_TYPE, schema.LENGTH_M,
                schema.WIDTH_M, schema.DRAUGHT_M]
_ROW_SCHEMA = pl.Schema(
    {
        schema.MMSI: pl.Int64(), _T: pl.Int64(), schema.LAT: pl.Float64(), schema.LON: pl.Float64(),
        schema.SOG: pl.Float64(), schema.COG: pl.Float64(), schema.HEADING: pl.Float64(),
        schema.NAV_STATUS: pl.Int8(), schema.VESSEL_NAME: pl.String(), schema.IMO: pl.Int64(),
        schema.CALLSIGN: pl.String(), schema.SHIP_TYPE: pl.Int16(), schema.LENGTH_M: pl.Float64(),
        schema.WIDTH_M: pl.Float64(), schema.DRAUGHT_M: pl.Float64(), schema.TRANSCEIVER: pl.String(),
        schema.SOURCE_ROW: pl.Int64(), schema.REASON: pl.String(), _TYPE: pl.Int8(),
    }
)
_NO_VALUES = (None,) * 14  # lat .. transceiver


def read_nmea(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    source_file: str,
    *,
    batch_size: int = 100_000,
    tag_block_checksum: Literal["keep", "reject"] = "keep",
) -> Iterator[pl.DataFrame]:
    """Decode an NMEA AIS file into canonical batches (plus a ``reason`` column).

    Parameters
    ----------
    source
        Path of the file, or an open binary or text stream (e.g. already decompressed).
    source_file
        Name recorded in ``source_file`` and used in error messages.
    batch_size
        Maximum rows per yielded DataFrame.
    tag_block_checksum : {"keep", "reject"}, default "keep"
        A valid sentence behind a tag block with a missing or wrong checksum is kept (decoded, its
        ``c:`` time used if plausible), as pyais and AISdb do; ``"reject"`` rejects it as "bad checksum".

    Yields
    ------
    polars.DataFrame
        :data:`shipwatch.schema.REJECT_SCHEMA` columns: the canonical columns (lat/lon/cog/heading in
        degrees, sog in knots, length/width/draught in metres, time UTC) plus ``reason`` (null for position
        reports). One row per message; see the module docstring for the exact row semantics.

    Raises
    ------
    UnreadableFileError
        The file cannot be opened or read, or it has lines but not a single AIS sentence.
    """
    if tag_block_checksum not in ("keep", "reject"):
        raise ValueError(f"tag_block_checksum must be 'keep' or 'reject', got {tag_block_checksum!r}")
    decoder = _Decoder(batch_size, keep_bad_tag_blocks=tag_block_checksum == "keep")
    try:
        for lineno, line in enumerate(_lines(source, source_file), 1):
            line = line.strip()
            if line and line[:1] != b"#":
                decoder.line(lineno, line)
        decoder.finish()
        if decoder.n_rows and not decoder.n_ais:
            raise UnreadableFileError(
                f"{source_file}: no AIS NMEA sentence (!AIVDM/!AIVDO) found in {decoder.n_rows} lines; "
                "is this really an NMEA file?"
            )
        static = decoder.static_table()
        for chunk in decoder.spool:
            yield _finish(chunk, static, source_file)
    finally:
        decoder.spool.close()


def _lines(source: str | os.PathLike[str] | IO[bytes] | IO[str], source_file: str) -> Iterator[bytes]:
    """Lines of ``source`` as bytes; any failure to open or read becomes :class:`UnreadableFileError`."""
    if isinstance(source, str | os.PathLike):
        try:
            stream: IO[Any] = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as err:
            raise UnreadableFileError(f"{source_file}: cannot open: {err.strerror or err}") from err
        with stream:
            yield from _read(stream, source_file)
    else:
        yield from _read(source, source_file)


def _read(stream: Iterable[bytes | str], source_file: str) -> Iterator[bytes]:
    it = iter(stream)
    while True:
        try:
            line = next(it)
        except StopIteration:
            return
        except ShipwatchError:
            raise
        except Exception as err:  # a broken (possibly decompressing) stream: the file cannot be read
            raise UnreadableFileError(f"{source_file}: cannot read: {err}") from err
        yield line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line


def _epoch_us(text: str | bytes | None, *, plausible: bool = False) -> int | None:
    """Epoch seconds or milliseconds (>= 1e11) as microseconds; None if not a number."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if abs(value) >= 1e11:
        value /= 1000.0
    if plausible and not _EPOCH_MIN <= value < _EPOCH_MAX:
        return None
    if abs(value) >= 1e11:
        return None
    return round(value * US_PER_SECOND)


def _datetime_us(value: dt.datetime | None) -> int | None:
    """A naive UTC datetime (a Gatehouse wrapper's) as epoch microseconds; None if implausible."""
    if value is None:
        return None
    us = calendar.timegm(value.timetuple()) * US_PER_SECOND + value.microsecond
    return us if _EPOCH_MIN * US_PER_SECOND <= us < _EPOCH_MAX * US_PER_SECOND else None


def _tag_field(raw: bytes, name: bytes) -> bytes | None:
    """The value of one field of a raw tag block (``c:123,s:abc*hh``), or None."""
    for part in raw.split(b"*", 1)[0].split(b","):
        key, sep, value = part.partition(b":")
        if sep and key.strip() == name:
            return value.strip()
    return None


def _clock_us(m: Any) -> int | None:
    """UTC time of a base-station report (type 4/11) as epoch microseconds; None if not available."""
    parts = (m.year, m.month, m.day, m.hour, m.minute, m.second)
    if None in parts:
        return None
    try:
        dt.datetime(*parts)
    except ValueError:  # year 0, month 0, hour 24, minute 60, second 60 = not available
        return None
    return calendar.timegm(parts) * US_PER_SECOND


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.rstrip("@ ").strip()
    return value or None


def _code(value: Any) -> int | None:
    return int(value) if value else None


def _dim(a: int | None, b: int | None) -> float | None:
    if a is None or b is None or a + b <= 0:
        return None
    return float(a + b)


_NEEDED_BITS: dict[type, int] = {}


def _needed_bits(cls: type) -> int:
    """Bits a message class needs for every field we read (from pyais's own decoder plan)."""
    need = _NEEDED_BITS.get(cls)
    if need is None:
        plan = cls.decoder_plan()  # type: ignore[attr-defined]
        need = max((off + width for name, off, width, *_ in plan if name in _USED_FIELDS), default=0)
        _NEEDED_BITS[cls] = need
    return need


class _Pending:
    """An open multipart group: its fragments by number, first line, time and time check."""

    __slots__ = ("bad_time", "count", "parts", "row", "t")

    def __init__(self, row: int, part: AISSentence, t: int | None, bad_time: bool) -> None:
        self.row = row
        self.count = part.frag_cnt
        self.parts: dict[int, AISSentence] = {part.frag_num: part}
        self.t = t
        self.bad_time = bad_time

    def add(self, row: int, part: AISSentence, t: int | None, bad_time: bool) -> None:
        self.parts[part.frag_num] = part
        self.row = min(self.row, row)
        if self.t is None and not self.bad_time:
            self.t, self.bad_time = t, bad_time

    @property
    def complete(self) -> bool:
        return len(self.parts) == self.count

    def ordered(self) -> list[AISSentence]:
        return [self.parts[i] for i in range(1, self.count + 1)]


class _Spool:
    """Decoded batches: the first kept in memory, later ones written to a temporary Arrow IPC file."""

    def __init__(self) -> None:
        self._first: pl.DataFrame | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._paths: list[Path] = []

    def add(self, df: pl.DataFrame) -> None:
        if self._first is None:
            self._first = df
            return
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="shipwatch-nmea-")
        path = Path(self._dir.name) / f"{len(self._paths):06d}.arrow"
        df.write_ipc(path)
        self._paths.append(path)

    def __iter__(self) -> Iterator[pl.DataFrame]:
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        for path in self._paths:
            yield pl.read_ipc(path, memory_map=False)

    def close(self) -> None:
        """Remove the temporary files (safe to call more than once)."""
        self._first = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


class _Decoder:
    """Per-message decoding loop; collects plain row tuples and turns every batch into a DataFrame."""

    def __init__(self, batch_size: int, *, keep_bad_tag_blocks: bool = True) -> None:
        self.batch_size = max(1, batch_size)
        self.keep_bad_tag_blocks = keep_bad_tag_blocks
        self.wrapper: tuple[int | None, bool] | None = None  # (time, implausible) of a $PGHP line
        self.rows: list[tuple[Any, ...]] = []
        self.pending: dict[tuple[Any, ...], _Pending] = {}
        self.clock: int | None = None
        self.spool = _Spool()
        self.statics: list[pl.DataFrame] = []
        self.n_rows = 0
        self.n_ais = 0
        self.n_wrappers = 0

    # -- rows -------------------------------------------------------------------------------------
    def _emit(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self._flush_rows()

    def _reject(self, row: int, reason: str, t: int | None = None, mmsi: int | None = None,
                msg_type: int | None = None) -> None:
        self._emit((mmsi, t, *_NO_VALUES, row, reason, msg_type))

    def _flush_rows(self) -> None:
        if not self.rows:
            return
        df = pl.DataFrame(self.rows, schema=_ROW_SCHEMA, orient="row")
        self.n_rows += df.height
        self.rows = []
        static = df.filter(
            pl.col(_TYPE).is_in(list(STATIC_TYPES)) & pl.col(schema.MMSI).is_not_null()
            & pl.any_horizontal(pl.col(c).is_not_null() for c in _STATIC_COLS)
        ).select(schema.MMSI, schema.SOURCE_ROW, *_STATIC_COLS)
        if static.height:
            self.statics.append(static)
        self.spool.add(df)

    def finish(self) -> None:
        for p in list(self.pending.values()):
            self._reject(p.row, INCOMPLETE_MULTIPART, p.t)
        self.pending.clear()
        self._flush_rows()

    def static_table(self) -> pl.DataFrame:
        """Static reports by MMSI in line order, each field carried forward over that vessel's reports."""
        if not self.statics:
            return pl.DataFrame(schema={c: _ROW_SCHEMA[c] for c in (schema.MMSI, schema.SOURCE_ROW)})
        return (
            pl.concat(self.statics)
            .sort(schema.SOURCE_ROW)
            .with_columns(pl.col(c).forward_fill().over(schema.MMSI) for c in _STATIC_COLS)
        )

    # -- lines ------------------------------------------------------------------------------------
    def line(self, row: int, line: bytes) -> None:
        start = line.find(b"\\", 1) + 1 if line[:1] == b"\\" else 0  # skip a tag block
        match = _CHECKSUM.search(line, start)
        trailing = b""
        if match is not None:
            trailing, line = line[match.end():], line[: match.end()]
        wrapper, self.wrapper = self.wrapper, None  # a Gatehouse time applies to the next line only
        try:
            sentence = NMEASentenceFactory.produce(line)
        except (AISBaseException, ValueError, UnicodeDecodeError):
            self._reject(row, UNDECODABLE)
            return
        if isinstance(sentence, GatehouseSentence):
            if not sentence.is_valid:
                self._reject(row, BAD_CHECKSUM)
                return
            t = _datetime_us(sentence.timestamp)
            self.wrapper = (t, t is None)
            self.n_wrappers += 1
            return
        if not isinstance(sentence, AISSentence):
            self._reject(row, UNDECODABLE)
            return
        self.n_ais += 1
        if not sentence.is_valid:
            self._reject(row, BAD_CHECKSUM)
            return
        t = None
        bad_time = False
        tb = sentence.tag_block
        if tb is not None:
            tb.init()
            stamp = tb.receiver_timestamp
            if not tb.is_valid:
                if not self.keep_bad_tag_blocks:
                    self._reject(row, BAD_CHECKSUM)
                    return
                stamp = _tag_field(tb.raw, b"c")  # pyais leaves a block without checksum unparsed
            if stamp:
                t = _epoch_us(stamp, plausible=True)
                bad_time = t is None
        if t is None and not bad_time and wrapper is not None:
            t, bad_time = wrapper
        if t is None and not bad_time and trailing:
            t = _epoch_us(trailing.rsplit(b",", 1)[-1].strip(), plausible=True)
        if sentence.frag_cnt == 1:
            self._message(row, [sentence], t, bad_time)
        else:
            self._fragment(row, sentence, t, bad_time)

    def _fragment(self, row: int, s: AISSentence, t: int | None, bad_time: bool) -> None:
        group = s.tag_block.group if s.tag_block is not None and s.tag_block.is_valid else None
        key = ("g", group.group_id) if group is not None else ("s", s.seq_id, s.channel, s.frag_cnt)
        pending = self.pending.get(key)
        if group is None and s.seq_id is None:
            self._fragment_in_order(key, pending, row, s, t, bad_time)
            return
        if pending is not None and (s.frag_num in pending.parts or s.frag_cnt != pending.count):
            del self.pending[key]  # a part seen twice, or another message: that group is broken
            self._reject(pending.row, INCOMPLETE_MULTIPART, pending.t)
            pending = None
        if not 1 <= s.frag_num <= s.frag_cnt:
            self._reject(row, INCOMPLETE_MULTIPART, t)
            return
        if pending is None:
            self._open(key, _Pending(row, s, t, bad_time))
            return
        pending.add(row, s, t, bad_time)
        if pending.complete:
            del self.pending[key]
            self._message(pending.row, pending.ordered(), pending.t, pending.bad_time)

    def _fragment_in_order(
        self, key: tuple[Any, ...], pending: _Pending | None, row: int, s: AISSentence, t: int | None, bad_time: bool
    ) -> None:
        """Fragments without a sequence id or group: part 1 first, then each next part in turn."""
        if s.frag_num == 1:
            if pending is not None:
                self._reject(pending.row, INCOMPLETE_MULTIPART, pending.t)
            self._open(key, _Pending(row, s, t, bad_time))
            return
        if pending is None or s.frag_num != len(pending.parts) + 1 or s.frag_cnt != pending.count:
            if pending is not None:
                del self.pending[key]
                self._reject(pending.row, INCOMPLETE_MULTIPART, pending.t)
            self._reject(row, INCOMPLETE_MULTIPART, t)
            return
        pending.add(row, s, t, bad_time)
        if pending.complete:
            del self.pending[key]
            self._message(pending.row, pending.ordered(), pending.t, pending.bad_time)

    def _open(self, key: tuple[Any, ...], pending: _Pending) -> None:
        self.pending[key] = pending
        if len(self.pending) > _MAX_PENDING:
            oldest = self.pending.pop(next(iter(self.pending)))
            self._reject(oldest.row, INCOMPLETE_MULTIPART, oldest.t)

    # -- messages ---------------------------------------------------------------------------------
    def _message(self, row: int, parts: list[AISSentence], t: int | None, bad_time: bool = False) -> None:
        msg = parts[0] if len(parts) == 1 else AISSentence.assemble_from_iterable(parts)
        if not msg.payload:
            self._reject(row, EMPTY_PAYLOAD, t)
            return
        if not _ARMOR.fullmatch(msg.payload):
            self._reject(row, UNDECODABLE, t)
            return
        try:
            m: Any = msg.decode()
        except Exception:  # pyais on untrusted bits: unknown type, bad part number, converter errors
            self._reject(row, UNDECODABLE, t)
            return
        kind = m.msg_type
        checked = kind in POSITION_TYPES or kind in STATIC_TYPES or kind in BASE_STATION_TYPES
        if checked and len(msg.bv) < _needed_bits(type(m)):
            self._reject(row, TRUNCATED, t if t is not None else self.clock, m.mmsi, kind)
            return
        if kind in BASE_STATION_TYPES:
            clock = _clock_us(m)
            if clock is not None:
                self.clock = clock
        if bad_time and kind in POSITION_TYPES:
            self._reject(row, IMPLAUSIBLE_TIME, None, m.mmsi, kind)
            return
        if t is None and not bad_time:
            t = self.clock
        if kind in (1, 2, 3):
            self._emit((m.mmsi, t, m.lat, m.lon, m.speed, m.course, m.heading, int(m.status),
                        None, None, None, None, None, None, None, "A", row, None, kind))
        elif kind == 18:
            self._emit((m.mmsi, t, m.lat, m.lon, m.speed, m.course, m.heading, None,
                        None, None, None, None, None, None, None, "B", row, None, kind))
        elif kind == 19:
            self._emit((m.mmsi, t, m.lat, m.lon, m.speed, m.course, m.heading, None,
                        _text(m.shipname), None, None, _code(m.ship_type), _dim(m.to_bow, m.to_stern),
                        _dim(m.to_port, m.to_starboard), None, "B", row, None, kind))
        elif kind == 27:
            sog = 102.3 if m.speed == 63 else m.speed
            cog = 360.0 if m.course == 511 else m.course
            self._emit((m.mmsi, t, m.lat, m.lon, sog, cog, None, int(m.status),
                        None, None, None, None, None, None, None, "A", row, None, kind))
        elif kind == 5:
            self._emit((m.mmsi, t, None, None, None, None, None, None,
                        _text(m.shipname), _code(m.imo), _text(m.callsign), _code(m.ship_type),
                        _dim(m.to_bow, m.to_stern), _dim(m.to_port, m.to_starboard), m.draught or None,
                        "A", row, STATIC_JOINED, kind))
        elif kind == 24:
            if m.partno == 0:
                static = (_text(m.shipname), None, None, None, None, None, None)
            else:  # part B; auxiliary craft carry a mothership MMSI instead of dimensions
                static = (None, None, _text(m.callsign), _code(m.ship_type),
                          _dim(getattr(m, "to_bow", None), getattr(m, "to_stern", None)),
                          _dim(getattr(m, "to_port", None), getattr(m, "to_starboard", None)), None)
            self._emit((m.mmsi, t, *(None,) * 6, *static, "B", row, STATIC_JOINED, kind))
        else:
            self._reject(row, NOT_POSITION, t, getattr(m, "mmsi", None), kind)


def _finish(df: pl.DataFrame, static: pl.DataFrame, source_file: str) -> pl.DataFrame:
    """Join static data onto position rows, convert time, and conform to the canonical schema."""
    df = df.sort(schema.SOURCE_ROW)
    if static.height:
        is_pos = pl.col(_TYPE).is_in(list(POSITION_TYPES)) & pl.col(schema.REASON).is_null()
        before = static.rename({c: f"{c}__b" for c in _STATIC_COLS})
        after = static.rename({c: f"{c}__f" for c in _STATIC_COLS})
        df = (
            df.join_asof(before, on=schema.SOURCE_ROW, by=schema.MMSI, strategy="backward",
                         check_sortedness=False)
            .join_asof(after, on=schema.SOURCE_ROW, by=schema.MMSI, strategy="forward",
                       check_sortedness=False)
            .with_columns(
                pl.when(is_pos)
                .then(pl.coalesce(c, f"{c}__b", f"{c}__f"))
                .otherwise(pl.col(c))
                .alias(c)
                for c in _STATIC_COLS
            )
        )
    df = df.with_columns(
        pl.col(_T).cast(schema.TIME_DTYPE).alias(schema.TIMESTAMP),
        pl.lit(source_file, dtype=pl.String()).alias(schema.SOURCE_FILE),
    )
    return schema.conform(df).with_columns(df.get_column(schema.REASON))
