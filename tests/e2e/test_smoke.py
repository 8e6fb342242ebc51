"""Smoke tests in a real browser: a social worker's day, accessibility of the main pages, and an outsider.

Screenshots and axe reports go to test-artifacts/e2e/.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..conftest import PASSWORD
from .conftest import BLOCKING_IMPACTS

pytestmark = pytest.mark.e2e

# "Jayden Okafor", misspelt twice as someone might hear it on the phone; trigram word similarity 0.5.
MISSPELT = "Jaden Okafur"
NOTE = "Seen at the bus station with two older young people; said he was 'just chilling'."
HOSTILE = "<script>window.__xss = 1</script> Told staff <b>not</b> to call his mum."


def _add_entry(visit, kind: str, at: str, text: str):
    """Fill in and send the chronology form on the case page; return the POST response."""
    page = visit.page
    chronology = page.locator("#chronology")
    chronology.get_by_text("Add an entry").click()
    form = chronology.locator("form[method=post]")
    form.get_by_label("Type of entry").select_option(label=kind)
    yesterday = timezone.localdate() - timedelta(days=1)  # entries cannot be in the future
    form.get_by_label("Day").fill(str(yesterday.day))
    form.get_by_label("Month").fill(str(yesterday.month))
    form.get_by_label("Year").fill(str(yesterday.year))
    form.get_by_label("Time (24-hour clock, optional)").fill(at)
    form.get_by_label("What happened").fill(text)
    def is_entry_post(response):
        return response.url.endswith("/chronology/") and response.request.method == "POST"

    with page.expect_response(is_entry_post) as sent:
        form.get_by_role("button", name="Add entry").click()
    expect(chronology.get_by_text("Entry added to the chronology.")).to_be_visible()
    return sent.value


def _journey(visit, case, check):
    """Sign in as alice and go from the dashboard to the case, adding two chronology entries on the way.

    ``check(label)`` runs on each page once it has loaded.
    """
    page = visit.page
    visit.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    visit.assert_assets_loaded()
    check("sign-in")

    visit.sign_in("alice", PASSWORD)
    expect(page).to_have_url(visit.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_text("Signed in as")).to_contain_text("Alice Test")
    # Production settings: the session cookie is Secure, and Chromium keeps it on http://localhost.
    session = {c["name"]: c for c in page.context.cookies()}["sessionid"]
    assert session["secure"] and session["httpOnly"], session
    check("dashboard")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Young people").click()
    page.get_by_label("Name or alias").fill(MISSPELT)
    page.get_by_role("button", name="Search").click()
    results = page.locator("table.govuk-table")
    expect(page.locator(".app-list-total")).to_have_text("Showing 1–1 of 1 young person")
    check("search-results")

    results.get_by_role("link", name="Jayden Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jayden Okafor")
    check("young-person")

    page.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(visit.url(f"/cases/{case.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.get_by_role("region", name="Young person")).to_contain_text("Jayden Okafor")
    visit.assert_assets_loaded()

    # Marks this document: a full page load would lose it, an htmx swap keeps it.
    page.evaluate("window.__marker = 1")
    sent = _add_entry(visit, "Contact with the young person", "09:15", NOTE)
    assert sent.request.headers.get("hx-request") == "true", "the entry was not sent by htmx"
    sent = _add_entry(visit, "Case note", "16:30", HOSTILE)  # the swapped-in form must work too
    assert sent.request.headers.get("hx-request") == "true"
    check("case-with-entries")
    return sent


def test_social_worker_journey(visit, case):
    page = visit.page
    _journey(visit, case, visit.screenshot)

    assert page.evaluate("window.__marker") == 1, "the page reloaded: the entry was not added by htmx"
    expect(page).to_have_url(visit.url(f"/cases/{case.pk}/"))
    entries = page.locator("#chronology .moj-timeline__item")
    expect(entries).to_have_count(2)
    # Newest first: the 16:30 note above the 09:15 contact.
    expect(entries.nth(0).locator(".app-chronology__text")).to_have_text(HOSTILE)
    expect(entries.nth(1).locator(".app-chronology__text")).to_have_text(NOTE)
    expect(entries.nth(1)).to_contain_text("Contact with the young person")
    expect(entries.nth(0)).to_contain_text("Recorded by Alice Test, Northfield Council")

    # The markup typed in is shown as text, never run or rendered.
    assert page.evaluate("window.__xss") is None
    assert entries.nth(0).locator("script, b").count() == 0
    assert "&lt;script&gt;" in entries.nth(0).locator(".app-chronology__text").inner_html()

    # A full reload shows the same entries: they were saved, not just drawn.
    page.reload()
    expect(page.locator("#chronology .moj-timeline__item")).to_have_count(2)
    visit.assert_no_problems()


def test_main_pages_have_no_serious_accessibility_violations(visit, case):
    found = {}

    def check(label):
        visit.screenshot(label)
        found[label] = visit.axe(label)

    _journey(visit, case, check)
    blocking = {label: [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
                for label, violations in found.items()}
    blocking = {label: violations for label, violations in blocking.items() if violations}
    assert not blocking, "axe found serious or critical violations:\n" + "\n".join(
        f"{label}:\n{visit.describe(violations)}" for label, violations in blocking.items()
    )


@pytest.fixture
def outsider(oscar):
    """Oscar (housing, nothing shared with him), able to sign in."""
    oscar.set_password(PASSWORD)
    oscar.save(update_fields=["password"])
    return oscar


def test_outsider_sees_nothing(visit, case, outsider):
    page = visit.page
    visit.sign_in("oscar", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_text("Signed in as")).to_contain_text("Northfield Homes")
    visit.screenshot("dashboard")

    for path in (f"/cases/{case.pk}/", f"/young-people/{case.young_person_id}/"):
        response = visit.goto(path)
        assert response.status == 404, f"{path} answered {response.status} to an outsider"
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text("Okafor")
        expect(page.locator("main")).not_to_contain_text(case.reference)
        visit.screenshot(re.sub(r"/\d+/$", "", path))

    visit.goto("/young-people/")
    page.get_by_label("Name or alias").fill("Jayden Okafor")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".app-list-total")).to_have_text("No young people")
    expect(page.get_by_text("No young people you can see match.")).to_be_visible()
    # The results say nothing of the record (the words searched for are shown only as the search's own filter).
    expect(page.locator(".moj-filter-layout__content")).not_to_contain_text("Okafor", ignore_case=True)
    visit.screenshot("search")
    visit.assert_no_problems()
