from datetime import timedelta

import polars as pl
import pytest

from conftest import shuttle
from shipwatch.errors import InputError
from shipwatch.pipeline import detect
from shipwatch.sightings import parse_sightings, read_sightings


def _shuttle(t0, mmsi=273000001, length=120.0, start_shift_h=0.0):
    return shuttle(t0 + timedelta(hours=start_shift_h), mmsi=mmsi, length_m=length)


def _sight(rows):
    return parse_sightings(
        pl.DataFrame(
            rows, schema=["sighting_id", "observed_at", "lat", "lon", "length_m"], orient="row"
        ).cast(pl.String)
    )


def _najin_time(res, hours_after_start=30):
    t = res.dark_transits["dark_start"][0] + timedelta(hours=hours_after_start)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sighting_confirms_a_probable_transit(t0):
    df = _shuttle(t0)
    when = _najin_time(detect(df))
    res = detect(df, sightings=_sight([("s1", when, 42.2295, 130.2860, 118)]))
    s = res.sightings.row(0, named=True)
    assert (s["match"], s["port"], s["mmsi"]) == ("dark_transit", "Najin", 273000001)
    t = res.dark_transits.row(0, named=True)
    assert t["evidence"] == "confirmed" and t["sighting_ids"] == "s1" and s["transit_id"] == t["transit_id"]


@pytest.mark.parametrize(
    ("why", "shift_h", "lat", "lon", "length"),
    [
        ("wrong length", 30, 42.2295, 130.2860, 60),
        ("outside the call window", -5, 42.2295, 130.2860, 118),
        ("not at the port", 30, 42.40, 130.60, 118),
    ],
)
def test_non_matching_sighting_does_not_confirm(t0, why, shift_h, lat, lon, length):
    df = _shuttle(t0)
    when = _najin_time(detect(df), shift_h)
    res = detect(df, sightings=_sight([("s1", when, lat, lon, length)]))
    assert res.sightings["match"][0] == "unidentified", why
    assert res.dark_transits["evidence"][0] == "probable"


def test_two_candidates_means_no_confirmation(t0):
    df = pl.concat([_shuttle(t0), _shuttle(t0, mmsi=273000002, length=125.0, start_shift_h=3)])
    when = _najin_time(detect(df), 32)
    res = detect(df, sightings=_sight([("s1", when, 42.2295, 130.2860, 121)]))
    s = res.sightings.row(0, named=True)
    assert s["match"] == "ambiguous" and s["candidates"].count(";") == 1  # either could be it
    assert set(res.dark_transits["evidence"].to_list()) == {"probable"}
    assert res.sightings["call_id"].is_null().all()  # explainable: not an unidentified call


def test_ais_vessel_present_explains_sighting(t0):
    df = _shuttle(t0)
    when = (t0 + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    res = detect(df, sightings=_sight([("s1", when, 42.8980, 132.3575, 119)]))
    s = res.sightings.row(0, named=True)
    assert (s["match"], s["mmsi"], s["port"]) == ("ais", 273000001, "Dunai")
    assert s["distance_m"] < 100


def test_unidentified_sightings_on_consecutive_days_form_one_call(t0):
    df = _shuttle(t0)
    day = [(t0 + timedelta(days=d, hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in range(5)]
    rows = [
        ("u1", day[0], 42.748, 133.08, 150),
        ("u2", day[1], 42.748, 133.08, 152),
        ("u3", day[2], 42.748, 133.08, 90),  # another ship (length)
        ("u4", day[4], 42.748, 133.08, 151),
    ]  # two days later: a new call
    res = detect(df, sightings=_sight(rows))
    calls = dict(zip(res.sightings["sighting_id"], res.sightings["call_id"], strict=True))
    assert calls["u1"] == calls["u2"] and len({calls["u1"], calls["u3"], calls["u4"]}) == 3
    vost = res.monthly_summary.filter((pl.col("port") == "Vostochny") & (pl.col("month") == "2023-09"))
    assert vost["unidentified_calls"][0] == 3


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("lat,lon\n1,2\n", r"missing column\(s\) observed_at"),
        ("observed_at,lat,lon\nyesterday,42,130\n", r"line 2: bad observed_at .yesterday."),
        ("observed_at,lat,lon\n2023-10-01T00:00:00Z,95,130\n", r"line 2: bad lat .95."),
        (
            "sighting_id,observed_at,lat,lon\na,2023-10-01T00:00:00Z,42,130\na,2023-10-02T00:00:00Z,42,130\n",
            r"duplicate sighting_id 'a'",
        ),
    ],
)
def test_bad_sightings_file(tmp_path, text, match):
    p = tmp_path / "s.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=match):
        read_sightings(p)


def test_one_ais_vessel_explains_one_detection_per_image(t0):
    df = _shuttle(t0)
    when = (t0 + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # the moored ship and, 700 m away in the same image, a second (dark) ship of the same size
    rows = [("near", when, 42.8980, 132.3575, 119), ("other", when, 42.8975, 132.3660, 119)]
    res = detect(df, sightings=_sight(rows))
    m = dict(zip(res.sightings["sighting_id"], res.sightings["match"], strict=True))
    assert m == {"near": "ais", "other": "unidentified"}


def test_two_detections_in_one_image_never_confirm_one_transit(t0):
    df = _shuttle(t0)
    when = _najin_time(detect(df))
    rows = [("p1", when, 42.2300, 130.2867, 118), ("p3", when, 42.2239, 130.2835, 121)]
    res = detect(df, sightings=_sight(rows))
    # two ships, one candidate: either detection may be it, or neither (another, unknown ship)
    assert set(res.sightings["match"].to_list()) == {"ambiguous"}
    assert res.dark_transits["evidence"][0] == "probable"
    assert res.sightings["call_id"].is_null().all()


def test_two_detections_with_two_candidates_confirm_both(t0):
    df = pl.concat([_shuttle(t0), _shuttle(t0, mmsi=273000002, length=140.0, start_shift_h=3)])
    when = _najin_time(detect(df), 32)
    rows = [("p1", when, 42.2300, 130.2867, 141), ("p3", when, 42.2239, 130.2835, 119)]
    res = detect(df, sightings=_sight(rows))
    assert set(res.sightings["match"].to_list()) == {"dark_transit"}
    got = dict(zip(res.sightings["sighting_id"], res.sightings["mmsi"], strict=True))
    assert got == {"p1": 273000002, "p3": 273000001}  # each detection to the vessel of its length
    assert set(res.dark_transits["evidence"].to_list()) == {"confirmed"}


def test_input_columns_named_like_outputs_are_kept_renamed(t0):
    raw = pl.DataFrame(
        {"observed_at": ["2023-09-01T02:00:00Z"], "lat": ["42.0"], "lon": ["131.0"], "match": ["x"]}
    )
    s = parse_sightings(raw)
    assert "input_match" in s.columns and "match" not in s.columns
    res = detect(_shuttle(t0), sightings=s)
    assert res.sightings["input_match"][0] == "x" and res.sightings["match"][0] == "unidentified"


def test_offsets_are_converted_to_utc():
    s = _sight([("a", "2023-10-14T11:31:00+09:00", 42.0, 131.0, None)])
    assert s["observed_at"][0].isoformat() == "2023-10-14T02:31:00+00:00"
