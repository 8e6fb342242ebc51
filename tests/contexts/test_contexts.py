"""Places and peer groups: recording them, evidence with review dates, bad input, audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contexts import selectors, services
from contexts.models import (
    Association,
    AssociationNature,
    ContextStatus,
    Membership,
    MembershipRole,
    Place,
    PlaceKind,
    PlaceLink,
    PlaceLinkNature,
)
from safeguarding.models import AuditAction, AuditEvent
from tests.conftest import REFERRAL_LAWFUL

from ..conftest import client_for
from .conftest import evidence

pytestmark = pytest.mark.django_db


def place_form(**overrides):
    data = {"name": "Kwik Chicken, High Street", "kind": PlaceKind.SHOP, "school_urn": "", "address": "",
            "postcode": "", "ward": "Central", "area": "", "description": "",
            "status": ContextStatus.NOTED, "closure_reason": "", "lead_practitioner": ""}
    return {**data, **overrides}


def test_a_practitioner_records_a_place_and_it_is_audited(client, alice):
    client_for(client, alice)
    response = client.post(reverse("place-new"), place_form())
    place = Place.objects.get()
    assert response.status_code == 302 and response.url == reverse("place", args=[place.pk])
    assert place.owning_agency == alice.agency and place.status == ContextStatus.NOTED
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(place.pk)).exists()
    page = client.get(response.url).content.decode()
    assert "Kwik Chicken, High Street" in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, target_label=f"PL-{place.pk}").count() == 1


@pytest.mark.parametrize(("overrides", "message"), [
    ({"school_urn": "123456"}, "Only a school or college has a URN."),
    ({"kind": PlaceKind.SCHOOL, "school_urn": "12AB"}, "6 digits"),
    ({"status": ContextStatus.CLOSED}, "Say why it is being closed."),
    ({"name": ""}, "Enter name"),
])
def test_bad_place_details_are_refused_and_nothing_is_written(client, alice, overrides, message):
    page = client_for(client, alice).post(reverse("place-new"), place_form(**overrides)).content.decode()
    assert "govuk-error-summary" in page and message in page.replace("&#x27;", "'")
    assert not Place.objects.exists()


def test_a_peer_group_is_opened_from_a_referred_concern(alice, group):
    assert group.status == ContextStatus.NOTED
    opened = services.context_update(actor=alice, record=group, expected_version=1, status=ContextStatus.OPEN)
    assert opened.status == ContextStatus.OPEN and opened.version == 2
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        services.context_update(actor=alice, record=group, expected_version=1, name="Renamed")


def test_a_person_cannot_be_linked_to_themselves(alice, person):
    with pytest.raises(ValidationError, match="cannot be linked to themselves"):
        services.association_add(actor=alice, person=person, other=person, nature=AssociationNature.FRIEND,
                                 **evidence())
    assert not Association.objects.exists()


def test_the_same_association_is_not_recorded_twice_in_either_direction(alice, person, friend):
    services.association_add(actor=alice, person=person, other=friend, nature=AssociationNature.FRIEND, **evidence())
    with pytest.raises(ValidationError, match="already recorded"):
        services.association_add(actor=alice, person=friend, other=person, nature=AssociationNature.FRIEND,
                                 **evidence())
    assert Association.objects.count() == 1


def test_a_duplicate_membership_and_reversed_dates_are_refused(client, alice, person, group):
    services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                            **evidence())
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                                **evidence())
    today = timezone.localdate()
    client_for(client, alice)
    page = client.post(reverse("membership-new", args=[group.pk]), {
        "young_person": person.pk, "role": MembershipRole.CORE, "reliability": "reported",
        "from_date_0": today.day, "from_date_1": today.month, "from_date_2": today.year,
        "to_date_0": today.day, "to_date_1": today.month, "to_date_2": today.year - 1,
    }).content.decode()
    assert "The end of membership must be on or after its start." in page
    assert Membership.objects.count() == 1


def test_a_review_by_date_in_the_past_is_refused(alice, person, park):
    with pytest.raises(ValidationError, match="cannot be in the past"):
        services.place_link_add(actor=alice, place=park, young_person=person, nature=PlaceLinkNature.FREQUENTS,
                                **evidence(days=-1))
    assert not PlaceLink.objects.exists()


def test_links_past_review_are_listed_then_reviewed_or_ended_with_audit(client, alice, person, friend, park):
    link = services.place_link_add(actor=alice, place=park, young_person=person, nature=PlaceLinkNature.FREQUENTS,
                                   **evidence())
    gone = services.association_add(actor=alice, person=person, other=friend, nature=AssociationNature.ASSOCIATE,
                                    **evidence())
    long_ago = timezone.localdate() - timedelta(days=120)
    PlaceLink.objects.filter(pk=link.pk).update(last_reviewed_on=long_ago,
                                                review_by=timezone.localdate() - timedelta(days=1))
    Association.objects.filter(pk=gone.pk).update(last_reviewed_on=long_ago,
                                                  review_by=timezone.localdate() - timedelta(days=3))
    client_for(client, alice)
    page = client.get(reverse("to-review")).content.decode()
    assert "2 links past review" in page and "Eastgate Park" in page and "Tyrese Walker" in page

    next_review = timezone.localdate() + timedelta(days=60)
    response = client.post(reverse("link-review", args=["place-link", link.pk]), {
        "version": 1, "reliability": "confirmed", "note": "Seen there by the youth team",
        "review_by_0": next_review.day, "review_by_1": next_review.month, "review_by_2": next_review.year})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.reliability, link.review_by, link.last_reviewed_on) == ("confirmed", next_review,
                                                                          timezone.localdate())
    client.post(reverse("link-end", args=["association", gone.pk]), {"version": 1, "reason": "Moved away"})
    gone.refresh_from_db()
    assert gone.ended_on == timezone.localdate() and gone.end_reason == "Moved away"
    assert selectors.to_review(alice) == []
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__reviewed=True).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__ended=True).count() == 1
    history = list(gone.events.order_by("pgh_id").values_list("ended_on", flat=True))
    assert history[0] is None and history[-1] == timezone.localdate()  # the history keeps it as it was


def test_reviewing_needs_a_future_date(alice, person, park):
    link = services.place_link_add(actor=alice, place=park, young_person=person, nature=PlaceLinkNature.ATTENDS,
                                   **evidence())
    with pytest.raises(ValidationError, match="must be in the future"):
        services.link_review(actor=alice, link=link, expected_version=1, review_by=timezone.localdate())


def test_a_guardian_and_their_training_are_recorded(client, alice, park):
    client_for(client, alice)
    client.post(reverse("guardian-new", args=[park.pk]), {"name": "Sunita Patel", "organisation": "Parks service",
                                                          "role": "Park warden", "how_to_contact": "Via the depot"})
    guardian = park.guardians.get()
    today = timezone.localdate()
    client.post(reverse("training-new", args=[guardian.pk]), {
        "given_on_0": today.day, "given_on_1": today.month, "given_on_2": today.year,
        "topic": "Spotting signs of exploitation"})
    page = client.get(reverse("place", args=[park.pk])).content.decode()
    assert "Sunita Patel" in page and "Spotting signs of exploitation" in page


def test_a_chronology_entry_tagged_with_a_place_shows_there(alice, person, case, park):
    from cases.models import EntryKind
    from cases.services import chronology_add

    entry = chronology_add(actor=alice, case=case, kind=EntryKind.INCIDENT, occurred_at=timezone.now(),
                           text="Approached by two adults offering money")
    services.place_tag(actor=alice, entry=entry, place=park)
    assert selectors.place_incidents(alice, park) == [entry]
    with pytest.raises(ValidationError, match="already tagged"):
        services.place_tag(actor=alice, entry=entry, place=park)


def test_the_young_person_page_loads_their_contexts(client, alice, person, friend, group, park):
    services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                            **evidence())
    services.association_add(actor=alice, person=person, other=friend, nature=AssociationNature.CONFLICT,
                             **evidence())
    services.place_link_add(actor=alice, place=park, young_person=person, nature=PlaceLinkNature.FREQUENTS,
                            **evidence())
    client_for(client, alice)
    assert reverse("person-contexts", args=[person.pk]) in client.get(
        reverse("young-person", args=[person.pk])).content.decode()
    part = client.get(reverse("person-contexts", args=[person.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Group seen at Eastgate Park" in part and "Tyrese Walker" in part and "Eastgate Park" in part
    assert "<html" not in part


def test_a_practitioner_tags_where_an_entry_happened_from_the_case_page(client, alice, case, park):
    from cases.models import EntryKind
    from cases.services import chronology_add

    entry = chronology_add(actor=alice, case=case, kind=EntryKind.MISSING, occurred_at=timezone.now(),
                           text="Found at the park after being reported missing")
    client_for(client, alice)
    assert reverse("entry-place", args=[entry.pk]) in client.get(reverse("case", args=[case.pk])).content.decode()
    response = client.post(reverse("entry-place", args=[entry.pk]), {"place": park.pk})
    assert response.status_code == 302
    page = client.get(reverse("place", args=[park.pk])).content.decode()
    assert "Found at the park after being reported missing" in page
    assert "This entry is tagged with" in client.get(reverse("entry-place", args=[entry.pk])).content.decode()


def test_a_partners_place_is_their_own_until_they_refer_it(pete, alice, mandy):
    """No rule grants a partner's place to every lead authority: the route to one is a referral, accepted."""
    from cases import referrals
    from safeguarding import access

    place = services.context_create(actor=pete, model=Place, name="Tower Court flats", kind=PlaceKind.HOUSING)
    assert place.owning_agency == pete.agency and not access.can(alice, place)
    assert not AuditEvent.objects.filter(action=AuditAction.SHARE).exists()
    referral = services.context_referral_create(actor=pete, record=place, concerns="Adults visiting a flat",
                                                harm_types=["cce"], **REFERRAL_LAWFUL)
    assert not access.can(alice, place)  # referring tells the authority about it; it does not share it
    assert referrals.kind_of(referral).duplicates(mandy, referral) == []  # nor shows it at the front door


def test_a_membership_overlapping_an_earlier_one_is_refused(alice, person, group):
    today = timezone.localdate()
    first = services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                                    from_date=today - timedelta(days=300), to_date=today - timedelta(days=100),
                                    **evidence())
    services.link_end(actor=alice, link=first, expected_version=1, reason="Left the group")
    with pytest.raises(ValidationError, match="overlap an earlier membership"):
        services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                                from_date=today - timedelta(days=150), **evidence())
    again = services.membership_add(actor=alice, peer_group=group, young_person=person,
                                    role=MembershipRole.PERIPHERAL, from_date=today - timedelta(days=30),
                                    **evidence())
    assert again.is_current and Membership.objects.count() == 2
