"""In a real browser: choosing an agency to share a case with, once without JavaScript (search, then choose from the
radio buttons) and once with the type-ahead (alphagov's accessible-autocomplete), each page checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from safeguarding import access

from ..conftest import PASSWORD
from .conftest import BLOCKING_IMPACTS, TIMEOUT_MS, Visit

pytestmark = pytest.mark.e2e

SCRIPTS = re.compile(r"<script\b.*?</script>", re.S)


def fill_basis(form, reason_label: str | None = "Why is it necessary to share?", told: bool = True):
    """The lawful basis every share records (safeguarding.lawful); ``reason_label`` None and ``told`` False for a form
    that asks them in its own words (a referral)."""
    form.get_by_role("group", name="Lawful basis for sharing").get_by_label(
        "Public task: a statutory duty (UK GDPR Article 6(1)(e))").check()
    form.get_by_label("Safeguarding of children and individuals at risk").check()
    if reason_label:
        form.get_by_label(reason_label).fill("The police work with him")
    if told:
        form.get_by_label("Yes, they were told").check()


def _blocking(violations):
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def test_choosing_without_javascript(browser, live_server, visit, case, agencies):
    base_url = live_server.url.replace("://127.0.0.1:", "://localhost:")
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                  java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(base_url + "/sign-in/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(base_url + f"/cases/{case.pk}/")
        sharing = page.locator("#sharing")
        sharing.get_by_label("Agency").fill("police")
        sharing.get_by_label("Can view and contribute").check()
        sharing.get_by_role("button", name="Search for an agency").click()
        # The same page again: nothing shared yet, the other answer kept, the matches to choose from.
        sharing = page.locator("#sharing")
        expect(sharing).to_contain_text("1 found for ‘police’: choose one")
        expect(sharing.get_by_label("Can view and contribute")).to_be_checked()
        assert access.sharing(case) == []
        html = page.content()
        sharing.get_by_label("Northfield Police").check()
        fill_basis(sharing)
        sharing.get_by_role("button", name="Share").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("shared with Northfield Police")
        assert access.sharing(case) == [(agencies["police"], access.CONTRIBUTE)]
    finally:
        context.close()
    # axe runs scripts, so the page as the browser without JavaScript had it is checked in a tab that runs them,
    # with the page's own scripts taken out (it is exactly the markup and styles a person without JavaScript got).
    address = visit.url("/picker-without-javascript/")
    visit.page.route(address, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                          body=SCRIPTS.sub("", html)))
    visit.page.goto(address)
    blocking = _blocking(visit.axe("search-step-without-javascript"))
    assert not blocking, visit.describe(blocking)


def test_choosing_with_the_type_ahead(visit: Visit, case, agencies):
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    visit.goto(f"/cases/{case.pk}/")
    sharing = page.locator("#sharing")
    expect(sharing.get_by_role("button", name="Search for an agency")).to_have_count(0)  # the type-ahead took over
    box = sharing.get_by_role("combobox", name="Agency")
    box.press_sequentially("polic", delay=50)
    option = page.get_by_role("option", name=re.compile("Northfield Police"))
    expect(option).to_be_visible()
    visit.screenshot("type-ahead")
    blocking = _blocking(visit.axe("type-ahead-open"))
    option.click()
    expect(box).to_have_value("Northfield Police")
    sharing.get_by_label("Can view", exact=True).check()
    fill_basis(sharing)
    sharing.get_by_role("button", name="Share").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("shared with Northfield Police")
    assert access.sharing(case) == [(agencies["police"], access.VIEW)]
    assert not blocking, visit.describe(blocking)
    visit.assert_no_problems()
