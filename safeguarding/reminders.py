"""The scheduler of reminders by email: each app registers its own in its own ``reminders.py``; one daily job
(``safeguarding.tasks.reminders_daily``, on Celery beat) runs every registered reminder, as the system actor.

A reminder is a function of a ``Run`` (today, now, the system actor) that returns how many it sent, registered
with ``@reminder``. Each one is recorded (``ReminderSent``) before its email is queued, in one transaction, so
running the job twice in a day sends each reminder once. Emails go through the kernel's retried email task
(``safeguarding.tasks.email_send``), so a mail server that is down delays a reminder and never loses or blocks one.

This module imports no app: apps' ``reminders`` modules are found by name, as Django finds ``admin`` modules.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from . import access, outbox
from .models import ReminderSent

ACTOR = "reminders"


@dataclass(frozen=True)
class Run:
    """One run of the daily job: what its reminders are given."""

    actor: access.SystemActor
    today: date
    now: datetime

    def remind(self, kind: str, key, person, subject: str, body: str) -> bool:
        """Email ``person`` about ``key`` (once a day for each ``kind``); False when already reminded today, or
        when the person cannot be emailed (nobody named, deactivated, no address)."""
        from .tasks import email_send

        if person is None or not person.is_active or not person.email:
            return False
        try:
            with transaction.atomic():
                ReminderSent.objects.create(kind=kind, key=str(key), person=person, day=self.today)
                outbox.enqueue(email_send, subject, body, [person.email],
                               key=f"reminder:{kind}:{key}:{person.pk}:{self.today:%Y-%m-%d}")
        except IntegrityError:
            return False  # already reminded today
        return True


Reminder = Callable[[Run], int]
REMINDERS: dict[str, Reminder] = {}


def reminder(fn: Reminder) -> Reminder:
    """Register ``fn`` (by its name, which must be unique across apps) to run in the daily job."""
    known = REMINDERS.get(fn.__name__)
    if known is not None and (known.__module__, known.__qualname__) != (fn.__module__, fn.__qualname__):
        raise ImproperlyConfigured(f"Two reminders are called {fn.__name__}: {known.__module__} and {fn.__module__}")
    REMINDERS[fn.__name__] = fn
    return fn


def registered() -> dict[str, Reminder]:
    """Every app's reminders, in the order of the installed apps."""
    autodiscover_modules("reminders")
    return dict(REMINDERS)


def link(path: str) -> str:
    """An address to put in an email."""
    return f"{settings.SITE_URL}{path}"


def run_all(*, actor) -> dict[str, int]:
    """Run every registered reminder once, as the system actor; how many each sent. Safe to run again the same day."""
    if not access.is_system(actor):
        raise ImproperlyConfigured("Reminders are sent by the system, not by a person.")
    run = Run(actor=actor, today=timezone.localdate(), now=timezone.now())
    return {name: fn(run) for name, fn in registered().items()}
