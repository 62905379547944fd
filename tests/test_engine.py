"""Bucket by bucket and on Dask: the same bytes as one table in memory."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from conftest import OPEN_SEA, TrackBuilder
from shipwatch import resources
from shipwatch.engine import plan_buckets
from shipwatch.ingest import ingest
from shipwatch.pipeline import run
from shipwatch.tables import CSV_FILES, TRACKS_FILE
from sim.layouts import write_positions
from sim.theatres import make_theatre

TABLES = [f for name, f in CSV_FILES.items() if name != "vessels"] + ["vessels.csv"]


def _same_outputs(a, b) -> None:
    for f in TABLES:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    ta, tb = pl.read_parquet(a / TRACKS_FILE), pl.read_parquet(b / TRACKS_FILE)
    key = ["mmsi", "identity", "timestamp"]
    assert ta.sort(key).equals(tb.sort(key))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("store") / "s"
    ingest(sorted(resources.SAMPLE_DIR.glob("AIS_*.csv.gz")), store)
    return store


@pytest.fixture(scope="module")
def theatre_store(tmp_path_factory):
    th = make_theatre("confounders", seed=3)
    files = tmp_path_factory.mktemp("theatre")
    write_positions(th.positions, files, "marinecadastre")
    sight = files / "sightings.csv"
    th.sightings.with_columns(pl.col("observed_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(sight)
    store = tmp_path_factory.mktemp("store") / "t"
    ingest([p for p in files.iterdir() if p.name != "sightings.csv"], store)
    return store, sight


def test_buckets_give_the_bytes_of_one_table_in_memory(sample_store, tmp_path):
    days = sorted(resources.SAMPLE_DIR.glob("AIS_*.csv.gz"))
    run(days, tmp_path / "memory", sightings=resources.SAMPLE_SIGHTINGS)  # small raw input: in memory
    run([sample_store], tmp_path / "store", sightings=resources.SAMPLE_SIGHTINGS)
    run([sample_store], tmp_path / "many", sightings=resources.SAMPLE_SIGHTINGS, bucket_rows=5_000)
    buckets = plan_buckets([sample_store], lo=None, hi=None, bucket_rows=5_000)
    assert len(buckets) > 8
    _same_outputs(tmp_path / "memory", tmp_path / "store")
    _same_outputs(tmp_path / "memory", tmp_path / "many")


def test_raw_files_through_a_temporary_store_that_spills_give_the_same_bytes(monkeypatch, tmp_path):
    # raw input above the in-memory limit goes through a temporary store; with a tiny staging budget
    # every batch is set aside on disk before the merge (a big CSV's path), and nothing changes
    import shipwatch.pipeline as pipeline

    days = sorted(resources.SAMPLE_DIR.glob("AIS_*.csv.gz"))
    run(days, tmp_path / "memory", sightings=resources.SAMPLE_SIGHTINGS)
    monkeypatch.setattr(pipeline, "RAW_IN_MEMORY_BYTES", 0)
    monkeypatch.setattr(pipeline, "RUN_STAGING_BYTES", 1)
    _, manifest = run(days, tmp_path / "streamed", sightings=resources.SAMPLE_SIGHTINGS)
    assert manifest["row_accounting"]["rows_read"] > 0
    _same_outputs(tmp_path / "memory", tmp_path / "streamed")


def test_a_gap_across_daily_files_is_found_once(tmp_path):
    t0 = datetime(2023, 10, 1, 12, tzinfo=UTC)
    df = TrackBuilder(273000001, t0).at(OPEN_SEA).dwell(10).dark(8).dwell(10).frame()  # dark 22:00 -> 06:00
    day1 = df.filter(pl.col("timestamp") < datetime(2023, 10, 2, tzinfo=UTC))
    day2 = df.filter(pl.col("timestamp") >= datetime(2023, 10, 2, tzinfo=UTC))
    assert day1.height and day2.height
    for name, part in (("a.parquet", day1), ("b.parquet", day2)):
        part.write_parquet(tmp_path / name)
    ingest([tmp_path / "a.parquet"], tmp_path / "store")
    ingest([tmp_path / "b.parquet"], tmp_path / "store")  # two ingests, two daily partitions
    res, _ = run([tmp_path / "store"], tmp_path / "out", bucket_rows=1)
    gaps = res.gaps.filter(~pl.col("open"))
    assert gaps.height == 1
    g = gaps.row(0, named=True)
    assert g["start_time"] == day1["timestamp"].max() and g["end_time"] == day2["timestamp"].min()
    assert abs(g["hours"] - 8) < 0.6


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        assert len(c.workers) == 2
        yield c.scheduler_address


@pytest.mark.parametrize("which", ["sample", "theatre"])
def test_dask_gives_the_local_bytes(which, cluster, sample_store, theatre_store, tmp_path):
    store, sight = (sample_store, resources.SAMPLE_SIGHTINGS) if which == "sample" else theatre_store
    local, _ = run([store], tmp_path / "local", sightings=sight)
    run([store], tmp_path / "dask", sightings=sight, engine="dask", scheduler=cluster)
    assert local.dark_transits.height > 0
    _same_outputs(tmp_path / "local", tmp_path / "dask")
    assert (tmp_path / "local" / "dark_transits.csv").read_bytes() == (
        tmp_path / "dask" / "dark_transits.csv"
    ).read_bytes()


def test_a_local_dask_cluster_of_worker_processes(sample_store, tmp_path):
    pytest.importorskip("distributed")
    run([sample_store], tmp_path / "local", sightings=resources.SAMPLE_SIGHTINGS)
    run([sample_store], tmp_path / "dask", sightings=resources.SAMPLE_SIGHTINGS, engine="dask", workers=2)
    _same_outputs(tmp_path / "local", tmp_path / "dask")


def test_unknown_engine_is_a_clear_error(sample_store, tmp_path):
    from shipwatch.errors import ShipwatchError

    with pytest.raises(ShipwatchError, match="unknown engine 'spark'"):
        run([sample_store], tmp_path / "x", engine="spark")


def test_a_bucketed_run_reads_its_tracks_when_asked(sample_store, tmp_path):
    res, _ = run([sample_store], tmp_path / "out", sightings=resources.SAMPLE_SIGHTINGS)
    assert "tracks=lazy" in repr(res)  # not read back unless asked for
    assert res.tracks.height == pl.read_parquet(tmp_path / "out" / TRACKS_FILE).height
    assert res.to_geopandas()["tracks"].crs.to_epsg() == 4326


def test_shipwatch_ingest_stays_the_function_after_its_module_is_imported():
    import importlib

    import shipwatch

    importlib.import_module("shipwatch.ingest")
    assert callable(shipwatch.ingest) and shipwatch.ingest.__module__ == "shipwatch.ingest"
