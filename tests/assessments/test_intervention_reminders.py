"""An overdue intervention of a safety plan is reminded of like an overdue panel action: to its named owner, or to
the owning agency's people who may report on it; once a day, by the kernel's daily job on a real Celery worker."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Intervention
from safeguarding.models import ReminderSent

from ..conftest import run_reminders_twice


@pytest.mark.django_db(transaction=True)
def test_an_overdue_intervention_is_reminded_of_once(broker, settings, alice, pete, oscar, park, agencies):
    today = timezone.localdate()
    goal = services.goal_add(actor=alice, subject=park, statement="Young people feel safe crossing the park",
                             met_when="No reports of approaches for three months", measured_by="Police logs")
    late = services.intervention_add(actor=alice, goal=goal, what="Patrols at dusk", owner_agency=agencies["police"],
                                     due_on=today + timedelta(days=1))
    named = services.intervention_add(actor=alice, goal=goal, what="Housing officer visits the flats",
                                      owner_agency=agencies["housing"], owner=oscar, due_on=today + timedelta(days=1))
    done = services.intervention_add(actor=alice, goal=goal, what="New lighting", owner_agency=agencies["police"],
                                     due_on=today + timedelta(days=1))
    services.intervention_report(actor=pete, intervention=done, text="Installed", status="done")
    services.intervention_add(actor=alice, goal=goal, what="Not due yet", owner_agency=agencies["police"],
                              due_on=today + timedelta(days=5))
    Intervention.objects.filter(pk__in=[late.pk, named.pk, done.pk]).update(due_on=today - timedelta(days=2))
    run_reminders_twice(broker, emails=2)
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == [("oscar@example.org", f"Intervention IN-{named.pk} is overdue"),
                    ("pete@example.org", f"Intervention IN-{late.pk} is overdue")]
    pete_mail = next(m for m in mail.outbox if m.to == ["pete@example.org"])
    assert f"{settings.SITE_URL}{reverse('intervention-update', args=[late.pk])}" in pete_mail.body
    assert "An intervention your agency owns was due on" in pete_mail.body
    assert ReminderSent.objects.filter(kind="overdue_intervention").count() == 2
