"""The demo's MACE panel: a past meeting with approved minutes and actions, and an upcoming one with its agenda,
added once, through the services, and never twice.

The borough is seeded once for the module, inside a transaction rolled back at the end (as tests/assessments does).
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from panels import selectors
from panels.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Panel,
    PanelKind,
    PanelPack,
)
from safeguarding import access, language
from safeguarding.models import AuditEvent, User

pytestmark = pytest.mark.django_db

COUNTED = [Panel, Meeting, AgendaItem, Attendance, Action, ActionUpdate, PanelPack, AuditEvent]
PANEL = "Northfield MACE panel"


def counts():
    return [model.objects.count() for model in COUNTED]


def texts() -> list[str]:
    """Every piece of text the panel seeder writes."""
    found = list(Panel.objects.values_list("terms_of_reference", flat=True))
    for item in AgendaItem.objects.all():
        found += [item.theme, item.reason, item.voice, item.feedback, item.minutes, item.decisions]
    found += list(Action.objects.values_list("description", flat=True))
    found += list(ActionUpdate.objects.values_list("text", flat=True))
    return [text for text in found if text]


def test_panels_need_the_borough_first():
    assert not Panel.objects.exists()
    with pytest.raises(CommandError, match="Run seed_demo first"):
        call_command("seed_demo", only="panels", force=True)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", young_people=30, force=True, stdout=out)  # every app's demo data
        yield out.getvalue()
        transaction.set_rollback(True)


def test_the_demo_panel_has_a_past_meeting_with_minutes_and_actions_and_an_upcoming_one(seeded):
    assert "Added Northfield's MACE panel" in seeded
    panel = Panel.objects.get(name=PANEL)
    chair, police = User.objects.get(username="chair.demo"), User.objects.get(username="police.demo")
    assert panel.kind == PanelKind.MACE and list(panel.chairs.all()) == [chair]
    members = set(panel.member_agencies.values_list("name", flat=True))
    assert {chair.agency.name, police.agency.name, "Northfield Park Academy"} <= members and len(members) >= 5

    past, upcoming = panel.meetings.order_by("starts_at")
    now = timezone.now()
    assert (now - past.starts_at).days in range(20, 35) and (upcoming.starts_at - now).days in range(5, 15)
    assert past.status == MeetingStatus.MINUTES_APPROVED and past.minutes_approved_by == chair
    assert past.starts_at < past.minutes_approved_at < now
    assert 5 <= past.items.count() <= 7 and 5 <= upcoming.items.count() <= 8
    assert {item.kind for item in past.items.all()} == {"young_person", "place", "peer_group", "theme"}
    assert all(item.minutes and item.decisions for item in past.items.all())
    marked = set(past.attendance.values_list("status", flat=True))
    assert {AttendanceStatus.PRESENT, AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT} <= marked
    assert past.attendance.filter(deputy_for__isnull=False).exists()
    assert set(upcoming.attendance.values_list("status", flat=True)) == {AttendanceStatus.INVITED}
    assert set(upcoming.attendance.values_list("agency", flat=True)) == set(panel.member_agencies.values_list(
        "pk", flat=True))
    assert upcoming.status == MeetingStatus.AGENDA_SET and not upcoming.packs.exists()

    actions = Action.objects.filter(item__meeting=past)
    assert {ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.OPEN} <= set(actions.values_list(
        "status", flat=True))
    assert len(set(actions.values_list("owner_agency", flat=True))) >= 4
    assert actions.filter(owner__isnull=False).exists() and actions.filter(owner__isnull=True).exists()
    assert any(action.is_overdue for action in actions)
    assert any(action.status == ActionStatus.OPEN and not action.is_overdue for action in actions)
    assert ActionUpdate.objects.filter(action__in=actions).exists()
    # Each agency given an action can see what it is about (the seeder shares the record when it could not).
    assert all(access.can(access.AgencyReader(action.owner_agency), action.item.subject)
               for action in actions if action.item.subject is not None)
    assert selectors.outstanding_actions(chair, upcoming).exists()

    assert upcoming in selectors.meetings_list(police, upcoming=True)
    agenda = selectors.agenda(police, upcoming)
    assert any(getattr(item, "hidden", False) for item in agenda)
    assert any(not getattr(item, "hidden", False) for item in agenda)
    assert len(selectors.agenda(chair, upcoming)) == upcoming.items.count()
    assert not any(getattr(item, "hidden", False) for item in selectors.agenda(chair, upcoming))

    assert not [text for text in texts() if language.check(text)]


def test_a_second_run_adds_nothing(seeded):
    before = counts()
    out = StringIO()
    call_command("seed_demo", only="panels", force=True, stdout=out)
    assert counts() == before
    assert "nothing to add" in out.getvalue()
    out = StringIO()
    call_command("seed_demo", only="assessments,panels", force=True, stdout=out)  # panels run after assessments
    assert counts() == before
    assert "Northfield's MACE panel is already present" in out.getvalue()
