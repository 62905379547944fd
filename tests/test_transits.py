import polars as pl
import pytest

from conftest import DUNAI_PIER, NAJIN_PIER, OFF_DUNAI, OPEN_SEA, VOSTOCHNY_BERTH, TrackBuilder, shuttle
from shipwatch.pipeline import detect
from shipwatch.settings import Settings, TransitSettings

POSYET_OFF = (130.85, 42.55)


def _shuttle(t0, *, dark_hours=72.0, back_to=DUNAI_PIER, mmsi=273000001):
    return shuttle(t0, mmsi=mmsi, dark_hours=dark_hours, back_to=back_to)


def test_shuttle_round_trip_is_probable(t0):
    res = detect(_shuttle(t0))
    t = res.dark_transits
    assert t.height == 1
    r = t.row(0, named=True)
    assert (r["call_port"], r["evidence"], r["departure_port"], r["arrival_port"]) == (
        "Najin",
        "probable",
        "Dunai",
        "Dunai",
    )
    assert r["month"] == "2023-09"
    assert r["call_window_start"] < r["call_window_end"]


def test_arrival_at_another_destination(t0):
    t = detect(_shuttle(t0, back_to=VOSTOCHNY_BERTH)).dark_transits
    assert t["arrival_port"].to_list() == ["Vostochny"] and t["evidence"][0] == "probable"


def test_gap_too_short_for_the_round_trip_is_not_a_transit(t0):
    # ~145 km each way at <= 18 kn plus a 12 h stay needs > 20 h
    assert detect(_shuttle(t0, dark_hours=16)).dark_transits.height == 0


def test_gap_too_long_is_only_possible(t0):
    t = detect(_shuttle(t0, dark_hours=24 * 8)).dark_transits
    assert t["evidence"].to_list() == ["possible"]


def test_fishing_boat_dark_near_unwatched_port_is_at_most_possible(t0):
    df = (
        TrackBuilder(273000050, t0, length_m=30)
        .at((130.80, 42.65))
        .dwell(6)
        .sail(POSYET_OFF, 7)
        .dwell(4)
        .dark(72)
        .dwell(4)
        .sail((130.80, 42.65), 7)
        .dwell(6)
        .frame()
    )
    t = detect(df).dark_transits
    assert set(t["evidence"].to_list()) <= {"possible"}


def test_silent_at_berth_is_not_probable(t0):
    df = (
        TrackBuilder(273000060, t0)
        .at(VOSTOCHNY_BERTH)
        .dwell(12)
        .dark(60)
        .dwell(12)
        .sail((133.07, 42.70), 10)
        .frame()
    )
    t = detect(df).dark_transits
    assert "probable" not in t["evidence"].to_list()


def test_seen_at_najin_is_a_visible_call_not_dark(t0):
    df = (
        TrackBuilder(273000070, t0)
        .at(DUNAI_PIER)
        .dwell(12)
        .sail(OFF_DUNAI, 10)
        .sail(OPEN_SEA, 10)
        .sail((130.30, 42.17), 11)
        .sail(NAJIN_PIER, 6)
        .dwell(2)
        .dark(40)
        .dwell(2)
        .sail((130.30, 42.17), 6)
        .sail(OPEN_SEA, 11)
        .frame()
    )
    res = detect(df)
    assert "Najin" in res.port_visits["port"].to_list()
    assert res.dark_transits.height == 0


@pytest.mark.parametrize("dwell", [6.0, 30.0])
def test_min_dwell_is_a_parameter(t0, dwell):
    cfg = Settings(transits=TransitSettings(min_dwell_hours=dwell))
    t = detect(_shuttle(t0, dark_hours=36), settings=cfg).dark_transits
    assert (t.height == 1) == (dwell == 6.0)


def test_summary_has_every_month_with_zeros(t0):
    from datetime import timedelta

    late = TrackBuilder(273000002, t0 + timedelta(days=70)).at(DUNAI_PIER).dwell(6).frame()
    res = detect(pl.concat([_shuttle(t0), late]))
    s = res.monthly_summary
    assert s["month"].unique().sort().to_list() == ["2023-09", "2023-10", "2023-11"]
    assert set(s["port"].to_list()) == {"Najin", "Dunai", "Vostochny"}
    najin = {r["month"]: r["dark_calls"] for r in s.filter(pl.col("port") == "Najin").iter_rows(named=True)}
    assert najin == {"2023-09": 1, "2023-10": 0, "2023-11": 0}
    dunai = s.filter((pl.col("port") == "Dunai") & (pl.col("month") == "2023-09")).row(0, named=True)
    assert dunai["dark_arrivals"] == 1 and dunai["dark_departures"] == 1 and dunai["vessels"] == 1


def test_switching_off_in_the_exit_band_is_still_a_departure(t0):
    # AIS goes off 1.0 km outside Vostochny (between entry_km and exit_km) and comes back there 80 h later
    band = (133.074, 42.7207)
    df = (
        TrackBuilder(273000002, t0)
        .at(VOSTOCHNY_BERTH)
        .dwell(24)
        .sail(band, 8)
        .dwell(1)
        .dark(80)
        .dwell(1)
        .sail(VOSTOCHNY_BERTH, 8)
        .dwell(24)
        .frame()
    )
    res = detect(df)
    assert res.port_visits.height == 2  # the silence ends the first visit; it does not become an 80 h stay
    t = res.dark_transits.row(0, named=True)
    assert (t["departure_port"], t["arrival_port"]) == ("Vostochny", "Vostochny")
    # it waited where it went dark, stopped: nothing moved, so AIS alone makes it possible at most
    assert (t["evidence"], t["motion"]) == ("possible", "still")
    assert "nothing moved" in t["why"]


def test_gaps_longer_than_max_gap_days_are_not_examined(t0):
    assert detect(_shuttle(t0, dark_hours=24 * 40)).dark_transits.height == 0
    cfg = Settings(transits=TransitSettings(max_gap_days=60))
    assert detect(_shuttle(t0, dark_hours=24 * 40), settings=cfg).dark_transits["evidence"].to_list() == [
        "possible"
    ]


NAKHODKA = (132.885, 42.795)


def test_coastal_traffic_to_another_port_is_only_possible(t0):
    # left Vostochny, dark three days, reappeared alongside Nakhodka (a reference port): not a delivery
    df = (
        TrackBuilder(273000003, t0)
        .at(VOSTOCHNY_BERTH)
        .dwell(24)
        .sail((133.15, 42.65), 10)
        .dark(72, then_at=NAKHODKA)
        .dwell(24)
        .frame()
    )
    t = detect(df).dark_transits.row(0, named=True)
    assert (t["departure_port"], t["arrival_port"], t["evidence"]) == ("Vostochny", "Nakhodka", "possible")
    assert "reached Nakhodka, not a destination port" in t["why"]


def test_dark_alongside_one_destination_and_back_alongside_the_other_is_probable(t0):
    # the 2023 shuttles sometimes switched off at the berth and on again at the other port's berth
    df = (
        TrackBuilder(273000004, t0)
        .at(DUNAI_PIER)
        .dwell(24)
        .dark(80, then_at=VOSTOCHNY_BERTH)
        .dwell(24)
        .frame()
    )
    t = detect(df).dark_transits.row(0, named=True)
    assert (t["departure_port"], t["arrival_port"], t["motion"], t["evidence"]) == (
        "Dunai",
        "Vostochny",
        "moved",
        "probable",
    )


def test_dark_alongside_and_back_alongside_the_same_berth_is_only_possible(t0):
    df = TrackBuilder(273000005, t0).at(DUNAI_PIER).dwell(24).dark(80).dwell(24).frame()
    res = detect(df)
    assert res.port_visits.height == 2  # the silence in port splits the visit: it could hide a voyage
    t = res.dark_transits.row(0, named=True)
    assert (t["motion"], t["evidence"]) == ("still", "possible")
    assert t["why"].startswith("reachable only:") and "nothing moved" in t["why"]


def test_kept_course_tells_a_reception_hole_from_a_detour():
    from shipwatch.transits import kept_course

    rows = pl.DataFrame(
        {
            # heading 225 deg at 14 kn; next fix ahead on that course at 12 kn on average: a hole
            # ... or ahead but 2 kn on average (a detour and a stay), or behind it (it turned back)
            "start_lat": [42.45, 42.45, 42.45],
            "start_lon": [132.7, 132.7, 132.7],
            "end_lat": [40.0, 40.0, 43.0],
            "end_lon": [129.6, 129.6, 133.3],
            "cog_before": [225.0, 225.0, 225.0],
            "sog_before": [14.0, 14.0, 14.0],
            "implied_speed_kn": [12.0, 2.0, 12.0],
        }
    )
    assert rows.select(kept_course(TransitSettings()))["kept_course"].to_list() == [True, False, False]
