"""Working days for the 公示 period, in the portal's time zone (Asia/Shanghai).

Pure: no database. A day is a working day as the ``overrides`` say (the ``CalendarDay``
rows a query read), else as the State Council's published schedule says (the
``chinese_calendar`` package: holidays, and the weekend days worked in lieu, 调休), else,
for a year the package does not know yet, Monday to Friday — and ``unknown_years`` names
such years, so that the selector is told before publishing.
"""

import datetime
from collections.abc import Mapping

import chinese_calendar
from django.utils import timezone

Overrides = Mapping[datetime.date, bool]


def official_status(day: datetime.date) -> bool | None:
    """The published schedule's answer, or None for a year it does not cover."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_working_day(day: datetime.date, overrides: Overrides | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    official = official_status(day)
    return day.weekday() < 5 if official is None else official


def _days(start: datetime.datetime, days: int, overrides: Overrides | None):
    """The calendar days from the day after ``start`` through the last working day."""
    if days < 1:
        raise ValueError("a period has at least one working day")
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        yield day
        if is_working_day(day, overrides):
            counted += 1


def period_end(
    start: datetime.datetime, days: int, overrides: Overrides | None = None
) -> datetime.datetime:
    """The end of a period of ``days`` working days that starts at ``start``: the period is
    counted from the day after ``start`` (the day of publishing is not a full day), and
    ends at midnight after its last working day, local time."""
    *_, day = _days(start, days, overrides)
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight)


def unknown_years(
    start: datetime.datetime, days: int, overrides: Overrides | None = None
) -> list[int]:
    """The years of the period whose official schedule is unknown and for which no day is
    entered by hand: there the period is counted Monday to Friday."""
    years = set()
    for day in _days(start, days, overrides):
        if official_status(day) is None:
            years.add(day.year)
    entered = {day.year for day in overrides or {}}
    return sorted(years - entered)


def last_day(end: datetime.datetime) -> datetime.date:
    """The last day of a period that ends at ``end`` (a midnight): the day before it."""
    return (timezone.localtime(end) - datetime.timedelta(microseconds=1)).date()
