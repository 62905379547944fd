import pytest

from shipwatch.errors import ConfigError
from shipwatch.settings import Settings


def test_defaults_follow_gfw():
    cfg = Settings()
    assert cfg.gaps.min_hours == 6.0
    assert cfg.sightings.ais_distance_m == 1500.0
    assert cfg.visits.exit_km > cfg.visits.entry_km


def test_toml_overrides_and_records(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[gaps]\nmin_hours = 12\nbefore_hours = [6, 12]\n[transits]\nmin_dwell_hours = 24\n")
    cfg = Settings.from_toml(p)
    assert cfg.gaps.min_hours == 12.0 and cfg.gaps.before_hours == (6.0, 12.0)
    assert cfg.transits.min_dwell_hours == 24.0
    assert cfg.to_dict()["gaps"]["min_hours"] == 12.0
    assert cfg.visits == Settings().visits


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[gapz]\nmin_hours = 1\n", r"unknown section \[gapz\]"),
        ("[gaps]\nminimum = 1\n", r"unknown setting gaps.minimum"),
        ("[gaps]\nmin_hours = 'six'\n", r"gaps.min_hours: expected a number"),
        ("[gaps]\nmin_hours = -1\n", r"must not be negative"),
        ("[gaps\n", r"not a valid TOML file"),
        ("gaps = 3\n", r"\[gaps\] must be a table"),
        ("[gaps]\ncoverage_radius_km = 0\n", r"gaps.coverage_radius_km must be positive"),
        ("[gaps]\nbefore_hours = [6, 6]\n", r"before_hours must be distinct"),
        ("[visits]\nentry_km = 3\n", r"entry_km \(3.0\) must not exceed visits.exit_km"),
        ("[transits]\nspeed_quantile = 5\n", r"speed_quantile must be in \(0, 1\]"),
        ("[transits]\nmin_speed_kn = 20\n", r"min_speed_kn \(20.0\) exceeds"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, text, match):
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=match):
        Settings.from_toml(p)
