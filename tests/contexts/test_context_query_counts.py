"""Context pages make the same number of queries for a small network as for one with 200 people."""

import pytest
from django.urls import reverse

from contexts import services
from contexts.models import AssociationNature, MembershipRole, PlaceLinkNature
from safeguarding import access
from tests.conftest import LAWFUL

from ..conftest import assert_queries
from ..factories import CaseFactory, YoungPersonFactory
from .conftest import evidence

pytestmark = pytest.mark.django_db

# What each page reads, one line a query, whatever the size of the network.
PINNED = {
    "place": [
        "session",
        "user and agency",
        "the place through the access door, with the reader's levels, agency and lead",
        "audit row (view)",
        "links to the place the reader can see, with young person, group and source",
        "count of current links to it the reader cannot see",
        "chronology entries tagged at the place that the reader can see (latest 50)",
        "role permissions",
        "why each current share was lawful (disclosures, with their agreement and who shared)",
        "agencies it is shared with (grants other than the owner's)",
        "agreements in force the owning agency is party to (the share form's choices)",
        "its guardians the reader can see (none here, so no training prefetch)",
        "documents attached to the place the reader can see, with uploader and agency",
    ],
    "place_as_partner": [
        "session",
        "user and agency",
        "the place through the access door, with the reader's levels, agency and lead",
        "audit row (view)",
        "links to the place the reader can see, with young person, group and source",
        "count of current links to it the reader cannot see",
        "chronology entries tagged at the place that the reader can see (latest 50)",
        "role permissions",
        "its guardians the reader can see (none here, so no training prefetch)",
        "documents attached to the place the reader can see, with uploader and agency",
    ],
    "peer_group": [
        "session",
        "user and agency",
        "the group through the access door, with the reader's levels, agency and lead",
        "audit row (view)",
        "its memberships the reader can see, with young person and source",
        "count of current memberships the reader cannot see",
        "its place links the reader can see, with place and source",
        "count of current place links the reader cannot see",
        "role permissions",
        "why each current share was lawful (disclosures, with their agreement and who shared)",
        "agencies it is shared with (grants other than the owner's)",
        "documents attached to the group the reader can see, with uploader and agency",
        "agreements in force the owning agency is party to (the share form's choices)",
    ],
    "person_contexts": [
        "session",
        "user and agency",
        "the young person through the access door, with owning agency",
        "their trusted adults (prefetch; this page does not show them)",
        "their memberships the reader can see, with group and source",
        "count of current memberships the reader cannot see",
        "their place links the reader can see, with place and source",
        "count of current place links the reader cannot see",
        "their associations the reader can see, with both people and source",
        "count of current associations the reader cannot see",
        "role permissions",
    ],
    "person_network": [
        "session",
        "user and agency",
        "the young person through the access door, with owning agency",
        "their trusted adults (prefetch; this page does not show them)",
        "ids of all current associations touching them (step 1, for the hidden count)",
        "those associations the reader can see (step 1)",
        "ids of all current associations touching the people reached (step 2)",
        "those associations the reader can see (step 2)",
        "their current memberships the reader can see, with group and source",
        "count of current memberships the reader cannot see",
        "the people reached",
        "risk levels of their open cases the reader can see",
        "audit row (view of the network)",
        "role permissions",
    ],
    "group_network": [
        "session",
        "user and agency",
        "the group through the access door, with the reader's levels, agency and lead",
        "its current memberships the reader can see, with young person and source",
        "count of current memberships the reader cannot see",
        "current associations between the members that the reader can see",
        "its current place links the reader can see, with place and source",
        "count of current place links the reader cannot see",
        "risk levels of the members' open cases the reader can see",
        "audit row (view of the network)",
        "role permissions",
    ],
    "places": [
        "session",
        "user and agency",
        "wards of the places the reader can see (the ward filter's choices)",
        "count of places the reader can see (capped at 10,001)",
        "role permissions",
        "a page of those places, with agency and lead",
    ],
    "peer_groups": [
        "session",
        "user and agency",
        "count of peer groups the reader can see (capped at 10,001)",
        "role permissions",
        "a page of those groups, with agency and lead",
    ],
    "to_review": [
        "session",
        "user and agency",
        "current memberships past review that the reader's agency can act on (up to 10,000)",
        "current associations past review that the reader's agency can act on (up to 10,000)",
        "current place links past review that the reader's agency can act on (up to 10,000)",
        "role permissions",
    ],
}


class Network:
    """Jayden at the centre of a growing web of peers, all in one group that gathers at the park."""

    def __init__(self, alice, pete, agencies, person, group, park):
        self.alice, self.pete, self.person, self.group, self.park = alice, pete, person, group, park
        self.peers = [person]
        access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
        access.share(actor=alice, obj=group, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
        case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
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
            "peer_groups": (self.alice, reverse("peer-groups")),
            "to_review": (self.alice, reverse("to-review")),
        }



def test_context_query_counts_do_not_grow_with_the_network(client, alice, pete, agencies, person, group, park):
    network = Network(alice, pete, agencies, person, group, park)
    for size in (5, 200):
        network.grow_to(size)
        for name, (user, url) in network.pages().items():
            assert_queries(client, user, url, PINNED[name])
