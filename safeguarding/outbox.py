"""A transactional outbox: a job is recorded in the same transaction as the change that needs it, handed to Celery
when that transaction commits, and handed again by a periodic sweep until a worker has done it.

- ``enqueue(task, *args, key=...)`` inside the change's transaction: an ``OutboxJob`` row. If the transaction rolls
  back, so does the job; if it commits, the job is handed to the broker straight after.
- A broker that is down never fails the request: the row waits, the page can say so (``waiting``), and
  ``sweep`` (Celery beat, every minute) hands it again once the broker is back. A job handed but not done within
  ``OUTBOX_HAND_AGAIN_AFTER`` (longer than any task may run) is handed again too; tasks take ids and are
  idempotent, so running twice still yields one result.
- ``after``: not to run before then (a retry's back-off). The job is handed at once with that as the message's ETA
  (the worker holds it until then), and is not counted stale until ``OUTBOX_HAND_AGAIN_AFTER`` past it. Keep it
  well within the broker's visibility timeout, or Redis delivers the held message again.
- A worker marks the job done when its task succeeds (a ``task_success`` signal, by the header ``outbox_job``).
  After ``OUTBOX_MAX_HANDS`` hands it is given up and logged as an error for an administrator.
"""

import logging
import uuid
from datetime import timedelta

from celery import current_app
from celery.signals import task_failure, task_success
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxJob

log = logging.getLogger(__name__)


def enqueue(task, *args, key: str | None = None, after=None) -> OutboxJob:
    """Record ``task(*args)`` to run once the current transaction commits (and not before ``after``, a datetime).
    ``key`` makes it once-only."""
    key = key or f"{task.name}:{uuid.uuid4().hex}"
    job, created = OutboxJob.objects.get_or_create(key=key, defaults={"task": task.name, "args": list(args),
                                                                      "run_after": after})
    if created:
        transaction.on_commit(lambda: hand(job.pk))
    return job


def hand(job_id: int) -> bool:
    """Hand one job to the broker. Never raises: a broker that is down leaves the job for the sweep."""
    job = OutboxJob.objects.filter(pk=job_id, done_at__isnull=True, given_up_at__isnull=True).first()
    if job is None:
        return False
    options = _route(job.task)
    if job.run_after is not None and job.run_after > timezone.now():
        options["eta"] = job.run_after
    try:
        current_app.send_task(job.task, args=job.args, headers={"outbox_job": job.pk}, retry=False, **options)
    except Exception as exc:  # noqa: BLE001 - the broker is unreachable or refused: the sweep will try again
        log.warning("outbox: job %s (%s) not handed: %s", job.pk, job.task, exc)
        OutboxJob.objects.filter(pk=job.pk).update(last_error=f"{type(exc).__name__}: {exc}"[:300])
        return False
    OutboxJob.objects.filter(pk=job.pk).update(handed_at=timezone.now(), hand_count=F("hand_count") + 1,
                                               last_error="")
    return True


def _route(task_name: str) -> dict:
    route = settings.CELERY_TASK_ROUTES.get(task_name)
    return {"queue": route["queue"]} if route else {}


def waiting(keys) -> bool:
    """Whether any job of ``keys`` is still waiting for the broker (asked after the change committed: the page can
    then say plainly that the work will start by itself)."""
    return OutboxJob.objects.filter(key__in=list(keys), handed_at__isnull=True, done_at__isnull=True).exists()


def sweep(limit: int = 500) -> int:
    """Hand again every job not done: never handed, or handed longer ago than a task may take. Returns how many
    were handed. Gives up (and logs an error) on a job handed ``OUTBOX_MAX_HANDS`` times."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_HAND_AGAIN_AFTER)
    pending = OutboxJob.objects.filter(done_at__isnull=True, given_up_at__isnull=True).filter(
        Q(handed_at__isnull=True)
        | Q(handed_at__lt=stale) & (Q(run_after__isnull=True) | Q(run_after__lt=stale))).order_by("created_at")
    tired = pending.filter(hand_count__gte=settings.OUTBOX_MAX_HANDS)
    for job in tired:
        log.error("outbox: giving up job %s (%s) after %s hands: %s", job.pk, job.task, job.hand_count,
                  job.last_error)
    tired.update(given_up_at=now)
    return sum(hand(pk) for pk in pending.values_list("pk", flat=True)[:limit])


def _job_id(sender) -> int | None:
    request = getattr(sender, "request", None)
    job = getattr(request, "outbox_job", None) or (getattr(request, "headers", None) or {}).get("outbox_job")
    return int(job) if job else None


@task_success.connect
def _done(sender=None, **kwargs):
    if (job := _job_id(sender)) is not None:
        OutboxJob.objects.filter(pk=job, done_at__isnull=True).update(done_at=timezone.now(), last_error="")


@task_failure.connect
def _failed(sender=None, exception=None, **kwargs):
    if (job := _job_id(sender)) is not None:
        OutboxJob.objects.filter(pk=job).update(last_error=f"{type(exception).__name__}: {exception}"[:300])
