"""The Celery application. Settings come from Django's (CELERY_*): late acks, reject on worker lost, JSON."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

app = Celery("safeguarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "outbox-sweep": {"task": "safeguarding.tasks.outbox_sweep", "schedule": 60.0},
    "webhooks-purge": {"task": "safeguarding.tasks.webhooks_purge", "schedule": crontab(hour=3, minute=40)},
    "clear-expired-sessions": {"task": "safeguarding.tasks.sessions_clear_expired", "schedule": crontab(minute=17)},
    "daily-reminders": {"task": "safeguarding.tasks.reminders_daily", "schedule": crontab(hour=7, minute=30)},
    # Its own entry, not a registered reminder: a reminder is about a record, once a day per record and person
    # (ReminderSent); a digest is about a person, made once-only by marking what it listed as emailed.
    # Records past their retention date, into each agency's queue for a manager to keep or dispose of.
    "retention-daily": {"task": "safeguarding.tasks.retention_daily", "schedule": crontab(hour=2, minute=15)},
    "notifications-digest": {"task": "safeguarding.tasks.notifications_digest", "schedule": crontab(hour=7, minute=0)},
}
