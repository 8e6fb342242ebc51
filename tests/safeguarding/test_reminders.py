"""The kernel's scheduler and email: every app registers its reminders, one beat task runs them all as the system
actor, and an email whose mail server is down is retried until it goes (a real Celery worker, the real broker)."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from safeguarding import access, celery_app, reminders
from safeguarding.tasks import email_send, reminders_daily

from ..conftest import wait_for

EVERY_APP = {
    "reviews_due": "cases.reminders", "turning_18": "cases.reminders", "referrals_overdue": "cases.reminders",
    "links_past_review": "contexts.reminders",
    "overdue_interventions": "assessments.reminders",
    "overdue_actions": "panels.reminders", "meetings_soon": "panels.reminders",
}


def test_each_app_registers_its_own_reminders_from_its_own_module():
    registered = reminders.registered()
    assert {name: fn.__module__ for name, fn in registered.items()} == EVERY_APP


def test_beat_runs_the_one_kernel_task_daily():
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "safeguarding.tasks.reminders_daily" in tasks
    assert [task for task in tasks if task.endswith("reminders_daily")] == ["safeguarding.tasks.reminders_daily"]
    assert {"safeguarding.tasks.reminders_daily", "safeguarding.tasks.email_send"} <= set(celery_app.tasks)


@pytest.mark.django_db
def test_the_kernel_task_runs_every_registered_reminder_as_the_system(monkeypatch):
    runs = []

    def spy(name):
        def remind(run):
            runs.append((name, run.actor))
            return 0
        return remind

    for name in reminders.registered():
        monkeypatch.setitem(reminders.REMINDERS, name, spy(name))
    assert reminders_daily.apply().get() == dict.fromkeys(EVERY_APP, 0)
    assert sorted(name for name, _ in runs) == sorted(EVERY_APP)
    assert all(access.is_system(actor) and actor.get_username() == "system:reminders" for _, actor in runs)


def test_a_person_cannot_run_the_reminders(alice):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        reminders.run_all(actor=alice)


def test_a_mail_server_that_is_down_means_a_retry_and_the_email_still_goes(broker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens there
    mail.outbox = []
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        email_send.delay("Your pack is ready", "Body", ["pete@example.org"])
        # The first attempt fails; the task is put back with a delay (back-off) instead of being lost.
        assert wait_for(lambda: broker.hlen("unacked") >= 1 and not mail.outbox, seconds=20)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
        assert wait_for(lambda: len(mail.outbox) == 1, seconds=60)
    assert mail.outbox[0].subject == "Your pack is ready"
