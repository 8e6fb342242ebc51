"""Panels' reminders (overdue actions, meetings soon) with every other app's, sent by the kernel's daily job on a real
Celery worker: each reminder once a day, however often the job runs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from contexts import services as context_services
from contexts.models import Membership, PeerGroup
from panels import services
from panels.models import Action
from safeguarding.models import ReminderSent

from ..conftest import run_reminders_twice
from ..factories import CaseFactory, YoungPersonFactory


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_reminds_each_person_once_whatever_how_often_it_runs(
        broker, alice, colin, pete, sam, panel, agencies):
    today = timezone.localdate()
    soon = services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(hours=20),
                                     location="Council House")
    services.attendance_set(actor=colin, meeting=soon, person=sam, status="invited")
    item = services.agenda_item_add(actor=colin, meeting=soon, theme="Bus station", reason="Reports")
    action = services.action_add(actor=colin, item=item, description="Check CCTV", owner_agency=agencies["police"],
                                 owner=pete, due_on=today + timedelta(days=1))
    Action.objects.filter(pk=action.pk).update(due_on=today - timedelta(days=3))  # time passes
    nearly_18 = YoungPersonFactory(actor=alice, date_of_birth=today.replace(year=today.year - 18) + timedelta(days=90))
    CaseFactory(actor=alice, young_person=nearly_18, lead_practitioner=alice, next_review_on=today + timedelta(days=3))
    group = context_services.context_create(actor=alice, model=PeerGroup, name="Group at the station")
    link = context_services.membership_add(actor=alice, peer_group=group, young_person=nearly_18, role="core",
                                           reliability="reported", review_by=today + timedelta(days=5))
    Membership.objects.filter(pk=link.pk).update(review_by=today - timedelta(days=1),
                                                 last_reviewed_on=today - timedelta(days=91))
    run_reminders_twice(broker, emails=6)
    # (pete was also told straight away that the action was his: a notification, not a reminder)
    subjects = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox
                      if not m.subject.startswith("Action assigned"))
    assert subjects == sorted([
        ("pete@example.org", f"Action AC-{action.pk} is overdue"),
        ("alice@example.org", "Review due"), ("alice@example.org", "Transition planning"),
        ("alice@example.org", "A link you recorded is past its review date"),
        ("sam@example.org", "Reminder"), ("colin@example.org", "Reminder"),  # chairs are invited when scheduled
    ])
    assert ReminderSent.objects.count() == 6
