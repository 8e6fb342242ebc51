"""/to-review/ as a list (safeguarding.lists): filters, sort, pages, the total; and bulk review of the ticked links,
each through the single link's service (links_review_many calls link_review / link_end), audited, in one
transaction, with a link someone changed meanwhile reported and left as it is."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contexts import services
from contexts.models import Association, AssociationNature, Membership, MembershipRole, PlaceLink, PlaceLinkNature
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import client_for
from ..factories import YoungPersonFactory
from .conftest import evidence

pytestmark = pytest.mark.django_db


def _overdue(model, link, days=1):
    model.objects.filter(pk=link.pk).update(last_reviewed_on=timezone.localdate() - timedelta(days=60),
                                            review_by=timezone.localdate() - timedelta(days=days))
    link.refresh_from_db()
    return link


@pytest.fixture
def due(alice, person, friend, park, group):
    return [
        _overdue(PlaceLink, services.place_link_add(actor=alice, place=park, young_person=person,
                                                    nature=PlaceLinkNature.FREQUENTS, **evidence()), days=3),
        _overdue(Association, services.association_add(actor=alice, person=person, other=friend,
                                                       nature=AssociationNature.ASSOCIATE, **evidence()), days=2),
        _overdue(Membership, services.membership_add(actor=alice, peer_group=group, young_person=friend,
                                                     role=MembershipRole.CORE, **evidence()), days=1),
    ]


def _token(link):
    return f"{link.link_kind}:{link.pk}:{link.version}"


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_it_lists_the_links_due_oldest_first_with_a_total_and_sorts_and_filters(client, alice, due):
    client_for(client, alice)
    page = client.get(reverse("to-review")).content.decode()
    assert "Showing 1–3 of 3 links past review" in page
    order = [page.index(f'value="{_token(link)}"') for link in due]
    assert order == sorted(order)
    page = client.get(reverse("to-review"), {"sort": "-due"}).content.decode()
    order = [page.index(f'value="{_token(link)}"') for link in due]
    assert order == sorted(order, reverse=True) and 'aria-sort="descending"' in page
    page = client.get(reverse("to-review"), {"kind": "association"}).content.decode()
    assert "Showing 1–1 of 1 link" in page and _token(due[1]) in page and _token(due[0]) not in page
    page = client.get(reverse("to-review"), _date("due_from", timezone.localdate() - timedelta(days=2))).content
    assert b"of 2 links" in page


def test_it_pages_the_links(client, alice, person, group):
    for _ in range(53):
        other = YoungPersonFactory(actor=alice)
        _overdue(Membership, services.membership_add(actor=alice, peer_group=group, young_person=other,
                                                     role=MembershipRole.CORE, **evidence()))
    client_for(client, alice)
    assert "Showing 1–50 of 53 links" in client.get(reverse("to-review")).content.decode()
    assert "Showing 51–53 of 53 links" in client.get(reverse("to-review"), {"page": 2}).content.decode()
    assert "Showing 51–53 of 53 links" in client.get(reverse("to-review"), {"page": 999999}).content.decode()
    assert "Showing 1–50 of 53 links" in client.get(reverse("to-review"), {"page": "abc"}).content.decode()


@pytest.mark.parametrize("params", [{"kind": "users"}, {"sort": "pk; drop"}, {"due_from_0": "40", "due_from_1": "1",
                                                                           "due_from_2": "2026"}])
def test_hostile_filters_never_fail(client, alice, due, params):
    response = client_for(client, alice).get(reverse("to-review"), params)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "There is a problem" in response.content.decode()


def test_an_outsider_sees_no_links(client, alice, sam, due):
    page = client_for(client, sam).get(reverse("to-review")).content.decode()
    assert "No links" in page and not any(_token(link) in page for link in due)


def test_bulk_review_marks_every_ticked_link_reviewed_through_the_single_service(client, alice, due):
    next_review = timezone.localdate() + timedelta(days=60)
    client_for(client, alice)
    response = client.post(reverse("to-review"), {"selected": [_token(due[0]), _token(due[2])],
                                                  "decision": "review", "reliability": "confirmed",
                                                  "note": "Checked with the school", **_date("review_by", next_review)})
    assert response.status_code == 302
    for link in (due[0], due[2]):
        link.refresh_from_db()
        assert (link.review_by, link.reliability, link.version) == (next_review, "confirmed", 2)
        assert "Checked with the school" in link.notes
    due[1].refresh_from_db()
    assert due[1].version == 1
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__reviewed=True).count() == 2
    page = client.get(reverse("to-review")).content.decode()
    assert "2 links reviewed." in page and "of 1 link" in page


def test_bulk_end_ends_the_ticked_links_with_the_reason(client, alice, due):
    client_for(client, alice)
    client.post(reverse("to-review"), {"selected": [_token(link) for link in due], "decision": "end",
                                       "reason": "Moved out of the area"})
    for link in due:
        link.refresh_from_db()
        assert link.ended_on == timezone.localdate() and link.end_reason == "Moved out of the area"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__ended=True).count() == 3


@pytest.mark.parametrize(("data", "error"), [
    ({"decision": "review"}, "Select at least one link"),
    ({"selected": ["membership:1:1"]}, "Select what to do with the selected links"),
    ({"selected": ["membership:1:1"], "decision": "review"}, "Enter the next review date"),
    ({"selected": ["membership:1:1"], "decision": "end", "reason": " "}, "Say why the links have ended"),
    ({"selected": ["users:1:1"], "decision": "end", "reason": "x"}, "Select links from the list"),
])
def test_bulk_review_says_what_is_missing(client, alice, due, data, error):
    response = client_for(client, alice).post(reverse("to-review"), data)
    assert response.status_code == 200  # the page again with the error, as every form
    page = response.content.decode()
    assert "There is a problem" in page and error in page
    assert all(Membership.objects.get(pk=due[2].pk).version == 1 for _ in [0])


def test_a_link_changed_meanwhile_is_reported_not_overwritten(client, alice, due):
    stale = _token(due[0])
    services.link_review(actor=alice, link=due[0], expected_version=1, review_by=timezone.localdate()
                         + timedelta(days=5), reliability="suspected")  # someone else, first
    next_review = timezone.localdate() + timedelta(days=60)
    client_for(client, alice)
    client.post(reverse("to-review"), {"selected": [stale, _token(due[1])], "decision": "review",
                                       **_date("review_by", next_review)})
    due[0].refresh_from_db()
    due[1].refresh_from_db()
    assert due[0].reliability == "suspected" and due[0].review_by != next_review  # not overwritten
    assert due[1].review_by == next_review
    page = client.get(reverse("to-review")).content.decode()
    assert "Someone else changed this record" in page and "1 link reviewed." in page


def test_links_the_person_may_not_act_on_are_not_touched(client, alice, pete, due, agencies):
    # Pete's agency sees none of alice's records: the tokens are well formed, the door finds nothing.
    client_for(client, pete)
    client.post(reverse("to-review"), {"selected": [_token(link) for link in due], "decision": "end", "reason": "x"})
    for link in due:
        link.refresh_from_db()
        assert link.ended_on is None
    assert "can no longer be found" in client.get(reverse("to-review")).content.decode()


def test_the_service_refuses_an_unknown_decision_and_reports_conflicts(alice, due):
    with pytest.raises(ValidationError):
        services.links_review_many(actor=alice, links=[(due[0], 1)], decision="delete")
    done, refused = services.links_review_many(actor=alice, links=[(due[0], 7), (due[1], 1)], decision="review",
                                               review_by=timezone.localdate() + timedelta(days=9))
    assert [link.pk for link in done] == [due[1].pk]
    assert refused[0][0] == due[0] and "Someone else changed" in refused[0][1]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__reviewed=True).count() == 1


def test_a_refused_bulk_form_keeps_the_ticks_and_asks_only_what_to_do(client, alice, due):
    response = client_for(client, alice).post(reverse("to-review"), {"selected": [_token(due[1])], "decision": "end"})
    page = response.content.decode()
    assert response.status_code == 200 and "Say why the links have ended" in page
    assert f'value="{_token(due[1])}" checked' in page and f'value="{_token(due[0])}">' in page
    assert 'name="selected" multiple' not in page and "<select name=\"selected\"" not in page
