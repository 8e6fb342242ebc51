"""In a real browser: a social worker shares a case with the police, and the police are told.

Alice (social worker) shares Jayden's case with the police from the case page. Pete (police) signs in: the header's
count (loaded after the page by htmx) says one unread, his dashboard lists the case under "New for your agency", his
notifications list marks it unread, and opening it lands him on the case, after which it is no longer new. axe-core
checks the dashboard, the list and the email preference page.
"""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from .test_pickers import fill_basis

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def police(pete):
    """Pete (police), able to sign in."""
    pete.set_password(PASSWORD)
    pete.save(update_fields=["password"])
    return pete


def test_a_case_shared_with_the_police_reaches_them(visit, alice, police, case):
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    visit.goto(f"/cases/{case.pk}/")
    sharing = page.locator("#sharing")
    visit.pick(sharing, "Agency", "Police", "Northfield Police")
    fill_basis(sharing)
    sharing.get_by_role("button", name="Share").click()
    page.wait_for_load_state()
    visit.settle()
    expect(page.locator("#sharing")).to_contain_text("Northfield Police: can view")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    visit.sign_in("pete", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    header = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(header).to_have_accessible_name("Notifications 1 unread")
    new = page.locator("section[aria-labelledby='dashboard-new-for-agency']")
    expect(new).to_contain_text(case.reference)
    expect(page.get_by_role("heading", name="Your agency's actions")).to_be_visible()
    expect(page.get_by_role("heading", name="Meetings your agency is invited to")).to_be_visible()
    visit.screenshot("police-dashboard")
    visit.assert_accessible("police dashboard")

    header.click()
    page.wait_for_load_state()
    visit.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("main")).to_contain_text("Unread")
    visit.screenshot("notifications")
    visit.assert_accessible("notifications list")

    page.get_by_role("button", name=re.compile(case.reference)).click()
    page.wait_for_load_state()
    visit.settle()
    expect(page).to_have_url(visit.url(f"/cases/{case.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.get_by_role("region", name="Young person")).to_contain_text("Jayden")
    expect(page.get_by_role("link", name=re.compile(r"^Notifications"))).to_have_accessible_name(
        re.compile(r"^Notifications\W+none unread$"))

    visit.goto("/")
    expect(page.locator("section[aria-labelledby='dashboard-new-for-agency']")).not_to_contain_text(case.reference)

    visit.goto("/notifications/")
    page.get_by_role("link", name="Choose how often we email you").click()
    page.wait_for_load_state()
    visit.settle()
    page.get_by_label("In one email a day").check()
    visit.assert_accessible("email preference")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Your email preference has been saved.")
    visit.assert_no_problems()
