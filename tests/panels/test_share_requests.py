"""Who will not see an item, asking the agency that holds its record to share it, actions only for agencies that can
see, the live page adding actions in place, and packs for agencies that sent apologies.

The agenda (tests/panels/conftest.py): item 1 Jayden (his case shared with the police), item 2 Kofi (shared with no
one), item 3 Eastgate Park (shared with no one), item 4 a theme. The panel: the council, the police and the school.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from contexts import services as context_services
from contexts.models import Place, PlaceKind
from panels import selectors, services
from panels.models import Action, PanelKind, ShareRequest, ShareRequestStatus
from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent, Notification, NotificationKind
from tests.conftest import LAWFUL

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def _names(agencies):
    return [agency.name for agency in agencies]


def _due(meeting, days=7):
    return timezone.localdate(meeting.starts_at) + timedelta(days=days)


def test_it_tells_the_chair_which_panel_agencies_cannot_see_each_item(colin, pete, meeting, agenda, agencies,
                                                                       django_assert_num_queries):
    # A place the police hold and share with the council only: the chair sees it, the school does not.
    police_place = context_services.context_create(actor=pete, model=Place, name="Station underpass",
                                                   kind=PlaceKind.TRANSPORT)
    access.grant(police_place, agencies["la"], access.VIEW)
    fifth = services.agenda_item_add(actor=colin, meeting=meeting, subject=police_place, reason="Dealing seen")
    # One the chair can no longer see at all: it is a stub to them, and nothing is said about it.
    yard = context_services.context_create(actor=pete, model=Place, name="Police-only yard", kind=PlaceKind.OTHER)
    access.grant(yard, agencies["la"], access.VIEW)
    hidden = services.agenda_item_add(actor=colin, meeting=meeting, subject=yard, reason="Yard")
    access.grant_model(Place).objects.filter(content_object=yard).exclude(group=pete.agency.group).delete()
    items = selectors.agenda(colin, meeting)
    agencies_on_panel = selectors.panel_agencies(meeting)
    assert _names(agencies_on_panel) == ["Northfield Academy", "Northfield Council", "Northfield Police"]
    with django_assert_num_queries(1):  # every item and every agency at once
        unseen = selectors.not_seeing(items, agencies_on_panel)
    assert {pk: _names(found) for pk, found in unseen.items()} == {
        agenda[0].pk: ["Northfield Academy"],  # Jayden's case is shared with the police
        agenda[1].pk: ["Northfield Academy", "Northfield Police"],
        agenda[2].pk: ["Northfield Academy", "Northfield Police"],
        fifth.pk: ["Northfield Academy"],  # the police hold it, the council was given it
    }
    assert agenda[3].pk not in unseen and hidden.pk not in unseen  # a theme names no record


def test_the_chair_asks_and_the_holding_social_worker_approves_with_a_lawful_basis(
        client, alice, mandy, colin, pete, meeting, agenda, agencies, park):
    item = agenda[2]  # Eastgate Park, held by the council, shared with no one
    asked = services.share_request_ask(actor=colin, item=item, agencies=[agencies["police"]],
                                       reason="The police patrol the park and will be given actions")
    assert asked.status == ShareRequestStatus.ASKED
    told = Notification.objects.filter(kind=NotificationKind.SHARE_REQUESTED)
    assert {n.recipient.username for n in told} == {"alice", "mandy"}  # who may share places; not the chair
    assert list(selectors.share_requests_to_decide(alice)) == [asked]
    assert list(selectors.share_requests_to_decide(colin)) == []  # a chair's role shares nothing
    with pytest.raises(Http404):
        selectors.share_request_for(pete, asked.pk)

    # Not without its lawful basis: refused, nothing shared, still asked.
    with pytest.raises(ValidationError) as refused:
        services.share_request_approve(actor=alice, share_request=asked, basis=None)
    assert {"lawful_basis", "special_category", "reason", "told"} <= set(refused.value.message_dict)
    assert not access.can(access.AgencyReader(agencies["police"]), park)
    assert ShareRequest.objects.get(pk=asked.pk).status == ShareRequestStatus.ASKED

    approved = services.share_request_approve(actor=alice, share_request=asked, basis=replace(
        LAWFUL, lawful_basis="legal_obligation", special_category="crime"))
    assert approved.status == ShareRequestStatus.APPROVED and approved.decided_by == alice
    assert access.can(access.AgencyReader(agencies["police"]), park)
    assert access.sharing(park) == [(agencies["police"], access.VIEW)]
    event = AuditEvent.objects.get(action=AuditAction.APPROVE, target_id=str(asked.pk))
    assert event.detail["lawful_basis"] == "legal_obligation" and event.detail["special_category"] == "crime"
    assert event.detail["agreement"] == "" and "reason" not in event.detail  # free text stays out of the log
    assert event.detail["meeting"] == meeting.audit_label and event.detail["request"] == asked.audit_label
    assert event.detail["shared_with"] == [agencies["police"].pk] and event.detail["level"] == "view"
    assert AuditEvent.objects.filter(action=AuditAction.SHARE, target_id=str(park.pk),
                                     detail__agency_id=agencies["police"].pk).exists()
    assert Notification.objects.filter(recipient=colin, kind=NotificationKind.SHARE_DECIDED).exists()
    # The police now see the item, and can be given an action on it.
    assert selectors.not_seeing([item], selectors.panel_agencies(meeting))[item.pk] == [agencies["school"]]
    services.action_add(actor=colin, item=item, description="Patrol at 3pm", owner_agency=agencies["police"],
                        due_on=_due(meeting))
    client_for(client, pete)
    assert "Eastgate Park" in client.get(reverse("meeting", args=[meeting.pk])).content.decode()


def test_a_young_persons_case_is_what_is_shared(colin, alice, pete, meeting, agenda, agencies, secret_person):
    asked = services.share_request_ask(actor=colin, item=agenda[1], agencies=[agencies["police"]],
                                       reason="Kofi was found with cash")
    assert not access.can(pete, secret_person)
    services.share_request_approve(actor=alice, share_request=asked, basis=LAWFUL)
    assert access.can(pete, secret_person)
    assert access.sharing(secret_person.cases.get()) == [(agencies["police"], access.VIEW)]


def test_an_approval_never_lowers_what_an_agency_already_has(colin, alice, meeting, agenda, agencies, park):
    asked = services.share_request_ask(actor=colin, item=agenda[2], agencies=[agencies["police"]], reason="Patrols")
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    services.share_request_approve(actor=alice, share_request=asked, basis=LAWFUL)
    assert access.sharing(park) == [(agencies["police"], access.CONTRIBUTE)]


def test_declining_says_why_and_shares_nothing(colin, alice, meeting, agenda, agencies, park):
    asked = services.share_request_ask(actor=colin, item=agenda[2], agencies=[agencies["police"]], reason="Patrols")
    with pytest.raises(ValidationError) as refused:
        services.share_request_decline(actor=alice, share_request=asked, reason="  ")
    assert refused.value.message_dict["decline_reason"] == ["Enter why the record cannot be shared"]
    declined = services.share_request_decline(actor=alice, share_request=asked,
                                              reason="An operation is under way; we will present it ourselves")
    assert declined.status == ShareRequestStatus.DECLINED
    assert access.sharing(park) == []
    assert Notification.objects.filter(recipient=colin, kind=NotificationKind.SHARE_DECIDED).exists()
    with pytest.raises(ValidationError, match="already been decided"):
        services.share_request_approve(actor=alice, share_request=declined, basis=LAWFUL)
    # Declined, the chair may ask again (with better reasons).
    services.share_request_ask(actor=colin, item=agenda[2], agencies=[agencies["police"]], reason="Again")


def test_only_whoever_may_share_the_record_decides(colin, pete, sam, oscar, alice, meeting, agenda, agencies, park):
    asked = services.share_request_ask(actor=colin, item=agenda[2], agencies=[agencies["police"]], reason="Patrols")
    for outsider in (oscar, pete, sam):  # they cannot see the request at all
        with pytest.raises(Http404):
            services.share_request_approve(actor=outsider, share_request=asked, basis=LAWFUL)
    with pytest.raises(PermissionDenied):  # sees it (the chair's agency) but a chair's role shares nothing
        services.share_request_decline(actor=colin, share_request=asked, reason="No")
    # A record the police hold and share with the council: the council's social worker cannot decide for it.
    police_place = context_services.context_create(actor=pete, model=Place, name="Station underpass",
                                                   kind=PlaceKind.TRANSPORT)
    access.grant(police_place, agencies["la"], access.VIEW)
    item = services.agenda_item_add(actor=colin, meeting=meeting, subject=police_place, reason="Dealing")
    theirs = services.share_request_ask(actor=colin, item=item, agencies=[agencies["school"]], reason="Pupils")
    with pytest.raises(PermissionDenied):
        services.share_request_approve(actor=alice, share_request=theirs, basis=LAWFUL)
    assert set(ShareRequest.objects.values_list("status", flat=True)) == {ShareRequestStatus.ASKED}


def test_asking_is_refused_with_reasons(colin, pete, meeting, agenda, agencies):
    with pytest.raises(ValidationError) as refused:  # the police see Jayden already
        services.share_request_ask(actor=colin, item=agenda[0], agencies=[agencies["police"]], reason="x")
    assert "cannot see it yet" in refused.value.message_dict["agencies"][0]
    with pytest.raises(ValidationError) as refused:
        services.share_request_ask(actor=colin, item=agenda[2], agencies=[], reason=" ")
    assert set(refused.value.message_dict) == {"agencies", "reason"}
    with pytest.raises(ValidationError, match="names no record"):
        services.share_request_ask(actor=colin, item=agenda[3], agencies=[agencies["police"]], reason="x")
    services.share_request_ask(actor=colin, item=agenda[2], agencies=[agencies["police"]], reason="Patrols")
    with pytest.raises(ValidationError, match="already asked"):
        services.share_request_ask(actor=colin, item=agenda[2], agencies=[agencies["school"]], reason="Pupils")
    with pytest.raises((PermissionDenied, Http404)):
        services.share_request_ask(actor=pete, item=agenda[2], agencies=[agencies["school"]], reason="x")
    assert ShareRequest.objects.count() == 1


def test_an_action_for_an_agency_that_cannot_see_is_explained_in_place_and_nothing_is_saved(
        client, colin, meeting, agenda, agencies):
    item = agenda[2]
    prefix = f"action-{item.pk}"
    data = {f"{prefix}-description": "Patrol the park", f"{prefix}-owner_agency": agencies["police"].pk,
            f"{prefix}-due_on_0": _due(meeting).day, f"{prefix}-due_on_1": _due(meeting).month,
            f"{prefix}-due_on_2": _due(meeting).year}
    client_for(client, colin)
    response = client.post(reverse("action-new", args=[item.pk]), data, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200  # htmx swaps it in place of the item's actions
    assert f'id="actions-{item.pk}"' in page and "<html" not in page  # the item's part of the page, not a page
    assert ("Northfield Police cannot see this place. Ask Northfield Council to share it first, or choose another "
            "agency.") in page
    assert f"/items/{item.pk}/share-request/?agency={agencies['police'].pk}&amp;from=live" in page
    assert "Patrol the park" in page  # what was typed is kept
    assert not Action.objects.exists()
    # Without javascript: the form page again, with the same reason and the same way out.
    plain = client.post(reverse("action-new", args=[item.pk]), data)
    assert plain.status_code == 400 and "Ask Northfield Council to share it with Northfield Police" in (
        plain.content.decode())
    # For an agency that can see it: the list comes back with the action and a fresh form.
    data[f"{prefix}-owner_agency"] = agencies["la"].pk
    added = client.post(reverse("action-new", args=[item.pk]), data, headers={"HX-Request": "true"})
    page = added.content.decode()
    assert added.status_code == 200 and "Action added." in page and "Patrol the park" in page
    assert f'name="action-{item.pk}-description"' in page and ">Patrol the park</textarea>" not in page
    assert Action.objects.count() == 1
    plain = client.post(reverse("action-new", args=[item.pk]), data)
    assert plain.status_code == 302 and plain.url == f"/meetings/{meeting.pk}/live/#item-{item.pk}"


def test_the_pages_warn_the_chair_and_the_request_goes_round(client, colin, alice, pete, meeting, agenda, agencies):
    client_for(client, colin)
    page = client.get(reverse("meeting-live", args=[meeting.pk])).content.decode()
    assert f'href="#item-{agenda[2].pk}"' in page and 'href="#outstanding"' in page
    assert "Northfield Academy and Northfield Police cannot see what this item is about" in page
    ask_url = reverse("share-request-new", args=[agenda[2].pk])
    assert f"{ask_url}?from=live" in page
    form = client.get(ask_url + f"?agency={agencies['police'].pk}").content.decode()
    assert "Ask Northfield Council to share Eastgate Park" in form
    response = client.post(ask_url, {"agencies": [agencies["police"].pk], "reason": "Patrols after school"})
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/#item-{agenda[2].pk}"
    assert "waiting for an answer" in client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    asked = ShareRequest.objects.get()

    client_for(client, alice)
    assert "Eastgate Park" in client.get(reverse("share-requests")).content.decode()
    page = client.get(reverse("share-request", args=[asked.pk])).content.decode()
    assert "Patrols after school" in page and "Lawful basis for sharing" in page
    refused = client.post(reverse("share-request", args=[asked.pk]), {"decision": "decline", "decline_reason": ""})
    assert refused.status_code == 400 and "Enter why the record cannot be shared" in refused.content.decode()
    response = client.post(reverse("share-request", args=[asked.pk]), {
        "decision": "approve", "lawful_basis": "public_task", "special_category": "safeguarding",
        "told": "told"})
    assert response.status_code == 302
    client_for(client, pete)
    assert "Eastgate Park" in client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert client.get(reverse("share-request", args=[asked.pk])).status_code == 404


def test_adding_an_item_says_who_will_not_see_it(client, colin, meeting, park):
    client_for(client, colin)
    response = client.post(reverse("item-new", args=[meeting.pk]), {
        "kind": "place", "place": park.pk, "reason": "Adults approaching children"}, follow=True)
    page = response.content.decode()
    assert "Item 1 added to the agenda. Northfield Academy and Northfield Police cannot see Eastgate Park. Ask " \
           "Northfield Council to share it" in page


@pytest.mark.parametrize("to_apologies", [True, False])
def test_agencies_that_sent_apologies_get_a_pack_when_the_panel_says_so(colin, sam, pete, agencies, to_apologies):
    panel = services.panel_create(actor=colin, name=f"Panel {to_apologies}", kind=PanelKind.MACE,
                                  member_agencies=[agencies["la"], agencies["police"], agencies["school"]],
                                  chairs=[colin], packs_to_apologies=to_apologies)
    meeting = services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(days=3),
                                        location="Room 1")
    services.attendance_set(actor=colin, meeting=meeting, person=sam, status="apologies")
    services.attendance_set(actor=colin, meeting=meeting, person=pete, status="absent")
    services.agenda_item_add(actor=colin, meeting=meeting, theme="Buses", reason="Reports")
    packs = services.packs_request(actor=colin, meeting=meeting)
    expected = {"Northfield Council", "Northfield Academy"} if to_apologies else {"Northfield Council"}
    assert {pack.agency.name for pack in packs} == expected  # never an agency only absent
