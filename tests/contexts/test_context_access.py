"""Contexts through the access door: outsiders get 404 everywhere and learn nothing from any list or picture."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import EntryKind
from cases.services import chronology_add
from contexts import services
from contexts.models import AssociationNature, MembershipRole, PlaceLinkNature
from safeguarding import access
from tests.conftest import LAWFUL

from ..conftest import client_for
from ..factories import CaseFactory, YoungPersonFactory
from .conftest import evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(alice, person, friend, park, group):
    """Jayden and Tyrese in a group that frequents the park; Jayden has a case."""
    case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
    member = services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                                     **evidence())
    services.membership_add(actor=alice, peer_group=group, young_person=friend, role=MembershipRole.PERIPHERAL,
                            **evidence())
    services.association_add(actor=alice, person=person, other=friend, nature=AssociationNature.FRIEND,
                             **evidence())
    link = services.place_link_add(actor=alice, place=park, peer_group=group, nature=PlaceLinkNature.GATHERING,
                                   **evidence())
    guardian = services.guardian_add(actor=alice, place=park, name="Sunita Patel", role="Park warden")
    entry = chronology_add(actor=alice, case=case, kind=EntryKind.INCIDENT, occurred_at=timezone.now(),
                           text="Seen at Eastgate Park with older males")
    return {"membership": member, "place_link": link, "guardian": guardian, "entry": entry}


def test_an_outsider_sees_no_trace_in_lists_search_or_review(client, oscar, person, park, group, web):
    client_for(client, oscar)
    assert "No places match." in client.get(reverse("places") + "?q=Eastgate").content.decode()
    for url in [reverse("places"), reverse("peer-groups"),
                reverse("places-map"), reverse("to-review"), reverse("dashboard")]:
        page = client.get(url)
        assert page.status_code == 200
        assert b"Eastgate" not in page.content and b"Jayden" not in page.content, url
    assert b"No places" in client.get(reverse("places")).content  # the list's total, none


def test_a_partner_shown_the_place_sees_only_links_to_what_it_may_see(client, alice, pete, person, park, group,
                                                                      web, agencies):
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    page = client.get(reverse("place", args=[park.pk])).content.decode()
    assert "Eastgate Park" in page
    assert "Group seen at Eastgate Park" not in page  # the group is not shared with the police
    assert "1 link not shared with your agency." in page
    access.share(actor=alice, obj=group, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    page = client.get(reverse("place", args=[park.pk])).content.decode()
    assert "Group seen at Eastgate Park" in page and "not shared with your agency" not in page


def test_the_network_never_names_someone_the_viewer_cannot_see(client, alice, pete, person, friend, group, web,
                                                               agencies):
    other = YoungPersonFactory(actor=alice, first_name="Kai", last_name="Osei")
    services.association_add(actor=alice, person=friend, other=other, nature=AssociationNature.CONFLICT,
                             **evidence())
    access.share(actor=alice, obj=group, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    shared_case = CaseFactory(actor=alice, young_person=friend, lead_practitioner=alice)
    access.share(actor=alice, obj=shared_case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)  # sees Tyrese (shared case) and the group; not Jayden, not Kai
    page = client.get(reverse("group-network", args=[group.pk])).content.decode()
    assert "Tyrese Walker" in page
    assert "Jayden" not in page and "Okafor" not in page and "Kai" not in page
    assert "2 links not shared with your agency" in page  # Jayden's membership and the park, never named
    page = client.get(reverse("person-network", args=[friend.pk])).content.decode()
    assert "Tyrese Walker" in page and "Jayden" not in page and "Kai Osei" not in page
    assert "2 links not shared with your agency" in page  # Tyrese–Jayden and Tyrese–Kai
    client_for(client, alice)
    page = client.get(reverse("person-network", args=[friend.pk])).content.decode()
    assert "Jayden Okafor" in page and "Kai Osei" in page


def test_a_partner_who_may_only_view_cannot_review_or_end_a_link(client, alice, pete, group, web, agencies):
    access.share(actor=alice, obj=group, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    membership = web["membership"]
    shared = CaseFactory(actor=alice, young_person=membership.young_person, lead_practitioner=alice)
    access.share(actor=alice, obj=shared, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    assert client.get(reverse("peer-group", args=[group.pk])).status_code == 200
    assert client.get(reverse("link-review", args=["membership", membership.pk])).status_code == 403
    assert client.post(reverse("link-end", args=["membership", membership.pk]),
                       {"version": 1, "reason": "x"}).status_code == 403
    membership.refresh_from_db()
    assert membership.is_current
