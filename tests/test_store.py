"""The store: layout, idempotency, order independence, reading back."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from shipwatch import schema
from shipwatch.errors import StoreError
from shipwatch.ingest import ingest
from shipwatch.store import BUCKETS, is_store, read_store

HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType\n"


def day_file(path: Path, day: str, mmsis: range, *, extra: str = "") -> Path:
    """A small MarineCadastre day file: every vessel every 10 minutes, not time-sorted."""
    lines = []
    for m in mmsis:
        for k in range(0, 144, 7):
            h, mi = divmod(k * 10, 60)
            lines.append(
                f"{m},{day}T{h:02d}:{mi:02d}:00,{30 + m % 7 + k / 1000:.5f},{-80 - k / 1000:.5f},"
                f"{k % 15}.0,{k % 360}.0,511,V{m},IMO{9000000 + m % 1000},C{m},70\n"
            )
    lines.reverse()
    path.write_text(HEADER + "".join(lines) + extra)
    return path


def partitions(store: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(store)): p.read_bytes() for p in sorted((store / "positions").rglob("*.parquet"))
    }


def test_layout_manifest_and_sorting(tmp_path):
    f = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000020))
    report = ingest([f], tmp_path / "store")
    store = tmp_path / "store"
    assert is_store(store)
    parts = list(partitions(store))
    assert parts and all(p.startswith("positions/date=2020-01-01/part-") for p in parts)
    for p in (store / "positions").rglob("*.parquet"):
        df = pl.read_parquet(p)
        bucket = int(p.stem.split("-")[1])
        assert (df["mmsi"] % BUCKETS == bucket).all()
        assert df.equals(df.sort(["mmsi", "timestamp"]))
    manifest = json.loads((store / "manifest.json").read_text())
    (entry,) = manifest["files"].values()
    assert entry["path"] == str(f) and entry["rows"] == report.rows_read == 19 * 21


def test_same_file_twice_adds_nothing(tmp_path):
    f = day_file(
        tmp_path / "a.csv", "2020-01-01", range(366000001, 366000010), extra="0,2020-01-01T00:00:00,1,1\n"
    )
    store = tmp_path / "store"
    first = ingest([f], store)
    before = partitions(store)
    rejects_before = sorted(p.read_bytes() for p in (store / "rejects").glob("*.parquet"))
    second = ingest([f], store)
    assert partitions(store) == before
    assert sorted(p.read_bytes() for p in (store / "rejects").glob("*.parquet")) == rejects_before
    assert (second.rows_read, second.rows_accepted, second.rows_rejected) == (first.rows_read, 0, 1)
    assert second.rows_duplicate == first.rows_accepted
    assert second.files[0].already_ingested and not first.files[0].already_ingested


def test_the_same_content_under_another_path_adds_nothing_and_renames_nothing(tmp_path):
    """A file ingested again under another spelling of its path (or a copy of it) is recognised by
    its content: the store's files, rejects and manifest stay exactly as they were."""
    f = day_file(
        tmp_path / "a.csv", "2020-01-01", range(366000001, 366000010), extra="0,2020-01-01T00:00:00,1,1\n"
    )
    copy = tmp_path / "copies" / "a-copy.csv"
    copy.parent.mkdir()
    shutil.copy(f, copy)
    store = tmp_path / "store"
    first = ingest([f], store)
    before = partitions(store)
    manifest = (store / "manifest.json").read_bytes()
    rejects_before = sorted(p.read_bytes() for p in (store / "rejects").glob("*.parquet"))
    again = ingest([copy, tmp_path / "copies" / ".." / "a.csv"], store)
    assert partitions(store) == before
    assert (store / "manifest.json").read_bytes() == manifest
    assert sorted(p.read_bytes() for p in (store / "rejects").glob("*.parquet")) == rejects_before
    assert again.balanced and again.rows_accepted == 0
    assert again.rows_duplicate == 2 * first.rows_accepted
    assert [e.already_ingested for e in again.files] == [True, True]
    # Two copies in one ingest, in either order: the rows of the path that sorts first are kept.
    for i, order in enumerate(([f, copy], [copy, f])):
        both = ingest(order, tmp_path / f"store{i}")
        assert both.balanced and both.rows_accepted == first.rows_accepted
        assert both.rows_duplicate == first.rows_accepted
        kept = read_store(tmp_path / f"store{i}").collect()["source_file"].unique().to_list()
        assert kept == [min(str(f), str(copy))]
    assert partitions(tmp_path / "store0") == partitions(tmp_path / "store1")
    for name in ("manifest.json", "rejects"):  # rejects and manifest entry: the first path's too
        a, b = tmp_path / "store0" / name, tmp_path / "store1" / name
        if a.is_dir():
            assert [p.read_bytes() for p in sorted(a.iterdir())] == [p.read_bytes() for p in sorted(b.iterdir())]
        else:
            assert a.read_bytes() == b.read_bytes()


def test_day_files_in_any_order_give_byte_identical_partitions(tmp_path):
    a = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000030))
    # b repeats a's last rows (same report, another file) and adds the next day
    b = day_file(
        tmp_path / "b.csv",
        "2020-01-02",
        range(366000011, 366000040),
        extra="".join(a.read_text().splitlines(keepends=True)[1:4]),
    )
    r1 = [ingest([a], tmp_path / "s1"), ingest([b], tmp_path / "s1")]
    r2 = [ingest([b], tmp_path / "s2"), ingest([a], tmp_path / "s2")]
    p1, p2 = partitions(tmp_path / "s1"), partitions(tmp_path / "s2")
    assert p1 and p1 == p2
    assert sum(r.rows_duplicate for r in r1) == sum(r.rows_duplicate for r in r2) == 3
    both = ingest([b, a], tmp_path / "s3")
    assert partitions(tmp_path / "s3") == p1
    assert both.rows_duplicate == 3


def test_read_store_window_and_columns(tmp_path):
    a = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000005))
    b = day_file(tmp_path / "b.csv", "2020-01-02", range(366000001, 366000005))
    report = ingest([a, b], tmp_path / "s")
    everything = read_store(tmp_path / "s").collect()
    assert everything.height == report.rows_accepted
    assert everything.schema == schema.CANONICAL_SCHEMA
    day2 = read_store(tmp_path / "s", since="2020-01-02", columns=["mmsi", "timestamp"]).collect()
    assert day2.columns == ["mmsi", "timestamp"]
    assert day2.height == everything.height // 2
    assert day2["timestamp"].min() == dt.datetime(2020, 1, 2, 0, 0, tzinfo=dt.UTC)
    window = read_store(
        tmp_path / "s", since=dt.datetime(2020, 1, 1, 12), until=dt.date(2020, 1, 2)
    ).collect()
    assert window["timestamp"].min() >= dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC)
    assert window["timestamp"].max() < dt.datetime(2020, 1, 2, tzinfo=dt.UTC)
    assert window.height > 0


def test_not_a_store(tmp_path):
    (tmp_path / "junk.txt").write_text("x")
    assert not is_store(tmp_path)
    with pytest.raises(StoreError, match="not a shipwatch store"):
        read_store(tmp_path)
    f = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000002))
    with pytest.raises(
        StoreError, match="exists and is not a shipwatch store; give an empty or new directory"
    ):
        ingest([f], tmp_path)


def test_spilling_staged_rows_to_disk_gives_the_same_store(tmp_path, monkeypatch):
    import shipwatch.staging as staging_module

    a = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000030))
    b = day_file(
        tmp_path / "b.csv",
        "2020-01-02",
        range(366000011, 366000040),
        extra="".join(a.read_text().splitlines(keepends=True)[1:4]),
    )
    held = ingest([a, b], tmp_path / "held")
    monkeypatch.setattr(staging_module, "STAGING_MEMORY_BYTES", 1)  # spill after every batch
    spilled = ingest([b, a], tmp_path / "spilled")
    assert partitions(tmp_path / "held") == partitions(tmp_path / "spilled")
    assert held.to_dict() | {"files": None, "store": None} == spilled.to_dict() | {
        "files": None,
        "store": None,
    }
    assert held.rows_duplicate == 3


def test_rejects_set_aside_on_disk_are_all_kept(tmp_path, monkeypatch):
    import shipwatch.readers.csv as csv_reader
    import shipwatch.staging as staging_module

    bad = "".join(f"2{i:06d},2020-01-01T00:00:00,1,1\n" for i in range(10))  # base stations
    f = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000003), extra=bad)
    kept = ingest([f], tmp_path / "kept")
    monkeypatch.setattr(staging_module, "REJECTS_MEMORY_BYTES", 1)
    monkeypatch.setattr(csv_reader, "BATCH_ROWS", 4)
    aside = ingest([f], tmp_path / "aside")
    read = [pl.read_parquet(s / "rejects" / "*.parquet") for s in (tmp_path / "kept", tmp_path / "aside")]
    assert kept.rows_rejected == aside.rows_rejected == 10
    assert read[0].equals(read[1]) and read[0].height == 10
    assert not list((tmp_path / "aside").rglob("*.arrow"))


def test_staging_left_by_a_killed_ingest_is_cleaned_up(tmp_path):
    import os
    import time

    from shipwatch.ingest import ingest

    src = Path(__file__).resolve().parent / "data" / "marinecadastre_2020.csv"
    ingest([src], tmp_path / "store")
    stale = tmp_path / "store" / ".staging" / "tmpdead"
    stale.mkdir(parents=True)
    (stale / "0.arrow").write_bytes(b"x")
    old = time.time() - 7 * 3600
    os.utime(stale, (old, old))
    ingest([src], tmp_path / "store")
    assert not stale.exists()


def test_a_second_ingest_into_a_store_being_written_fails_at_once(tmp_path):
    """Another process holds the store's write lock: a second ingest stops with a clear error and
    touches nothing; once the lock is free (even from a killed process) ingesting works."""
    import subprocess
    import sys

    f = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000010))
    store = tmp_path / "store"
    ingest([f], store)
    before = partitions(store)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from shipwatch.store import Store\n"
            "with Store.open(sys.argv[1]).writing():\n    print('locked', flush=True); sys.stdin.read()",
            str(store),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        g = day_file(tmp_path / "b.csv", "2020-01-02", range(366000001, 366000010))
        with pytest.raises(StoreError, match="another shipwatch ingest is writing to this store"):
            ingest([g], store)
        assert partitions(store) == before
    finally:
        holder.kill()  # the lock goes with the process
        holder.wait()
    report = ingest([g], store)
    assert report.rows_accepted == 9 * 21 and len(partitions(store)) > len(before)


def test_two_ingests_creating_one_store_at_once_never_break_it(tmp_path):
    """Started together on a store that does not exist yet: each one either ingests or stops with
    the lock message (never another error), and the store is whole afterwards."""
    import subprocess
    import sys

    files = [day_file(tmp_path / f"{d}.csv", d, range(366000001, 366000004)) for d in ("2020-01-01", "2020-01-02")]
    for round_ in range(3):
        store = tmp_path / f"store{round_}"
        procs = [
            subprocess.Popen(
                [str(Path(sys.executable).parent / "shipwatch"), "ingest", str(f), "--store", str(store)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for f in files
        ]
        results = [(p.wait(), p.communicate()[1]) for p in procs]
        for code, err in results:
            assert code == 0 or "another shipwatch ingest is writing to this store" in err, err
        done = [f for f, (code, _) in zip(files, results, strict=True) if code == 0]
        assert done
        assert read_store(store).collect().height == len(done) * 3 * 21


def test_read_store_by_mmsi_scans_only_their_buckets(tmp_path, monkeypatch):
    f = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000020))
    store = tmp_path / "store"
    ingest([f], store)
    everything = read_store(store).collect()
    one = read_store(store, mmsi=366000003).collect()
    assert one.equals(everything.filter(pl.col("mmsi") == 366000003)) and one.height == 21
    some = read_store(store, mmsi=[366000003, 366000012, 123456789], columns=["mmsi"]).collect()
    assert sorted(set(some["mmsi"])) == [366000003, 366000012] and some.height == 42
    scanned = []
    real_scan = pl.scan_parquet
    monkeypatch.setattr(pl, "scan_parquet", lambda files, **kw: scanned.extend(files) or real_scan(files, **kw))
    read_store(store, mmsi=(366000003, 366000011)).collect()  # both in bucket 366000003 % 8 == 3
    assert [p.name for p in scanned] == ["part-03.parquet"]
    with pytest.raises(StoreError, match="mmsi must be an int or an iterable of ints"):
        read_store(store, mmsi="366000003")


def test_read_store_by_bounding_box(tmp_path):
    f = day_file(tmp_path / "a.csv", "2020-01-01", range(366000001, 366000020))
    store = tmp_path / "store"
    ingest([f], store)
    everything = read_store(store).collect()
    box = (-80.05, 31.0, -80.0, 32.0)  # west, south, east, north
    inside = read_store(store, bbox=box).collect()
    expected = everything.filter(pl.col("lat").is_between(31.0, 32.0) & pl.col("lon").is_between(-80.05, -80.0))
    assert 0 < inside.height < everything.height and inside.equals(expected)
    both = read_store(store, bbox=box, mmsi=366000006, since="2020-01-01T04:00").collect()
    assert both.equals(
        expected.filter((pl.col("mmsi") == 366000006) & (pl.col("timestamp") >= dt.datetime(2020, 1, 1, 4, tzinfo=dt.UTC)))
    )
    assert both.height > 0
    # a box across the antimeridian (west > east) holds none of these positions
    assert read_store(store, bbox=(170, 0, -170, 60)).collect().height == 0
    with pytest.raises(StoreError, match=r"bbox .* is not \(west, south, east, north\)"):
        read_store(store, bbox=(-80, 32, -81, 31))
    with pytest.raises(StoreError, match="bbox must be"):
        read_store(store, bbox=(1, 2, 3))
