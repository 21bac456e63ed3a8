import datetime as dt

import pytest
from django.utils import timezone

from applications import working_days


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize(
    ("start", "days", "last"),
    [
        # Monday: Tue–Fri and the next Monday.
        (local(2026, 11, 30, 10, 0), 5, dt.date(2026, 12, 7)),
        # Friday evening: the weekend is skipped, Mon–Fri of the next week.
        (local(2026, 12, 4, 18, 0), 5, dt.date(2026, 12, 11)),
        # Saturday: counted from Monday.
        (local(2026, 12, 5, 9, 0), 1, dt.date(2026, 12, 7)),
        # Sunday, 23:59: Monday is the first day.
        (local(2026, 12, 6, 23, 59), 2, dt.date(2026, 12, 8)),
        # Ten working days span two weekends.
        (local(2026, 11, 30, 0, 0), 10, dt.date(2026, 12, 14)),
    ],
)
def test_the_period_counts_monday_to_friday_from_the_next_day(start, days, last):
    end = working_days.period_end(start, days)
    assert working_days.last_day(end) == last
    assert timezone.localtime(end) == local(*(last + dt.timedelta(days=1)).timetuple()[:3])


def test_a_period_has_a_day_at_least():
    with pytest.raises(ValueError):
        working_days.period_end(local(2026, 11, 30, 10, 0), 0)


def test_the_official_holidays_are_skipped_and_a_weekend_worked_in_lieu_counts():
    # Published on Monday 28 September 2026: Tue 29, Wed 30, then the National Day holiday
    # (1–7 October), Thu 8, Fri 9 and Saturday 10 October, worked in lieu (调休).
    end = working_days.period_end(local(2026, 9, 28, 10, 0), 5)
    assert working_days.last_day(end) == dt.date(2026, 10, 10)
    assert working_days.unknown_years(local(2026, 9, 28, 10, 0), 5) == []


def test_a_day_entered_by_hand_overrides_the_official_calendar():
    start = local(2026, 9, 28, 10, 0)
    # A local holiday on Tuesday 29, and Saturday 10 not worked after all.
    overrides = {dt.date(2026, 9, 29): False, dt.date(2026, 10, 10): False}
    end = working_days.period_end(start, 5, overrides)
    # Wed 30, Thu 8, Fri 9, Mon 12, Tue 13.
    assert working_days.last_day(end) == dt.date(2026, 10, 13)


def test_a_year_the_calendar_does_not_know_is_counted_monday_to_friday_and_named():
    start = local(2026, 12, 28, 10, 0)
    end = working_days.period_end(start, 5)
    # Tue 29, Wed 30, Thu 31, Fri 1 January 2027 (unknown: a weekday), Mon 4.
    assert working_days.last_day(end) == dt.date(2027, 1, 4)
    assert working_days.unknown_years(start, 5) == [2027]
    # Once the year's days are entered, they count and the year is no longer unknown.
    entered = {dt.date(2027, 1, 1): False}
    assert working_days.last_day(working_days.period_end(start, 5, entered)) == dt.date(2027, 1, 5)
    assert working_days.unknown_years(start, 5, entered) == []
