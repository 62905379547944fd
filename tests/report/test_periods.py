from __future__ import annotations

from datetime import date

import pytest

from shipwatch.errors import ConfigError
from shipwatch.report.periods import Period, absolute_period, relative_period


@pytest.mark.parametrize(
    ("spec", "as_of", "start", "end", "label"),
    [
        ("previous calendar month", date(2023, 11, 5), date(2023, 10, 1), date(2023, 11, 1), "2023-10"),
        ("previous calendar month", date(2024, 1, 1), date(2023, 12, 1), date(2024, 1, 1), "2023-12"),
        ("previous ISO week", date(2023, 10, 25), date(2023, 10, 16), date(2023, 10, 23), "2023-W42"),
        ("previous iso week", date(2023, 10, 23), date(2023, 10, 16), date(2023, 10, 23), "2023-W42"),
        ("last 7 days", date(2023, 10, 8), date(2023, 10, 1), date(2023, 10, 8), "2023-10-01_2023-10-07"),
        ("Last 1 day", date(2023, 10, 8), date(2023, 10, 7), date(2023, 10, 8), "2023-10-07_2023-10-07"),
    ],
)
def test_relative_periods(spec, as_of, start, end, label):
    p = relative_period(spec, as_of)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_previous_period_has_the_same_length_just_before():
    assert Period(date(2023, 10, 1), date(2023, 10, 8)).previous() == Period(date(2023, 9, 24), date(2023, 10, 1))
    assert Period(date(2023, 10, 1), date(2023, 11, 1)).previous() == Period(date(2023, 9, 1), date(2023, 10, 1))


def test_partial_months_say_so():
    p = absolute_period(date(2023, 10, 1), date(2023, 10, 7))
    assert p.month_label("2023-10") == "2023-10 (1–7 only)"
    assert p.whole_months() == []
    q = absolute_period(date(2023, 9, 20), date(2023, 11, 30))
    assert [q.month_label(m) for m, _, _ in q.months()] == ["2023-09 (20–30 only)", "2023-10", "2023-11"]
    assert q.title == "20 Sep – 30 Nov 2023"


def test_bad_relative_period():
    with pytest.raises(ConfigError, match="unknown relative period"):
        relative_period("fortnight", date(2023, 1, 1))
