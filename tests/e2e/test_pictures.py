"""In a real browser (issue 19): a 75-link network picture legible at 1366 px and its table first at 390 px; the
places map's markers big enough to hit, popups that take and give back the focus, and "view on map" from a place."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import EntryKind
from cases.services import chronology_add
from contexts import services

from ..conftest import PASSWORD
from ..contexts.conftest import park as park  # noqa: F401 - a fixture the places fixture uses
from ..contexts.test_pictures import build_web, places  # noqa: F401 - places is a fixture used by name
from ..factories import CaseFactory

pytestmark = pytest.mark.e2e


def test_a_seventy_five_link_network_is_legible_and_its_table_comes_first_on_a_phone(visit, alice, person):
    groups, peers = build_web(alice, person)
    page = visit.page
    page.set_viewport_size({"width": 1366, "height": 900})
    visit.sign_in("alice", PASSWORD)
    visit.goto(f"/young-people/{person.pk}/network/")
    svg = page.locator(".app-network-picture svg")
    expect(svg).to_be_visible()
    expect(svg.locator("g.node")).to_have_count(len(peers) + len(groups))
    expect(page.get_by_role("table")).to_contain_text("The same links as a table (75)")
    # Drawn at its own size: 12 px labels are 12 px on the screen, none clipped by the column.
    scale = page.evaluate("""() => {
        const svg = document.querySelector('.app-network-picture svg');
        return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; }""")
    assert scale == pytest.approx(1, abs=0.01)
    label = svg.locator("g.node text:not([aria-hidden])").first.bounding_box()
    assert label["height"] >= 11
    assert page.evaluate("() => document.querySelector('.app-network-picture').scrollWidth"
                         " <= document.querySelector('.app-network-picture').clientWidth + 1")
    visit.screenshot("network-75-links")
    visit.assert_accessible("network-75-links")

    page.get_by_text("Filter the links").click()
    page.get_by_label("Confirmed").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("table")).to_contain_text("The same links as a table (25)")

    page.set_viewport_size({"width": 390, "height": 844})
    visit.goto(f"/young-people/{person.pk}/network/")
    table, picture = page.locator("#network-links").bounding_box(), svg.bounding_box()
    assert table["y"] < picture["y"], "on a phone the table comes before the picture"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    visit.screenshot("network-on-a-phone")
    visit.assert_accessible("network-on-a-phone")
    visit.assert_no_problems()


def test_the_map_markers_popups_and_incidents_work_by_keyboard(visit, alice, person, places):  # noqa: F811
    park = places[0]
    case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
    entry = chronology_add(actor=alice, case=case, kind=EntryKind.MISSING, text="Found at the park",
                           occurred_at=timezone.now() - timedelta(days=2))
    services.place_tag(actor=alice, entry=entry, place=park)
    page = visit.page
    page.set_viewport_size({"width": 1366, "height": 900})
    visit.sign_in("alice", PASSWORD)
    visit.goto("/places/map/")
    element = page.locator("#places-map")
    expect(element).to_have_attribute("data-markers", "2")
    expect(element).to_have_attribute("data-incidents", "1")
    markers = page.locator(".app-marker.leaflet-marker-icon")
    expect(markers).to_have_count(2)
    for i in range(2):
        box = markers.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, "a marker is below the 24 px target size"
    incident = page.locator(".app-incident.leaflet-marker-icon")
    assert incident.bounding_box()["width"] >= 24

    marker = page.locator(f'.app-marker[data-place="{park.pk}"]')
    expect(marker).to_have_attribute("title", "Eastgate Park: Park or open space, Noted")
    marker.focus()
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup a.govuk-link", has_text="Eastgate Park")
    expect(link).to_be_focused()
    visit.screenshot("map-popup")
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(marker).to_be_focused()

    incident.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup a", has_text="Missing episode")).to_be_focused()
    page.keyboard.press("Escape")
    expect(incident).to_be_focused()
    visit.screenshot("map")
    visit.assert_accessible("map")
    visit.assert_no_problems()


def test_view_on_map_from_a_place_centres_on_it_and_opens_its_popup(visit, alice, places):  # noqa: F811
    park = places[0]
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    visit.goto(f"/places/{park.pk}/")
    page.get_by_role("link", name="view on map").click()
    element = page.locator("#places-map")
    expect(element).to_have_attribute("data-zoom", "16")
    assert float(element.get_attribute("data-centre-lat")) == pytest.approx(float(park.latitude), abs=1e-4)
    assert float(element.get_attribute("data-centre-lng")) == pytest.approx(float(park.longitude), abs=1e-4)
    expect(page.locator(".leaflet-popup")).to_contain_text("Eastgate Park")
    expect(page.locator(".app-map-label", has_text="Eastgate Park")).to_be_visible()  # zoomed in: names shown
    visit.screenshot("map-centred-on-a-place")
    visit.assert_accessible("map-centred-on-a-place")
    visit.assert_no_problems()
