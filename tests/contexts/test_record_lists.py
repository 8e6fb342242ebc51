"""The places and peer groups lists (safeguarding.lists): filters, sort, pages, total, the outsider; and each link's
evidence (note, source, reliability, purpose, review date) on a place's and a group's page, an intelligence note only
for the agency that recorded it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contexts import services
from contexts.models import ContextStatus, MembershipRole, PeerGroup, Place, PlaceKind, PlaceLinkNature, Purpose
from safeguarding import access

from ..conftest import LAWFUL, client_for
from .conftest import evidence

pytestmark = pytest.mark.django_db


def _names(page: str, word: str) -> list[str]:
    return re.findall(rf'href="/{word}/\d+/">([^<]+)</a>', page)


@pytest.fixture
def places(alice):
    return [services.context_create(actor=alice, model=Place, name=name, kind=kind, ward=ward)
            for name, kind, ward in [("Canal towpath", PlaceKind.PARK, "Eastgate"),
                                     ("Albion shops", PlaceKind.SHOP, "Westfield"),
                                     ("Bus station", PlaceKind.TRANSPORT, "Eastgate")]]


def test_places_are_sorted_filtered_and_counted(client, alice, places):
    client_for(client, alice)
    page = client.get(reverse("places")).content.decode()
    assert _names(page, "places") == ["Albion shops", "Bus station", "Canal towpath"]
    assert "Showing 1–3 of 3 places" in page and 'aria-sort="ascending"' in page
    page = client.get(reverse("places"), {"sort": "-name"}).content.decode()
    assert _names(page, "places") == ["Canal towpath", "Bus station", "Albion shops"]
    page = client.get(reverse("places"), {"ward": "Eastgate", "sort": "name"}).content.decode()
    assert _names(page, "places") == ["Bus station", "Canal towpath"] and "of 2 places" in page
    assert "moj-filter__tag" in page and "Eastgate" in page
    page = client.get(reverse("places"), {"q": "canal"}).content.decode()
    assert _names(page, "places") == ["Canal towpath"]


def test_places_page_and_refuse_hostile_input_without_failing(client, alice, places):
    for i in range(25):
        services.context_create(actor=alice, model=Place, name=f"Street {i:02}", kind=PlaceKind.STREET)
    client_for(client, alice)
    assert "Showing 26–28 of 28 places" in client.get(reverse("places"), {"page": 2}).content.decode()
    assert "Showing 26–28 of 28 places" in client.get(reverse("places"), {"page": 999999}).content.decode()
    for params in ({"page": "abc"}, {"sort": "owning_agency__name"}, {"ward": "Nowhere"}, {"kind": "<script>"},
                   {"status": "x" * 3000}):
        response = client.get(reverse("places"), params)
        assert response.status_code in (200, 400), params
        if response.status_code == 400:
            assert "There is a problem" in response.content.decode()


def test_an_outsider_sees_no_places_or_groups(client, alice, sam, places, group):
    client_for(client, sam)
    assert _names(client.get(reverse("places"), {"q": "canal"}).content.decode(), "places") == []
    assert "No peer groups" in client.get(reverse("peer-groups")).content.decode()


def test_peer_groups_are_sorted_and_filtered_by_status(client, alice, group):
    other = services.context_create(actor=alice, model=PeerGroup, name="Albion Road group")
    client_for(client, alice)
    page = client.get(reverse("peer-groups")).content.decode()
    assert _names(page, "peer-groups") == ["Albion Road group", "Group seen at Eastgate Park"]
    page = client.get(reverse("peer-groups"), {"sort": "-name"}).content.decode()
    assert _names(page, "peer-groups") == ["Group seen at Eastgate Park", "Albion Road group"]
    page = client.get(reverse("peer-groups"), {"status": ContextStatus.CLOSED}).content.decode()
    assert _names(page, "peer-groups") == [] and "No peer groups" in page
    assert other.pk


def test_the_place_and_group_pages_show_each_links_evidence(client, alice, pete, agencies, person, park, group,
                                                             shared_case):
    services.place_link_add(actor=alice, place=park, young_person=person, nature=PlaceLinkNature.FREQUENTS,
                            notes="Seen by the youth worker on three evenings", purpose=Purpose.WELFARE, **evidence())
    services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                            notes="Named by two pupils", purpose=Purpose.INTELLIGENCE, **evidence())
    review_by = (timezone.localdate() + timedelta(days=30)).strftime("%-d %b %Y")
    client_for(client, alice)
    place = client.get(reverse("place", args=[park.pk])).content.decode()
    assert "Seen by the youth worker on three evenings" in place and "Reported" in place and "Welfare" in place
    assert f"review by {review_by}" in place and "recorded by Alice Test" in place
    page = client.get(reverse("peer-group", args=[group.pk])).content.decode()
    assert "Named by two pupils" in page and "Intelligence" in page
    # Shared with the police, who see the link but not the council's intelligence note.
    access.share(actor=alice, obj=group, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    page = client.get(reverse("peer-group", args=[group.pk])).content.decode()
    assert "Jayden" in page and "Intelligence" in page  # Jayden's case is shared with the police
    assert "Named by two pupils" not in page and "Evidence note held by Northfield Council" in page
    place = client.get(reverse("place", args=[park.pk])).content.decode()
    assert "Seen by the youth worker on three evenings" in place  # a welfare link's note is for whoever sees it
