"""Working days: weekdays that are not bank holidays (England and Wales, ``settings.BANK_HOLIDAYS``).

The clock of anything a service promises to do "within N working days" (a referral's decision) is counted here.
"""

from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings


@cache
def _holidays(listed: tuple[str, ...]) -> frozenset[date]:
    return frozenset(date.fromisoformat(day) for day in listed)


def holidays() -> frozenset[date]:
    return _holidays(tuple(settings.BANK_HOLIDAYS))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def add_working_days(start: date | datetime, days: int) -> date:
    """The date ``days`` working days after ``start``, counting only working days: a referral made on a Friday (or on
    the Saturday after it) with one day to decide is due on the Monday, or on the Tuesday if Monday is a bank
    holiday."""
    day = start.date() if isinstance(start, datetime) else start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
