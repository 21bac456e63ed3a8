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
