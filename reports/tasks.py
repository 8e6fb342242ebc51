"""Celery tasks for reports: they take ids and can safely run twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import exports


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=settings.REPORTS_EXPORT_SOFT_TIME_LIMIT,
             time_limit=settings.REPORTS_EXPORT_SOFT_TIME_LIMIT + 30)
def export_build(export_id: int):
    """Make one export. A worker killed mid-way leaves the message unacknowledged: it is made again."""
    try:
        export = exports.build(export_id)
    except SoftTimeLimitExceeded:
        exports.fail(export_id, "It took too long to make. Narrow the filters and try again.")
        return None
    except Exception as exc:
        exports.fail(export_id, f"The export could not be made ({type(exc).__name__}). Try again.")
        raise
    return export.status if export else None


@shared_task
def exports_expire():
    """Delete exports older than REPORTS_EXPORT_DAYS (beat, nightly)."""
    return exports.expire()
