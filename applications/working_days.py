"""Working days for the 公示 period: Monday to Friday, in the portal's time zone (Asia/Shanghai).

Pure: no database. Public holidays are not counted apart (the period is announced with its
end date, which the selector sees before publishing and may extend by publishing later).
"""

import datetime

from django.utils import timezone


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def period_end(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end of a period of ``days`` working days that starts at ``start``: the period is
    counted from the day after ``start`` (the day of publishing is not a full day), and
    ends at midnight after its last working day, local time."""
    if days < 1:
        raise ValueError("a period has at least one working day")
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight)


def last_day(end: datetime.datetime) -> datetime.date:
    """The last day of a period that ends at ``end`` (a midnight): the day before it."""
    return (timezone.localtime(end) - datetime.timedelta(microseconds=1)).date()
