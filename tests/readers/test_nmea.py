"""NMEA reader: pyais-encoded round trips, a catalogue of invalid inputs, and the real NMEA samples."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from functools import reduce
from operator import xor
from pathlib import Path

import polars as pl
import pytest
from pyais import IterMessages, encode_dict
from pyais.messages import TagBlock

from shipwatch import schema
from shipwatch.errors import UnreadableFileError
from shipwatch.readers import nmea
from shipwatch.readers.nmea import read_nmea

REAL_AIS = Path(__file__).resolve().parents[2].parent / "shared" / "real_ais"
REAL_NMEA = ["test_data_20211101.nm4", "test_data_201201.nmea", "pyais_nmea_data_sample.txt",
             "gpsd_sample.aivdm"]
T0 = 1_635_731_889  # 2021-11-01 01:58:09 UTC
UTC = dt.UTC

SHIP_A = 219_000_001
SHIP_B = 265_000_002


# -- builders ---------------------------------------------------------------------------------------
def sentence(body: str) -> str:
    """``!body*hh`` with a correct checksum."""
    return f"!{body}*{reduce(xor, body.encode(), 0):02X}"


def tagged(line: str, **fields: object) -> str:
    """Prefix an NMEA line with a tag block (e.g. ``receiver_timestamp=...``)."""
    return "\\" + TagBlock.create(**fields).decode() + "\\" + line


def position(mmsi: int, lat: float, lon: float, *, msg_type: int = 1, **extra: object) -> str:
    data = {"type": msg_type, "mmsi": mmsi, "lat": lat, "lon": lon, "speed": 10.5, "course": 123.4,
            "heading": 120, "status": 0, **extra}
    (line,) = encode_dict(data, talker_id="AI", sentence_type="VDM", radio_channel="A")
    return line


def static5(mmsi: int, *, seq_id: int = 3) -> list[str]:
    data = {"type": 5, "mmsi": mmsi, "imo": 9_179_842, "callsign": "OXYZ2", "shipname": "NORDIC STAR",
            "ship_type": 70, "to_bow": 100, "to_stern": 50, "to_port": 10, "to_starboard": 12,
            "draught": 7.5}
    return encode_dict(data, talker_id="AI", sentence_type="VDM", radio_channel="B", seq_id=seq_id)


def base_station(when: dt.datetime) -> str:
    data = {"type": 4, "mmsi": 2_190_047, "year": when.year, "month": when.month, "day": when.day,
            "hour": when.hour, "minute": when.minute, "second": when.second, "lat": 55.0, "lon": 12.0}
    (line,) = encode_dict(data, talker_id="AI", sentence_type="VDM", radio_channel="A")
    return line


def read(tmp_path: Path, lines: list[str], **kw: object) -> pl.DataFrame:
    path = tmp_path / "in.nmea"
    path.write_text("\n".join(lines) + "\n")
    return pl.concat(list(read_nmea(path, str(path), **kw)))


def utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)


# -- round trips ------------------------------------------------------------------------------------
def test_positions_with_type5_joined(tmp_path: Path) -> None:
    part1, part2 = static5(SHIP_A)
    lines = [
        "# a comment",
        tagged(position(SHIP_A, 57.5, 11.25), receiver_timestamp=T0),
        "",
        tagged(part1, receiver_timestamp=T0 + 5),
        part2,  # the second fragment carries no time of its own
        tagged(position(SHIP_A, 57.6, 11.35), receiver_timestamp=T0 + 10),
        tagged(position(SHIP_B, -33.0, 151.5, msg_type=3, status=5), receiver_timestamp=T0 + 11),
    ]
    df = read(tmp_path, lines)
    assert df.schema == pl.Schema(schema.REJECT_SCHEMA)
    # 5 counted lines, one 2-part message -> 4 rows; source_row is the physical line number
    assert df[schema.SOURCE_ROW].to_list() == [2, 4, 6, 7]
    assert df[schema.REASON].to_list() == [None, nmea.STATIC_JOINED, None, None]
    assert df[schema.TIMESTAMP].to_list() == [utc(T0), utc(T0 + 5), utc(T0 + 10), utc(T0 + 11)]

    a1, s5, a2, b = df.iter_rows(named=True)
    for row, (lat, lon) in ((a1, (57.5, 11.25)), (a2, (57.6, 11.35))):
        assert row[schema.MMSI] == SHIP_A
        assert row[schema.LAT] == pytest.approx(lat, abs=1e-5)
        assert row[schema.LON] == pytest.approx(lon, abs=1e-5)
        assert (row[schema.SOG], row[schema.COG], row[schema.HEADING]) == (10.5, 123.4, 120.0)
        assert (row[schema.NAV_STATUS], row[schema.TRANSCEIVER]) == (0, "A")
        # a1 precedes the type 5 (first after), a2 follows it (most recent before)
        assert row[schema.VESSEL_NAME] == "NORDIC STAR"
        assert (row[schema.IMO], row[schema.CALLSIGN], row[schema.SHIP_TYPE]) == (9_179_842, "OXYZ2", 70)
        assert (row[schema.LENGTH_M], row[schema.WIDTH_M], row[schema.DRAUGHT_M]) == (150.0, 22.0, 7.5)
    assert s5[schema.MMSI] == SHIP_A and s5[schema.LAT] is None
    assert b[schema.MMSI] == SHIP_B and b[schema.NAV_STATUS] == 5 and b[schema.VESSEL_NAME] is None
    assert b[schema.LAT] == pytest.approx(-33.0) and b[schema.LON] == pytest.approx(151.5)
    assert set(df[schema.SOURCE_FILE]) == {str(tmp_path / "in.nmea")}


def test_sentinels_stay_numbers(tmp_path: Path) -> None:
    line = position(SHIP_A, 91, 181, speed=102.3, course=360, heading=511)
    row = read(tmp_path, [tagged(line, receiver_timestamp=T0)]).row(0, named=True)
    assert (row["lat"], row["lon"], row["sog"], row["cog"], row["heading"]) == (91, 181, 102.3, 360, 511)
    assert row[schema.REASON] is None


def test_type27_not_available_codes_become_canonical_sentinels(tmp_path: Path) -> None:
    (line,) = encode_dict({"type": 27, "mmsi": SHIP_A, "lat": 10.5, "lon": -20.25, "speed": 63,
                           "course": 511, "status": 1})
    row = read(tmp_path, [tagged(line, receiver_timestamp=T0)]).row(0, named=True)
    assert (row["sog"], row["cog"], row["heading"], row["nav_status"], row["transceiver"]) == (
        102.3, 360.0, None, 1, "A")
    assert (row["lat"], row["lon"]) == (pytest.approx(10.5, abs=0.001), pytest.approx(-20.25, abs=0.001))


def test_class_b_with_type24_parts(tmp_path: Path) -> None:
    (pos,) = encode_dict({"type": 18, "mmsi": SHIP_B, "lat": 1.0, "lon": 2.0, "speed": 3.0, "course": 4.0,
                          "heading": 5})
    (part_a,) = encode_dict({"type": 24, "mmsi": SHIP_B, "partno": 0, "shipname": "LITTLE ONE@@@"})
    (part_b,) = encode_dict({"type": 24, "mmsi": SHIP_B, "partno": 1, "ship_type": 37, "callsign": "AB12",
                             "to_bow": 5, "to_stern": 3, "to_port": 1, "to_starboard": 2})
    df = read(tmp_path, [tagged(x, receiver_timestamp=T0) for x in (part_a, pos, part_b)])
    assert df[schema.REASON].to_list() == [nmea.STATIC_JOINED, None, nmea.STATIC_JOINED]
    row = df.row(1, named=True)
    assert (row["transceiver"], row["vessel_name"], row["callsign"], row["ship_type"]) == (
        "B", "LITTLE ONE", "AB12", 37)
    assert (row["length_m"], row["width_m"], row["nav_status"]) == (8.0, 3.0, None)


@pytest.mark.parametrize("stamp", [str(T0), str(T0 * 1000)], ids=["seconds", "milliseconds"])
def test_tag_block_epoch_seconds_or_ms(tmp_path: Path, stamp: str) -> None:
    line = tagged(position(SHIP_A, 1.0, 2.0), source_station="x1", receiver_timestamp=stamp)
    assert read(tmp_path, [line])[schema.TIMESTAMP].to_list() == [utc(T0)]


def test_trailing_uscg_epoch(tmp_path: Path) -> None:
    line = position(SHIP_A, 1.0, 2.0) + f",d-080,S2118,t050056.00,T56.4837741,r003669946,{T0 + 59},{T0}"
    df = read(tmp_path, [line])
    assert df[schema.TIMESTAMP].to_list() == [utc(T0)]
    assert df[schema.REASON].to_list() == [None]


def test_base_station_clock_for_plain_nmea(tmp_path: Path) -> None:
    clock = dt.datetime(2020, 6, 21, 9, 30, 40, tzinfo=UTC)
    later = dt.datetime(2020, 6, 21, 9, 31, 0, tzinfo=UTC)
    lines = [position(SHIP_A, 1.0, 2.0), base_station(clock), position(SHIP_A, 1.1, 2.1),
             base_station(later), position(SHIP_B, 1.2, 2.2)]
    df = read(tmp_path, lines)
    assert df[schema.TIMESTAMP].to_list() == [None, clock, clock, later, later]
    assert df[schema.REASON].to_list() == [None, nmea.NOT_POSITION, None, nmea.NOT_POSITION, None]


def test_static_after_position_across_batches(tmp_path: Path) -> None:
    """The join looks ahead to the end of the file, also when earlier batches were spooled to disk."""
    lines = [tagged(position(SHIP_A, 1.0 + i / 100, 2.0), receiver_timestamp=T0 + i) for i in range(7)]
    lines += static5(SHIP_A)
    batches = list(read_nmea(_write(tmp_path, lines), "f", batch_size=3))
    assert [b.height for b in batches] == [3, 3, 2]
    df = pl.concat(batches)
    assert df[schema.SOURCE_ROW].to_list() == list(range(1, 9))
    assert df.filter(pl.col(schema.REASON).is_null())[schema.VESSEL_NAME].to_list() == ["NORDIC STAR"] * 7


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.nmea"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_streams_give_the_same_rows(tmp_path: Path) -> None:
    lines = [tagged(position(SHIP_A, 1.0, 2.0), receiver_timestamp=T0), *static5(SHIP_A)]
    path = _write(tmp_path, lines)
    expected = pl.concat(list(read_nmea(path, "f")))
    gz = tmp_path / "in.nmea.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with gzip.open(gz, "rb") as binary:
        assert pl.concat(list(read_nmea(binary, "f"))).equals(expected)
    text = io.StringIO(path.read_text())
    assert pl.concat(list(read_nmea(text, "f"))).equals(expected)


# -- invalid inputs ---------------------------------------------------------------------------------
GOOD = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
PART1, PART2 = static5(SHIP_A, seq_id=7)

CATALOGUE = {
    "bad checksum": ([GOOD[:-2] + "4B"], [nmea.BAD_CHECKSUM]),
    "missing checksum": (["!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"], [nmea.BAD_CHECKSUM]),
    "bad tag block checksum, rejected": (["\\c:1635731889*00\\" + GOOD], [nmea.BAD_CHECKSUM],
                                         {"tag_block_checksum": "reject"}),
    "missing tag block checksum, rejected": (["\\c:1635731889\\" + GOOD], [nmea.BAD_CHECKSUM],
                                             {"tag_block_checksum": "reject"}),
    "tag block time in 1970": ([tagged(GOOD, receiver_timestamp="0002780328")], [nmea.IMPLAUSIBLE_TIME]),
    "tag block time in 2363": ([tagged(GOOD, receiver_timestamp="12415440354")], [nmea.IMPLAUSIBLE_TIME]),
    "gatehouse time in 1980": ([f"$PGHP,1,1980,1,1,0,0,0,0,0,0,0,1,2C*{reduce(xor, b'PGHP,1,1980,1,1,0,0,0,0,0,0,0,1,2C', 0):02X}",
                                GOOD], [nmea.IMPLAUSIBLE_TIME]),
    "gatehouse wrapper with a bad checksum": (["$PGHP,1,2020,12,31,23,59,58,239,0,0,0,1,2C*00", GOOD],
                                              [nmea.BAD_CHECKSUM, None]),
    "multipart out of order": ([PART2, PART1], [nmea.STATIC_JOINED]),
    "multipart out of order, no sequence id": ([sentence(re.sub(r"^(AIVDM,2,\d),\d,", r"\1,,", p[1:].split("*")[0]))
                                                for p in reversed(static5(SHIP_A))],
                                               [nmea.INCOMPLETE_MULTIPART, nmea.INCOMPLETE_MULTIPART]),
    "truncated multipart": ([PART1, GOOD], [nmea.INCOMPLETE_MULTIPART, None]),
    "orphan second part": ([PART2], [nmea.INCOMPLETE_MULTIPART]),
    "multipart restarted": ([PART1, PART1, PART2], [nmea.INCOMPLETE_MULTIPART, nmea.STATIC_JOINED]),
    "empty payload": (["!AIVDM,1,1,,B,,0*25"], [nmea.EMPTY_PAYLOAD]),
    "garbage line": (["this is not nmea at all", GOOD], [nmea.UNDECODABLE, None]),
    "non-AIS NMEA": (["$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47", GOOD],
                     [nmea.UNDECODABLE, None]),
    "bad payload characters": ([sentence("AIVDM,1,1,,A,15RTgt0P~~~;90TKcjM8h6g208CQ,0"), GOOD],
                               [nmea.UNDECODABLE, None]),
    "unknown message type": ([sentence("AIVDM,1,1,,A,w5RTgt0PAso;90TKcjM8h6g208CQ,0")],
                             [nmea.UNDECODABLE]),
    "missing '!'": (["AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", GOOD], [nmea.UNDECODABLE, None]),
    "truncated payload": ([sentence("AIVDM,1,1,,A,15RTgt0PAso;90TK,0")], [nmea.TRUNCATED]),
    "tag block without time": (["\\" + TagBlock.create(source_station="r1").decode() + "\\" + GOOD],
                               [None]),
    "base station": ([base_station(dt.datetime(2020, 1, 1, tzinfo=UTC))], [nmea.NOT_POSITION]),
    "static data": (static5(SHIP_A), [nmea.STATIC_JOINED]),
}


@pytest.mark.parametrize("case", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_invalid_input_catalogue(tmp_path: Path, case: tuple) -> None:
    lines, reasons, kw = case if len(case) == 3 else (*case, {})
    df = read(tmp_path, lines, **kw)
    assert df.schema == pl.Schema(schema.REJECT_SCHEMA)
    assert df[schema.REASON].to_list() == reasons
    if None in reasons:  # the usable row has neither a tag-block time nor a base station: null time
        assert df.filter(pl.col(schema.REASON).is_null())[schema.TIMESTAMP].to_list() == [None]


def test_only_garbage_is_unreadable(tmp_path: Path) -> None:
    path = _write(tmp_path, ["PK\x03\x04 binary junk", "more junk"])
    with pytest.raises(UnreadableFileError, match="no AIS NMEA sentence"):
        list(read_nmea(path, "junk.nmea"))


def test_empty_file_gives_no_rows(tmp_path: Path) -> None:
    assert list(read_nmea(_write(tmp_path, ["# only a comment", ""]), "f")) == []


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"nope\.nmea"):
        list(read_nmea(tmp_path / "nope.nmea", "nope.nmea"))


def test_corrupt_gzip_stream_is_unreadable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 40)
    with gzip.open(bad, "rb") as stream, pytest.raises(UnreadableFileError, match=r"bad\.nmea\.gz"):
        list(read_nmea(stream, "bad.nmea.gz"))


# -- real files -------------------------------------------------------------------------------------
def _usable(df: pl.DataFrame) -> pl.DataFrame:
    return df.filter(
        pl.col(schema.REASON).is_null() & pl.col(schema.TIMESTAMP).is_not_null()
        & pl.col(schema.MMSI).is_not_null()
        & pl.col(schema.LAT).is_between(-90, 90) & pl.col(schema.LON).is_between(-180, 180)
    )


@pytest.mark.real
@pytest.mark.parametrize("name", REAL_NMEA)
def test_real_nmea_files(real_ais: Path, name: str) -> None:
    path = real_ais / "nmea" / name
    df = pl.concat(list(read_nmea(path, str(path), batch_size=250)))
    # Independent count: non-blank, non-comment lines, less the extra fragment lines of every multipart
    # message that pyais's own stream assembler completes.
    with path.open("rb") as fh:
        counted = [line.strip() for line in fh if line.strip() and not line.strip().startswith(b"#")]
    extra = sum(m.raw.count(b"\n") for m in IterMessages(counted))
    assert df.height == len(counted) - extra
    assert df[schema.SOURCE_ROW].n_unique() == df.height
    assert df.schema == pl.Schema(schema.REJECT_SCHEMA)
    assert _usable(df).height > 0


@pytest.mark.real
def test_real_tag_block_times(real_ais: Path) -> None:
    path = real_ais / "nmea" / "test_data_20211101.nm4"
    df = pl.concat(list(read_nmea(path, str(path))))
    assert df[schema.TIMESTAMP].null_count() == 0
    assert df[schema.TIMESTAMP].min() >= utc(T0 - 3600)
    assert (df[schema.REASON] == nmea.STATIC_JOINED).sum() > 0
    assert df.filter(pl.col(schema.REASON).is_null())[schema.TRANSCEIVER].null_count() == 0


@pytest.mark.real
@pytest.mark.parametrize(("name", "clock_rows", "clock_positions"),
                         [("pyais_nmea_data_sample.txt", 582, 562), ("gpsd_sample.aivdm", 95, 8)])
def test_real_base_station_clock(real_ais: Path, name: str, clock_rows: int, clock_positions: int) -> None:
    """Plain NMEA: rows timed by the last base-station report (figures pinned to document them)."""
    path = real_ais / "nmea" / name
    df = pl.concat(list(read_nmea(path, str(path))))
    with path.open("rb") as fh:
        own_time = {i for i, line in enumerate(fh, 1) if _own_epoch(line)}
    clocked = df.filter(pl.col(schema.TIMESTAMP).is_not_null() & ~pl.col(schema.SOURCE_ROW).is_in(own_time))
    assert clocked.height == clock_rows
    assert _usable(clocked).height == clock_positions


def _own_epoch(line: bytes) -> bool:
    """A tag-block ``c:`` or a plausible trailing epoch after the checksum."""
    line = line.strip()
    if line.startswith(b"\\") and b"c:" in line.split(b"\\")[1]:
        return True
    star = line.find(b"*", line.find(b"!"))
    tail = line[star + 3:].rsplit(b",", 1)[-1] if star >= 0 else b""
    return tail.isdigit() and 946_684_800 <= int(tail) < 4_102_444_800


def test_spool_is_removed_when_reading_stops_early(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    lines = [tagged(position(SHIP_A, 1.0, 2.0), receiver_timestamp=T0 + i) for i in range(5)]
    it = read_nmea(_write(tmp_path, lines), "f", batch_size=2)
    next(it)
    assert any(p.name.startswith("shipwatch-nmea-") for p in tmp_path.iterdir())
    it.close()
    assert not any(p.name.startswith("shipwatch-nmea-") for p in tmp_path.iterdir())


# -- Phase B: tag-block checksum policy, implausible times, Gatehouse wrappers, fragment order ------
@pytest.mark.parametrize("block", ["\\c:1635731889*00\\", "\\c:1635731889\\"], ids=["wrong", "missing"])
def test_a_tag_block_with_a_bad_checksum_is_kept_by_default(tmp_path: Path, block: str) -> None:
    kept = read(tmp_path, [block + GOOD])
    assert kept[schema.REASON].to_list() == [None]
    assert kept[schema.TIMESTAMP].to_list() == [utc(T0)]  # the kept row is usable: its time is read
    rejected = read(tmp_path, [block + GOOD], tag_block_checksum="reject")
    assert rejected[schema.REASON].to_list() == [nmea.BAD_CHECKSUM]
    with pytest.raises(ValueError, match="tag_block_checksum must be 'keep' or 'reject', got 'drop'"):
        read(tmp_path, [GOOD], tag_block_checksum="drop")


def test_the_tag_block_policy_reaches_ingest(tmp_path: Path) -> None:
    from shipwatch.ingest import ingest

    path = _write(tmp_path, ["\\c:1635731889*00\\" + position(SHIP_A, 55.0, 12.0)])
    kept = ingest([path], tmp_path / "keep")
    assert (kept.rows_accepted, kept.rows_rejected) == (1, 0)
    strict = ingest([path], tmp_path / "reject", tag_block_checksum="reject")
    assert (strict.rows_accepted, strict.rejected_by_reason) == (0, {nmea.BAD_CHECKSUM: 1})


def test_implausible_tag_block_times_are_not_used(tmp_path: Path) -> None:
    lines = [tagged(position(SHIP_A, 55.0, 12.0), receiver_timestamp=c) for c in ("0002780328", "12415440354")]
    df = read(tmp_path, [*lines, tagged(position(SHIP_A, 55.1, 12.0), receiver_timestamp=str(T0))])
    assert df[schema.REASON].to_list() == [nmea.IMPLAUSIBLE_TIME, nmea.IMPLAUSIBLE_TIME, None]
    assert df[schema.TIMESTAMP].to_list() == [None, None, utc(T0)]


def gatehouse(when: dt.datetime) -> str:
    body = (f"PGHP,1,{when.year},{when.month},{when.day},{when.hour},{when.minute},{when.second},"
            f"{when.microsecond // 1000},219,219000001,219000002,1,6D")
    return f"${body}*{reduce(xor, body.encode(), 0):02X}"


def test_gatehouse_wrappers_give_the_next_sentence_its_time(tmp_path: Path) -> None:
    when = dt.datetime(2020, 12, 31, 23, 59, 58, 239_000, tzinfo=UTC)
    lines = [gatehouse(when), position(SHIP_A, 55.0, 12.0), position(SHIP_B, 56.0, 11.0),
             gatehouse(when + dt.timedelta(seconds=5)), *static5(SHIP_B), position(SHIP_B, 56.1, 11.0)]
    df = read(tmp_path, lines)
    # the wrapper lines are consumed with the sentence they wrap; a time applies to the next one only
    assert df[schema.SOURCE_ROW].to_list() == [2, 3, 5, 7]
    assert df[schema.TIMESTAMP].to_list() == [when, None, when + dt.timedelta(seconds=5), None]
    assert df[schema.REASON].to_list() == [None, None, nmea.STATIC_JOINED, None]


def test_real_gatehouse_lines_as_pyais_documents_them(tmp_path: Path) -> None:
    lines = ["$PGHP,1,2020,12,31,23,59,58,239,0,0,0,1,2C*5B", GOOD]
    df = read(tmp_path, lines)
    assert df[schema.TIMESTAMP].to_list() == [dt.datetime(2020, 12, 31, 23, 59, 58, 239_000, tzinfo=UTC)]


def test_fragments_in_any_order_keep_their_static_data(tmp_path: Path) -> None:
    part1, part2 = static5(SHIP_A, seq_id=4)
    df = read(tmp_path, [position(SHIP_A, 55.0, 12.0), part2, position(SHIP_B, 56.0, 11.0), part1])
    assert df[schema.REASON].to_list() == [None, nmea.STATIC_JOINED, None]
    assert df[schema.SOURCE_ROW].to_list() == [1, 2, 3]  # the message takes its first line
    ship_a = df.filter(pl.col(schema.MMSI) == SHIP_A, pl.col(schema.REASON).is_null()).row(0, named=True)
    assert ship_a[schema.VESSEL_NAME] == "NORDIC STAR" and ship_a[schema.LENGTH_M] == 150.0
