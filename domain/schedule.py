"""Subscription calendars: when orders fall, in the shop's own days.

A schedule is an anchor date and a frequency. The k-th order falls on
`anchor + k * frequency`, always counted from the anchor rather than from the
previous order, so a subscription anchored on the 31st falls on the last day
of shorter months and returns to the 31st afterwards (dateutil's relativedelta
clamps to the month's end). Dates are calendar dates in the shop's time zone:
"today" is read off the clock there, so a change of daylight-saving time moves
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum, unique
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta


@unique
class Interval(StrEnum):
    """The unit of a subscription's frequency."""

    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


# Frequencies beyond these make no sense for a delivery and would let a schedule
# overflow the calendar.
MAX_INTERVAL_COUNT = {Interval.DAY: 365, Interval.WEEK: 52, Interval.MONTH: 24, Interval.YEAR: 5}


@dataclass(frozen=True, order=True)
class Frequency:
    """Every `count` `interval`s, e.g. every 2 MONTH."""

    interval: Interval
    count: int

    def times(self, k: int) -> relativedelta:
        """The offset of the k-th order from the anchor."""
        n = k * self.count
        if self.interval is Interval.DAY:
            return relativedelta(days=n)
        if self.interval is Interval.WEEK:
            return relativedelta(weeks=n)
        if self.interval is Interval.MONTH:
            return relativedelta(months=n)
        return relativedelta(years=n)

    def as_json(self) -> dict[str, object]:
        return {"interval": self.interval.value, "intervalCount": self.count}

    @classmethod
    def from_json(cls, value: dict[str, object]) -> Frequency:
        return cls(Interval(str(value["interval"])), int(str(value["intervalCount"])))

    @property
    def valid(self) -> bool:
        return 1 <= self.count <= MAX_INTERVAL_COUNT[self.interval]


def occurrence(anchor: date, frequency: Frequency, k: int) -> date:
    """The k-th order date of the schedule (k = 0 is the anchor itself)."""
    return anchor + frequency.times(k)


def _first_index_at_or_after(anchor: date, frequency: Frequency, start: date) -> int:
    if start <= anchor:
        return 0
    if frequency.interval is Interval.DAY:
        span = frequency.count
        k = (start - anchor).days // span
    elif frequency.interval is Interval.WEEK:
        span = 7 * frequency.count
        k = (start - anchor).days // span
    else:
        months = (start.year - anchor.year) * 12 + start.month - anchor.month
        per = frequency.count * (12 if frequency.interval is Interval.YEAR else 1)
        # One step early at most: a clamped month end may still fall before `start`.
        k = max(0, months // per - 1)
    while occurrence(anchor, frequency, k) < start:
        k += 1
    return k


def occurrences(anchor: date, frequency: Frequency, start: date) -> Iterator[date]:
    """The schedule's dates on or after `start`, in order, without end."""
    k = _first_index_at_or_after(anchor, frequency, start)
    while True:
        yield occurrence(anchor, frequency, k)
        k += 1


def next_after(anchor: date, frequency: Frequency, day: date) -> date:
    """The first order date of the schedule strictly after `day`."""
    return next(occurrences(anchor, frequency, day + relativedelta(days=1)))


def shop_today(now: datetime, time_zone: str) -> date:
    """Today's date where the shop is (`now` is aware)."""
    return now.astimezone(ZoneInfo(time_zone)).date()
