"""Meetings from agenda to actions: who sees which item, the live page, actions carried forward, bad input."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from panels import selectors, services
from panels.models import Action, AgendaItem, MeetingStatus
from safeguarding import access

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_member_agency_sees_the_meeting_and_only_items_shared_with_it(client, pete, colin, meeting, agenda):
    client_for(client, pete)
    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "Jayden Okafor" in page and "Missing three times" in page
    assert "Mensah-Secret" not in page and "large sum of cash" not in page
    assert "Item 2: not shared with your agency" in page
    assert "Eastgate Park" not in page  # the park is not shared with the police either
    assert "Younger children carrying bags" in page  # a theme names no one
    client_for(client, colin)
    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "Mensah-Secret" in page and "Eastgate Park" in page


def test_an_item_about_a_record_the_chair_cannot_see_is_refused_the_same_way_as_one_that_does_not_exist(
        colin, meeting, pete):
    from contexts import services as context_services
    from contexts.models import Place, PlaceKind

    police_only = context_services.context_create(actor=pete, model=Place, name="Police-only", kind=PlaceKind.OTHER)
    assert not access.can(colin, police_only)  # a partner's own place is theirs alone
    with pytest.raises(ValidationError) as refused:
        services.agenda_item_add(actor=colin, meeting=meeting, subject=police_only, reason="x")
    assert refused.value.message_dict["subject"] == ["Choose a record you can see"]
    assert not AgendaItem.objects.exists()


def test_bad_actions_and_packs_are_refused_with_reasons_and_nothing_written(colin, meeting, agenda, agencies):
    before = timezone.localdate(meeting.starts_at) - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.action_add(actor=colin, item=agenda[0], description="Visit", owner_agency=agencies["police"],
                            due_on=before)
    assert "on or after the day of the meeting" in refused.value.message_dict["due_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.packs_request(actor=colin, meeting=meeting, agencies=[agencies["housing"]])
    assert "Not attending this meeting: Northfield Homes" in refused.value.message_dict["agencies"][0]
    assert not Action.objects.exists() and not meeting.packs.exists()


def test_only_the_chair_runs_the_meeting(client, alice, pete, meeting, agenda):
    client_for(client, pete)
    assert client.get(reverse("meeting-live", args=[meeting.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.item_minute(actor=alice, item=agenda[0], expected_version=1, minutes="x")


def test_the_live_page_saves_minutes_as_the_chair_types_and_a_conflict_loses_nothing(client, colin, meeting, agenda):
    client_for(client, colin)
    page = client.get(reverse("meeting-live", args=[meeting.pk])).content.decode()
    item = agenda[0]
    assert f'hx-post="/items/{item.pk}/minutes/"' in page and 'hx-trigger="input delay:1500ms, submit"' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids on the live page"
    assert page.count("csrfmiddlewaretoken") == page.count("<form")  # one token per form, no form in a form
    prefix = f"item-{item.pk}"
    response = client.post(reverse("item-minute", args=[item.pk]), {
        f"{prefix}-version": item.version, f"{prefix}-minutes": "Police shared intelligence about the flat.",
        f"{prefix}-voice": "Jayden said he wants to go back to college."})
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    assert f'value="{item.version + 1}"' in response.content.decode()  # the next save carries the new version
    stale = client.post(reverse("item-minute", args=[item.pk]), {
        f"{prefix}-version": item.version, f"{prefix}-minutes": "An older copy"})
    assert stale.status_code == 409 and "Someone else changed this record" in stale.content.decode()
    item.refresh_from_db()
    assert item.minutes == "Police shared intelligence about the flat."
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS


def test_outstanding_actions_come_onto_the_next_agenda_and_each_agency_sees_its_own(
        client, colin, pete, panel, meeting, agenda, agencies):
    police_action = services.action_add(actor=colin, item=agenda[0], description="Check the address on file",
                                        owner_agency=agencies["police"], owner=pete,
                                        due_on=timezone.localdate(meeting.starts_at) + timedelta(days=3))
    services.action_add(actor=colin, item=agenda[0], description="Done already", owner_agency=agencies["la"],
                        due_on=timezone.localdate(meeting.starts_at))
    Action.objects.filter(description="Done already").update(status="done")
    later = services.meeting_schedule(actor=colin, panel=panel, starts_at=meeting.starts_at + timedelta(days=28),
                                      location="Council House")
    assert [a.description for a in selectors.outstanding_actions(colin, later)] == ["Check the address on file"]
    client_for(client, pete)
    assert "Check the address on file" in client.get(reverse("actions")).content.decode()
    response = client.post(reverse("action-update", args=[police_action.pk]),
                           {"text": "Address confirmed; safeguarding visit booked.", "status": "in_progress"})
    assert response.status_code == 302
    police_action.refresh_from_db()
    assert police_action.status == "in_progress"


def test_minutes_are_drafted_then_approved_by_the_chair(colin, meeting, agenda, django_capture_on_commit_callbacks):
    services.item_minute(actor=colin, item=agenda[0], expected_version=1, minutes="Discussed.")
    meeting.refresh_from_db()
    drafted = services.meeting_advance(actor=colin, meeting=meeting, to=MeetingStatus.MINUTES_DRAFTED,
                                       expected_version=meeting.version)
    with django_capture_on_commit_callbacks() as callbacks:
        approved = services.meeting_advance(actor=colin, meeting=drafted, to=MeetingStatus.MINUTES_APPROVED,
                                            expected_version=drafted.version)
    assert approved.minutes_approved_by == colin and len(callbacks) == 1  # circulation is queued on commit
    with pytest.raises(ValidationError):
        services.agenda_item_add(actor=colin, meeting=approved, theme="Late", reason="x")


def test_an_action_never_tells_an_agency_about_a_record_it_cannot_see(colin, meeting, agenda, agencies):
    due = timezone.localdate(meeting.starts_at) + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:  # item 2 is about Kofi, whose case the police cannot see
        services.action_add(actor=colin, item=agenda[1], description="Check the address", due_on=due,
                            owner_agency=agencies["police"])
    assert refused.value.message_dict["owner_agency"][0] == (
        "Northfield Police cannot see this young person. Ask Northfield Council to share it first, or choose another "
        "agency.")
    with pytest.raises(ValidationError) as refused:
        services.action_add(actor=colin, item=agenda[3], description="Visit", due_on=due,
                            owner_agency=agencies["housing"])
    assert "member agencies" in refused.value.message_dict["owner_agency"][0]
    assert not Action.objects.exists()


def test_nothing_changes_once_the_minutes_are_approved_and_attendance_is_for_members(
        colin, oscar, meeting, agenda, agencies):
    with pytest.raises(ValidationError, match="member agencies"):
        services.attendance_set(actor=colin, meeting=meeting, person=oscar, status="present")
    meeting.refresh_from_db()
    meeting = services.meeting_advance(actor=colin, meeting=meeting, to=MeetingStatus.MINUTES_DRAFTED,
                                       expected_version=meeting.version)
    meeting = services.meeting_advance(actor=colin, meeting=meeting, to=MeetingStatus.MINUTES_APPROVED,
                                       expected_version=meeting.version)
    agenda[0].refresh_from_db()
    with pytest.raises(ValidationError, match="minutes are approved"):
        services.item_minute(actor=colin, item=agenda[0], expected_version=agenda[0].version, minutes="Changed")
    with pytest.raises(ValidationError, match="minutes are approved"):
        services.action_add(actor=colin, item=agenda[0], description="Late", owner_agency=agencies["la"],
                            due_on=timezone.localdate(meeting.starts_at))
