"""A MACE panel around the cast (tests/conftest.py): chaired by Colin, with the council, police and school."""

from datetime import timedelta

import pytest
from django.utils import timezone

from panels import services
from panels.models import PanelKind

from ..contexts import conftest as contexts
from ..factories import CaseFactory, YoungPersonFactory

park, group = contexts.park, contexts.group


@pytest.fixture
def panel(colin, agencies):
    return services.panel_create(actor=colin, name="Northfield MACE", kind=PanelKind.MACE,
                                 member_agencies=[agencies["la"], agencies["police"], agencies["school"]],
                                 chairs=[colin])


@pytest.fixture
def meeting(colin, panel, pete, sam):
    made = services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(days=7),
                                     location="Council House, room 2")
    services.attendance_set(actor=colin, meeting=made, person=pete, status="invited")
    services.attendance_set(actor=colin, meeting=made, person=sam, status="invited")
    return made


@pytest.fixture
def secret_person(alice):
    """A young person whose case is not shared with anyone."""
    person = YoungPersonFactory(actor=alice, first_name="Kofi", last_name="Mensah-Secret")
    CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
    return person


@pytest.fixture
def agenda(colin, meeting, person, shared_case, secret_person, park):
    """Item 1: Jayden (shared with the police); item 2: Kofi (not shared); item 3: the park; item 4: a theme."""
    add = services.agenda_item_add
    return [
        add(actor=colin, meeting=meeting, subject=person, reason="Missing three times this month"),
        add(actor=colin, meeting=meeting, subject=secret_person, reason="Found with a large sum of cash"),
        add(actor=colin, meeting=meeting, subject=park, reason="Adults approaching children after school"),
        add(actor=colin, meeting=meeting, theme="Younger children carrying bags in Marsh Lane",
            reason="Reports from two schools"),
    ]
