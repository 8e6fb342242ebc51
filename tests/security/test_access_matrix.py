"""Who can reach each record page: the owner, a shared agency, an outsider, and a partner after unsharing.

Not visible is 404 (the page never tells that a record exists); visible but not allowed is 403.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import ChronologyEntry, EntryKind
from cases.services import chronology_add
from safeguarding import access
from tests.conftest import LAWFUL

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def record_pages(case):
    """Every URL that names a young person or a case, with the method that reaches it."""
    person, agency = case.young_person.pk, case.owning_agency_id
    return [
        ("get", reverse("young-person", args=[person])),
        ("get", reverse("young-person-edit", args=[person])),
        ("post", reverse("young-person-edit", args=[person])),
        ("get", reverse("trusted-adult-new", args=[person])),
        ("post", reverse("trusted-adult-new", args=[person])),
        ("get", reverse("voice-entry-new", args=[person])),
        ("post", reverse("voice-entry-new", args=[person])),
        ("get", reverse("case-new", args=[person])),
        ("post", reverse("case-new", args=[person])),
        ("get", reverse("case", args=[case.pk])),
        ("get", reverse("case-edit", args=[case.pk])),
        ("post", reverse("case-edit", args=[case.pk])),
        ("get", reverse("case-close", args=[case.pk])),
        ("post", reverse("case-close", args=[case.pk])),
        ("post", reverse("chronology-add", args=[case.pk])),
        ("post", reverse("case-share", args=[case.pk])),
        ("post", reverse("case-unshare", args=[case.pk, agency])),
        ("get", reverse("transition", args=[case.pk])),
        ("get", reverse("transition-new", args=[case.pk])),
        ("post", reverse("transition-new", args=[case.pk])),
        ("post", reverse("transition-edit", args=[case.pk])),
        ("post", reverse("transition-handover", args=[case.pk])),
    ]


def _post_data(case):
    return {"kind": EntryKind.NOTE, "text": "Seen at the bus station", "agency": case.owning_agency_id,
            "level": "view", "version": 1, "first_name": "Changed", "last_name": "Name", "name": "X",
            "relationship": "Aunt", "words": "I want to feel safe", "reason": "nfa"}


def test_the_owning_agency_reaches_every_page_its_roles_allow(client, alice, mandy, case):
    close = reverse("case-close", args=[case.pk])
    client_for(client, alice)
    for method, url in record_pages(case):
        if method == "get":
            assert client.get(url).status_code == (403 if url == close else 200), url
    assert client_for(client, mandy).get(close).status_code == 200  # closing is a manager's decision


def test_a_shared_agency_sees_the_case_and_person_but_cannot_manage_them(client, pete, shared_case):
    client_for(client, pete)
    person = shared_case.young_person
    page = client.get(reverse("case", args=[shared_case.pk]))
    assert page.status_code == 200 and b"Jayden" in page.content
    assert client.get(reverse("young-person", args=[person.pk])).status_code == 200
    for name, args in [("young-person-edit", [person.pk]), ("case-edit", [shared_case.pk]),
                       ("case-close", [shared_case.pk]), ("case-new", [person.pk]),
                       ("transition-new", [shared_case.pk])]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    shared = client.post(reverse("case-share", args=[shared_case.pk]), _post_data(shared_case))
    assert shared.status_code == 403


def test_contribute_lets_a_partner_add_to_the_chronology_and_view_does_not(
        client, pete, sam, shared_case, alice, agencies):
    access.share(actor=alice, obj=shared_case, agency=agencies["school"], level=access.VIEW, basis=LAWFUL)
    url = reverse("chronology-add", args=[shared_case.pk])
    now = timezone.localtime()
    client_for(client, sam)
    assert client.post(url, _entry_form(now, "Spoke to him after school")).status_code == 403
    client_for(client, pete)
    assert client.post(url, _entry_form(now, "Spoke to him at the station")).status_code == 302
    entry = ChronologyEntry.objects.get(case=shared_case)
    assert entry.author == pete and entry.agency == agencies["police"]


def _entry_form(when, text, **extra):
    return {"kind": EntryKind.CONTACT, "occurred_on_0": when.day, "occurred_on_1": when.month,
            "occurred_on_2": when.year, "occurred_time": when.strftime("%H:%M"), "text": text, **extra}


def test_unsharing_takes_every_page_away(client, alice, pete, shared_case, agencies):
    access.unshare(actor=alice, obj=shared_case, agency=agencies["police"])
    client_for(client, pete)
    for method, url in record_pages(shared_case):
        response = getattr(client, method)(url, _post_data(shared_case) if method == "post" else None)
        assert response.status_code == 404, (method, url)


def test_lists_and_search_show_only_shared_records(client, alice, pete, oscar, shared_case):
    client_for(client, oscar)
    for url in [reverse("cases"), reverse("young-people") + "?q=Jayden", reverse("dashboard")]:
        page = client.get(url)
        assert page.status_code == 200
        assert b"Okafor" not in page.content and shared_case.reference.encode() not in page.content
    client_for(client, pete)
    assert shared_case.reference.encode() in client.get(reverse("cases")).content
    assert b"Okafor" in client.get(reverse("young-people") + "?q=Jayden").content


def test_recently_viewed_forgets_a_record_once_it_is_unshared(client, alice, pete, shared_case, agencies):
    client_for(client, pete)
    client.get(reverse("young-person", args=[shared_case.young_person.pk]))
    assert b"Okafor" in client.get(reverse("dashboard")).content
    access.unshare(actor=alice, obj=shared_case, agency=agencies["police"])
    assert b"Okafor" not in client.get(reverse("dashboard")).content


def test_restricted_entries_are_seen_only_by_the_people_named(client, alice, mandy, colin, pete, shared_case):
    chronology_add(actor=alice, case=shared_case, kind=EntryKind.DISCLOSURE, occurred_at=timezone.now(),
                   text="Disclosed abuse by an older male", restricted=True, restricted_to=[mandy])
    chronology_add(actor=alice, case=shared_case, kind=EntryKind.NOTE, occurred_at=timezone.now(),
                   text="Attended youth club")
    url = reverse("case", args=[shared_case.pk])
    for user, sees in [(alice, True), (mandy, True), (colin, False), (pete, False)]:
        page = client_for(client, user).get(url).content
        assert (b"Disclosed abuse" in page) is sees, user.username
        assert b"Attended youth club" in page


@pytest.mark.django_db
def test_the_fast_count_on_grants_agrees_with_the_visibility_filter(alice, pete, oscar, shared_case, agencies):
    from cases.models import Case

    from ..factories import CaseFactory, YoungPersonFactory

    CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice))  # not shared with anyone
    for user in (alice, pete, oscar):
        assert access.visible_count(user, Case) == access.visible(user, Case.objects.all()).count()
    assert (access.visible_count(alice, Case), access.visible_count(pete, Case), access.visible_count(oscar, Case)) == (
        2, 1, 0)
