"""Readable pictures (issue 19): the network picture's filters, at 70+ links, and the places map's data.

The filter only narrows what the access door lets through; an outsider agency never gets a node for a record not
shared with it; queries stay the same at 5 and at 70 links; the map centres on a place and carries its incidents.
"""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from cases.models import EntryKind
from cases.services import chronology_add
from contexts import selectors, services
from contexts.models import AssociationNature, MembershipRole, PeerGroup, Place, PlaceKind, Purpose, Reliability
from safeguarding import access

from ..conftest import LAWFUL, assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory
from .conftest import evidence

pytestmark = pytest.mark.django_db

RELIABILITIES = [Reliability.CONFIRMED, Reliability.REPORTED, Reliability.SUSPECTED]


def build_web(alice, person, size=26):
    """``person`` at the middle of ``size - 1`` peers in two peer groups: a membership each, a link from ``person``
    to each peer and a chain between the peers: 3 * size - 3 links (75 at 26). Deterministic (Faker en_GB, seeded)."""
    fake = Faker("en_GB")
    fake.seed_instance(19)
    groups = [services.context_create(actor=alice, model=PeerGroup, name=name)
              for name in ("Group seen at Eastgate Park", "Marsh Lane Youth Club regulars")]
    peers = [person] + [YoungPersonFactory(actor=alice, first_name=fake.first_name(), last_name=fake.last_name())
                        for _ in range(size - 1)]
    for i, peer in enumerate(peers):
        services.membership_add(actor=alice, peer_group=groups[i % 2], young_person=peer, role=MembershipRole.CORE,
                                **evidence(reliability=RELIABILITIES[i % 3]))
    for i, peer in enumerate(peers[1:], start=1):
        services.association_add(actor=alice, person=person, other=peer, nature=AssociationNature.FRIEND,
                                 purpose=Purpose.INTELLIGENCE if i % 4 == 0 else Purpose.WELFARE,
                                 **evidence(reliability=RELIABILITIES[i % 3]))
        if i + 1 < size:
            services.association_add(actor=alice, person=peer, other=peers[i + 1], nature=AssociationNature.ASSOCIATE,
                                     **evidence(reliability=RELIABILITIES[(i + 1) % 3]))
    return groups, peers


@pytest.fixture
def web(alice, person):
    return build_web(alice, person)


def node_keys(page: str) -> set[str]:
    return set(re.findall(r'class="node" data-key="([^"]+)"', page))


def test_seventy_five_links_are_drawn_every_node_once_and_listed(client, alice, person, web):
    groups, peers = web
    client_for(client, alice)
    page = client.get(reverse("person-network", args=[person.pk])).content.decode()
    assert node_keys(page) == {f"yp:{p.pk}" for p in peers} | {f"group:{g.pk}" for g in groups}
    assert "The same links as a table (75)" in page
    assert re.search(r'<svg [^>]*width="\d+" height="\d+" viewBox', page)  # at its own size on the page


def test_the_filters_narrow_the_picture_and_the_table(client, alice, person, web):
    groups, peers = web
    client_for(client, alice)
    url = reverse("person-network", args=[person.pk])
    confirmed = client.get(url, {"reliability": "confirmed"}).content.decode()
    assert "The same links as a table (25)" in confirmed and "Reported" not in confirmed.split("<table")[1]
    intelligence = client.get(url, {"purpose": "intelligence"}).content.decode()
    assert "The same links as a table (6)" in intelligence
    one_step = client.get(url, {"steps": "1"}).content.decode()
    assert node_keys(one_step) == {f"yp:{p.pk}" for p in peers} | {f"group:{g.pk}" for g in groups}
    assert "The same links as a table (51)" in one_step  # the chain between peers is a second step
    recent = client.get(url, {"months": "3"}).content.decode()
    assert "The same links as a table (75)" in recent
    nothing = client.get(url, {"reliability": "confirmed", "purpose": "intelligence", "steps": "1"}).content.decode()
    assert "The same links as a table (2)" in nothing


def test_recency_leaves_out_links_neither_recorded_nor_reviewed_lately(alice, person, web):
    from contexts.models import Association

    old = timezone.localdate() - timedelta(days=400)
    Association.objects.filter(person=person).update(last_reviewed_on=old, recorded_at=timezone.now() - timedelta(
        days=400))
    recent = selectors.LinkFilter(months=6)
    _, edges, _ = selectors.network_around_person(alice, person, only=recent)
    assert edges and not any(e.nature == "Friend" for e in edges)


def test_nonsense_filters_are_ignored_never_a_500(client, alice, person, web):
    client_for(client, alice)
    url = reverse("person-network", args=[person.pk])
    for query in ({"steps": "99"}, {"reliability": "certain"}, {"months": "-1"}, {"steps": "<script>"},
                  {"purpose": ["welfare", "x" * 500]}):
        response = client.get(url, query)
        assert response.status_code == 200 and "The same links as a table (75)" in response.content.decode()


def test_the_group_picture_filters_too(client, alice, person, web):
    groups, _ = web
    client_for(client, alice)
    url = reverse("group-network", args=[groups[0].pk])
    everything = client.get(url).content.decode()
    suspected = client.get(url, {"reliability": "suspected"}).content.decode()
    assert len(node_keys(suspected)) < len(node_keys(everything))
    assert "How far out" not in everything  # steps are a young person's picture's


def test_an_outsider_sees_no_node_for_a_record_not_shared_and_the_filter_cannot_widen(
        client, alice, pete, agencies, person, web):
    groups, peers = web
    case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    shared = peers[1]
    access.share(actor=alice, obj=CaseFactory(actor=alice, young_person=shared, lead_practitioner=alice),
                 agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    url = reverse("person-network", args=[person.pk])
    allowed = {f"yp:{person.pk}", f"yp:{shared.pk}"}
    for query in ({}, {"all": "1"}, {"steps": "3"}, {"reliability": ["confirmed", "reported", "suspected"]},
                  {"purpose": ["welfare", "intelligence"]}, {"months": "12", "steps": "3", "all": "1"}):
        page = client.get(url, query).content.decode()
        assert node_keys(page) <= allowed, query
        assert peers[5].full_name not in page and groups[0].name not in page
    assert client.get(reverse("person-network", args=[peers[5].pk])).status_code == 404


def test_the_table_comes_after_the_picture_in_the_page_and_before_it_on_a_phone(client, alice, person, web):
    client_for(client, alice)
    page = client.get(reverse("person-network", args=[person.pk])).content.decode()
    assert page.index("app-network-layout__picture") < page.index("app-network-layout__table")
    assert 'href="#network-links"' in page  # a way past the picture's many links to the table


def test_network_queries_are_the_same_at_5_and_70_links(client, alice, person):
    from .test_context_query_counts import PINNED

    url = reverse("person-network", args=[person.pk])
    filtered = url + "?reliability=confirmed&reliability=reported&purpose=welfare&months=6&steps=2"
    _, peers = build_web(alice, person, size=3)  # 6 links
    assert_queries(client, alice, url, PINNED["person_network"])
    assert_queries(client, alice, filtered, PINNED["person_network"])
    build_web_more(alice, person)
    assert_queries(client, alice, url, PINNED["person_network"])
    assert_queries(client, alice, filtered, PINNED["person_network"])
    second = YoungPersonFactory(actor=alice)  # two steps out, and someone three steps out
    third = YoungPersonFactory(actor=alice)
    services.association_add(actor=alice, person=peers[2], other=second, nature=AssociationNature.FRIEND,
                             **evidence())
    services.association_add(actor=alice, person=second, other=third, nature=AssociationNature.FRIEND, **evidence())
    assert_queries(client, alice, url, PINNED["person_network"])
    three = url + "?steps=3"  # one step further: its two queries more
    assert_queries(client, alice, three, PINNED["person_network"][:8] + [
        "ids of all current associations touching the people reached (step 3)",
        "those associations the reader can see (step 3)"] + PINNED["person_network"][8:])


def build_web_more(alice, person):
    """Enough more peers for the picture round ``person`` to pass 70 links."""
    fake = Faker("en_GB")
    fake.seed_instance(7)
    for _ in range(36):
        peer = YoungPersonFactory(actor=alice, first_name=fake.first_name(), last_name=fake.last_name())
        services.association_add(actor=alice, person=person, other=peer, nature=AssociationNature.FRIEND,
                                 **evidence())
        services.association_add(actor=alice, person=peer, other=person, nature=AssociationNature.ASSOCIATE,
                                 **evidence())
    assert len(selectors.network_around_person(alice, person)[1]) >= 70


# --- The places map ----------------------------------------------------------------------------------------------

@pytest.fixture
def places(alice, park):
    yard = services.context_create(actor=alice, model=Place, name="Tower Court yard", kind=PlaceKind.HOUSING,
                                   ward="Marsh", latitude=52.47, longitude=-1.88, status="open")
    online = services.context_create(actor=alice, model=Place, name="NF Eastside chat", kind=PlaceKind.ONLINE)
    return park, yard, online


def map_data(page: str, name: str):
    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)[1])


def test_the_map_carries_status_kind_and_ward_for_each_marker(client, alice, places):
    park, yard, _ = places
    client_for(client, alice)
    page = client.get(reverse("places-map")).content.decode()
    markers = {m["name"]: m for m in map_data(page, "map-markers")}
    assert set(markers) == {"Eastgate Park", "Tower Court yard"}  # an online place has no position
    assert markers["Tower Court yard"] | {"id": 0, "url": ""} == {
        "id": 0, "name": "Tower Court yard", "kind": "housing", "kind_label": "Housing or hostel", "mark": "H",
        "status": "open", "status_label": "Open", "ward": "Marsh", "lat": 52.47, "lng": -1.88, "url": ""}
    assert map_data(page, "map-settings")["focus"] is None
    assert "Key" in page and "Monitoring" in page and "Park or open space" in page
    assert "<script>" not in page.replace('<script src=', "")  # no inline script: data as JSON only


def test_view_on_map_from_a_place_centres_the_map_on_it(client, alice, places):
    park, _, online = places
    client_for(client, alice)
    place_page = client.get(reverse("place", args=[park.pk])).content.decode()
    assert f'href="/places/map/?place={park.pk}"' in place_page
    page = client.get(reverse("places-map"), {"place": park.pk}).content.decode()
    assert map_data(page, "map-settings")["focus"] == park.pk and "Back to Eastgate Park" in page
    unplaced = client.get(reverse("places-map"), {"place": online.pk}).content.decode()
    assert map_data(unplaced, "map-settings")["focus"] is None and "has no recorded position" in unplaced
    assert client.get(reverse("places-map"), {"place": "x"}).status_code == 200


def test_the_map_focus_goes_through_the_door(client, alice, sam, places):
    park, _, _ = places
    client_for(client, sam)
    assert client.get(reverse("places-map"), {"place": park.pk}).status_code == 404
    page = client.get(reverse("places-map")).content.decode()
    assert map_data(page, "map-markers") == [] and map_data(page, "map-incidents") == []


def test_incidents_at_places_show_by_date_range_and_only_to_who_may_see_them(client, alice, pete, person, places):
    park, yard, _ = places
    case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
    now = timezone.now()
    recent = chronology_add(actor=alice, case=case, kind=EntryKind.INCIDENT, occurred_at=now - timedelta(days=3),
                            text="Approached by two adults offering money")
    old = chronology_add(actor=alice, case=case, kind=EntryKind.INCIDENT, occurred_at=now - timedelta(days=500),
                         text="Seen with older males")
    services.place_tag(actor=alice, entry=recent, place=park)
    services.place_tag(actor=alice, entry=old, place=yard)
    client_for(client, alice)
    page = client.get(reverse("places-map")).content.decode()
    incidents = map_data(page, "map-incidents")
    assert [(i["place"], len(i["entries"])) for i in incidents] == [("Eastgate Park", 1)]  # the last 12 months
    assert incidents[0]["entries"][0]["kind"] == "Incident" and "offering money" not in page  # what and when, not who
    then = (now - timedelta(days=600)).date()
    wide = client.get(reverse("places-map"), {"incidents_from_0": then.day, "incidents_from_1": then.month,
                                              "incidents_from_2": then.year}).content.decode()
    assert {i["place"] for i in map_data(wide, "map-incidents")} == {"Eastgate Park", "Tower Court yard"}
    backwards = client.get(reverse("places-map"), {"incidents_from_0": 1, "incidents_from_1": 1,
                                                   "incidents_from_2": 2030, "incidents_to_0": 1,
                                                   "incidents_to_1": 1, "incidents_to_2": 2020})
    assert backwards.status_code == 200 and "must be on or after" in backwards.content.decode()
    access.share(actor=alice, obj=park, agency=pete.agency, level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    assert map_data(client.get(reverse("places-map")).content.decode(), "map-incidents") == []  # not their case


MAP_QUERIES = [
    "session",
    "user and agency",
    "wards of the places the reader can see (the ward filter)",
    "places with a position the reader can see (up to 500), with agency and lead",
    "incidents tagged at places with a position in the date range that the reader can see, with entry and place",
    "role permissions",
]


def test_the_map_makes_the_same_queries_for_few_places_as_for_many(client, alice, person, places):
    assert_queries(client, alice, reverse("places-map"), MAP_QUERIES)
    case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
    for i in range(12):
        place = services.context_create(actor=alice, model=Place, name=f"Shop {i}", kind=PlaceKind.SHOP,
                                        latitude=52.48 + i / 1000, longitude=-1.89, ward="Eastgate")
        entry = chronology_add(actor=alice, case=case, kind=EntryKind.MISSING, text="Found here",
                               occurred_at=timezone.now() - timedelta(days=i + 1))
        services.place_tag(actor=alice, entry=entry, place=place)
    assert_queries(client, alice, reverse("places-map"), MAP_QUERIES)
    assert_queries(client, alice, reverse("places-map") + f"?place={places[0].pk}",
                   MAP_QUERIES[:4] + ["the focused place through the access door"] + MAP_QUERIES[4:])
