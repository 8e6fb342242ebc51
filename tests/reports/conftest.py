"""What the reports tests share."""

from datetime import timedelta

from django.utils import timezone


def years_ago(years, days=0):
    """A date of birth ``years`` (and ``days``) before today."""
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)
