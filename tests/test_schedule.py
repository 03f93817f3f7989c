"""Subscription calendars: month ends, leap days, and "today" across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import islice

import pytest

from domain.schedule import Frequency, Interval, next_after, occurrences, shop_today

MONTHLY = Frequency(Interval.MONTH, 1)


@pytest.mark.parametrize(
    ("anchor", "frequency", "expected"),
    [
        # Anchored on the 31st: the last day of shorter months, then the 31st again.
        (
            date(2027, 1, 31),
            MONTHLY,
            [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)],
        ),
        # A leap year's February has its 29th.
        (
            date(2028, 1, 31),
            MONTHLY,
            [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)],
        ),
        # Every two months from the 30th: February is skipped over, never clamped into.
        (
            date(2026, 12, 30),
            Frequency(Interval.MONTH, 2),
            [date(2026, 12, 30), date(2027, 2, 28), date(2027, 4, 30), date(2027, 6, 30)],
        ),
        # A yearly order anchored on a leap day falls on the 28th, and on the 29th again
        # in the next leap year.
        (
            date(2028, 2, 29),
            Frequency(Interval.YEAR, 1),
            [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28), date(2031, 2, 28)],
        ),
        (
            date(2026, 12, 28),
            Frequency(Interval.WEEK, 2),
            [date(2026, 12, 28), date(2027, 1, 11), date(2027, 1, 25), date(2027, 2, 8)],
        ),
        (
            date(2027, 2, 27),
            Frequency(Interval.DAY, 1),
            [date(2027, 2, 27), date(2027, 2, 28), date(2027, 3, 1), date(2027, 3, 2)],
        ),
    ],
)
def test_order_dates_follow_the_calendar(
    anchor: date, frequency: Frequency, expected: list[date]
) -> None:
    assert list(islice(occurrences(anchor, frequency, anchor), 4)) == expected


@pytest.mark.parametrize(
    ("anchor", "frequency", "start", "first"),
    [
        # Starting mid-schedule finds the first date on or after the start...
        (date(2027, 1, 31), MONTHLY, date(2027, 3, 1), date(2027, 3, 31)),
        (date(2027, 1, 31), MONTHLY, date(2027, 2, 28), date(2027, 2, 28)),
        # ...years later too, without walking every month.
        (date(2027, 1, 31), MONTHLY, date(2032, 2, 1), date(2032, 2, 29)),
        (date(2026, 12, 28), Frequency(Interval.WEEK, 2), date(2027, 1, 12), date(2027, 1, 25)),
        # A start before the anchor gives the anchor.
        (date(2027, 1, 31), MONTHLY, date(2026, 1, 1), date(2027, 1, 31)),
    ],
)
def test_the_first_order_on_or_after_a_day(
    anchor: date, frequency: Frequency, start: date, first: date
) -> None:
    assert next(occurrences(anchor, frequency, start)) == first


def test_next_after_is_strictly_after() -> None:
    assert next_after(date(2027, 1, 31), MONTHLY, date(2027, 2, 28)) == date(2027, 3, 31)
    assert next_after(date(2027, 1, 31), MONTHLY, date(2027, 2, 27)) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("utc", "zone", "today"),
    [
        # 03:30 UTC is still the evening before in New York.
        (datetime(2026, 11, 21, 3, 30, tzinfo=UTC), "America/New_York", date(2026, 11, 20)),
        # Across the autumn change (1 November 2026, 02:00 EDT -> 01:00 EST): 04:30 UTC
        # is 23:30 on 31 October, 05:30 UTC is 00:30 on 1 November (EST, UTC-5).
        (datetime(2026, 11, 1, 3, 30, tzinfo=UTC), "America/New_York", date(2026, 10, 31)),
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "America/New_York", date(2026, 11, 1)),
        # Across the spring change (8 March 2026, 02:00 EST -> 03:00 EDT): 04:59 UTC is
        # 23:59 on the 7th, 05:00 UTC is midnight on the 8th.
        (datetime(2026, 3, 8, 4, 59, tzinfo=UTC), "America/New_York", date(2026, 3, 7)),
        (datetime(2026, 3, 8, 5, 0, tzinfo=UTC), "America/New_York", date(2026, 3, 8)),
        # East of UTC the shop's day starts earlier.
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 29)),
        (datetime(2026, 11, 21, 12, 0, tzinfo=UTC), "Pacific/Kiritimati", date(2026, 11, 22)),
    ],
)
def test_today_is_the_shops_day(utc: datetime, zone: str, today: date) -> None:
    assert shop_today(utc, zone) == today


@pytest.mark.parametrize(
    "frequency",
    [Frequency(Interval.MONTH, 1), Frequency(Interval.MONTH, 3), Frequency(Interval.YEAR, 1)],
)
def test_month_end_anchors_never_drift(frequency: Frequency) -> None:
    """Each date is counted from the anchor, so one short month never pulls later ones back."""
    dates = list(islice(occurrences(date(2027, 1, 31), frequency, date(2027, 1, 31)), 24))
    for day in dates:
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        # Always the 31st, or the last day of a month without one.
        assert day.day == 31 or (following - day).days == 1
