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
    "clear-expired-sessions": {"task": "safeguarding.tasks.sessions_clear_expired", "schedule": crontab(minute=17)},
    "daily-reminders": {"task": "safeguarding.tasks.reminders_daily", "schedule": crontab(hour=7, minute=30)},
}
