"""Context pages make the same number of queries for a small network as for one with 200 people."""

import pytest
from django.urls import reverse

from contexts import services
from contexts.models import AssociationNature, MembershipRole, PlaceLinkNature
from safeguarding import access

from ..conftest import query_count
from ..factories import CaseFactory, YoungPersonFactory
from .conftest import evidence

pytestmark = pytest.mark.django_db

PINNED = {"place": 11, "place_as_partner": 9, "peer_group": 11, "person_contexts": 12, "person_network": 14,
          "group_network": 11, "places": 6, "to_review": 6}


class Network:
    """Jayden at the centre of a growing web of peers, all in one group that gathers at the park."""

    def __init__(self, alice, pete, agencies, person, group, park):
        self.alice, self.pete, self.person, self.group, self.park = alice, pete, person, group, park
        self.peers = [person]
        access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW)
        access.share(actor=alice, obj=group, agency=agencies["police"], level=access.VIEW)
        case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW)
        services.place_link_add(actor=alice, place=park, peer_group=group, nature=PlaceLinkNature.GATHERING,
                                **evidence())

    def grow_to(self, n):
        while len(self.peers) < n:
            i = len(self.peers)
            peer = YoungPersonFactory(actor=self.alice, last_name=f"Peer{i}")
            if i % 3 == 0:
                CaseFactory(actor=self.alice, young_person=peer, lead_practitioner=self.alice)
            # A chain and a star: some peers are two steps from Jayden.
            hub = self.person if i % 2 else self.peers[i - 1]
            services.association_add(actor=self.alice, person=hub, other=peer, nature=AssociationNature.ASSOCIATE,
                                     **evidence())
            services.membership_add(actor=self.alice, peer_group=self.group, young_person=peer,
                                    role=MembershipRole.PERIPHERAL, **evidence())
            services.place_link_add(actor=self.alice, place=self.park, young_person=peer,
                                    nature=PlaceLinkNature.FREQUENTS, **evidence())
            self.peers.append(peer)

    def pages(self):
        person, group, park = self.person.pk, self.group.pk, self.park.pk
        return {
            "place": (self.alice, reverse("place", args=[park])),
            "place_as_partner": (self.pete, reverse("place", args=[park])),
            "peer_group": (self.alice, reverse("peer-group", args=[group])),
            "person_contexts": (self.alice, reverse("person-contexts", args=[person])),
            "person_network": (self.alice, reverse("person-network", args=[person])),
            "group_network": (self.alice, reverse("group-network", args=[group])),
            "places": (self.alice, reverse("places")),
            "to_review": (self.alice, reverse("to-review")),
        }



def test_context_query_counts_do_not_grow_with_the_network(client, alice, pete, agencies, person, group, park):
    network = Network(alice, pete, agencies, person, group, park)
    network.grow_to(5)
    small = {name: query_count(client, *page) for name, page in network.pages().items()}
    network.grow_to(200)
    large = {name: query_count(client, *page) for name, page in network.pages().items()}
    assert small == large
    assert large == PINNED
