"""In a real browser: each role's dashboard (safeguarding.dashboard) fits a phone 320 px wide without scrolling
sideways, stays about two screens long at 1366 px, and has no serious or critical axe-core violations.

The world is the one the dashboard's own tests build (tests/safeguarding/test_dashboards.py): three of everything in
every section, and a case in another authority nobody here may see.
"""

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..safeguarding.test_dashboards import _world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# At most three screens of a 1366 x 768 laptop for the whole page, header and footer included (about 500 px of it). With
# three rows in every section, after GOV.UK Frontend 6's header, the pages measured 1683 (social worker), 2030 (team
# manager, eleven sections), 1380 (chair) and 1765 px (police). Past three screens it has stopped being a dashboard.
LAPTOP_SCREENS = 3 * 768


def test_every_roles_dashboard_fits_a_phone_and_three_laptop_screens(visit, alice, mandy, colin, pete, agencies,
                                                                  reference_data):
    _world(3, alice=alice, mandy=mandy, colin=colin, pete=pete, agencies=agencies)
    for person in (mandy, colin, pete):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    page = visit.page
    heights = {}
    for person in (alice, mandy, colin, pete):
        page.set_viewport_size({"width": 1366, "height": 768})
        visit.sign_in(person.username, PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
        expect(page.locator("body")).not_to_contain_text("Elsewhere")
        heights[person.username] = page.evaluate("document.documentElement.scrollHeight")
        visit.screenshot(f"{person.username}-1366")
        visit.assert_accessible(f"{person.username}'s dashboard")
        page.set_viewport_size({"width": 320, "height": 640})
        visit.settle()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 320, f"{person.username}'s dashboard scrolls sideways at 320 px ({wide} px wide)"
        visit.screenshot(f"{person.username}-320")
        visit.assert_accessible(f"{person.username}'s dashboard on a phone")
        page.set_viewport_size({"width": 1366, "height": 768})  # the header's sign-out is in its menu on a phone
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
    print("dashboard heights at 1366 px:", heights)
    assert all(height <= LAPTOP_SCREENS for height in heights.values()), heights
    visit.assert_no_problems()
