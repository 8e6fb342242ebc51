"""In a real browser: a place, its peer group's network picture, and following a node to a young person."""

import pytest
from playwright.sync_api import expect

from contexts import services
from contexts.models import AssociationNature, MembershipRole, PlaceLinkNature

from ..conftest import PASSWORD
from ..contexts.conftest import evidence, friend, group, park  # noqa: F401 - fixtures used by name
from .conftest import BLOCKING_IMPACTS

pytestmark = pytest.mark.e2e


@pytest.fixture
def linked(alice, person, friend, group, park):  # noqa: F811
    services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                            **evidence())
    services.membership_add(actor=alice, peer_group=group, young_person=friend, role=MembershipRole.PERIPHERAL,
                            **evidence())
    services.association_add(actor=alice, person=person, other=friend, nature=AssociationNature.FRIEND,
                             **evidence(reliability="suspected"))
    services.place_link_add(actor=alice, place=park, peer_group=group, nature=PlaceLinkNature.GATHERING,
                            **evidence())
    return group


def test_place_network_and_following_a_node(visit, linked, park, person):  # noqa: F811
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    violations = {}

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Places").click()
    page.get_by_role("link", name="Eastgate Park").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eastgate Park")
    expect(page.locator("#links + ul")).to_contain_text("Group seen at Eastgate Park")
    visit.screenshot("place")
    violations["place"] = visit.axe("place")

    page.locator("#links + ul").get_by_role("link", name="Group seen at Eastgate Park").click()
    page.get_by_role("link", name="Network picture").click()
    svg = page.locator(".app-network-picture svg")
    expect(svg).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Jayden Okafor")
    visit.screenshot("network")
    violations["network"] = visit.axe("network")

    svg.locator(f'a[href="/young-people/{person.pk}/"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jayden Okafor")
    expect(page.locator("#contexts")).to_contain_text("Group seen at Eastgate Park")  # loaded by htmx
    visit.screenshot("young-person-contexts")
    violations["young-person"] = visit.axe("young-person")

    blocking = {label: [v for v in found if v["impact"] in BLOCKING_IMPACTS] for label, found in violations.items()}
    blocking = {label: found for label, found in blocking.items() if found}
    assert not blocking, "\n".join(f"{label}:\n{visit.describe(found)}" for label, found in blocking.items())
    visit.assert_no_problems()


def test_the_map_works_without_a_tile_server(visit, park):  # noqa: F811
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    visit.goto("/places/map/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Map of places")
    expect(page.locator("#places-map")).to_have_attribute("data-markers", "1")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    visit.screenshot("map")
    blocking = [v for v in visit.axe("map") if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, visit.describe(blocking)
    visit.assert_no_problems()
