"""In a real browser: a place's safety plan given two goals at once, with MoJ add-another's "Add another goal" and
"Remove" working in the page (no round trip), and axe-core checking the form with several rows."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Goal

from ..conftest import PASSWORD
from .test_assessments import place  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

GOALS = [("Young people feel safe on the lit path", "No approaches reported for 3 months", "Police logs"),
         ("Adults look out at the shop", "The owner knows the young people by name", "Youth worker's notes")]


def test_two_goals_added_at_once_with_add_another(visit, alice, place):  # noqa: F811
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    visit.goto(reverse("safety-plan", args=["place", place.pk]))
    page.get_by_role("link", name="Add a goal").click()
    items = page.locator("#goals .moj-add-another__item")
    expect(items).to_have_count(1)
    statement, met_when, measured_by = GOALS[0]
    page.locator("#id_goals-0-statement").fill(statement)
    page.locator("#id_goals-0-met_when").fill(met_when)
    page.locator("#id_goals-0-measured_by").fill(measured_by)

    add = page.get_by_role("button", name="Add another goal")
    add.click()
    expect(items).to_have_count(2)
    # The component copies the first row, renamed and empty, titles the rows and moves focus to the new one.
    expect(page.locator("#id_goals-1-statement")).to_have_value("")
    expect(items.nth(1).locator("legend")).to_contain_text("Goal 2 of 2")
    expect(page.locator("#goals .moj-add-another__item:nth-child(2) fieldset")).to_be_focused()
    for field, text in zip(("statement", "met_when", "measured_by"), GOALS[1], strict=True):
        page.locator(f"#id_goals-1-{field}").fill(text)
    # All that names a row is the copy's own (static/src/add-another.js): its hints and character counts, no id twice,
    # and the count under the second goal counts the second goal.
    assert page.evaluate("""() => { const ids = [...document.querySelectorAll('#goals [id]')].map((e) => e.id);
                                    return ids.filter((id, i) => ids.indexOf(id) !== i); }""") == []
    expect(page.locator("#id_goals-1-statement")).to_have_attribute("aria-describedby", "id_goals-1-statement_hint "
                                                                    "id_goals-1-statement-info")
    remaining = 2000 - len(GOALS[1][0])
    expect(items.nth(1).locator(".govuk-character-count__status").first).to_have_text(
        f"You have {remaining:,} characters remaining")
    expect(items.nth(1).locator(".govuk-character-count__status")).to_have_count(3)  # one a field, not copies
    # A third row, removed again: the two typed stay.
    add.click()
    expect(items).to_have_count(3)
    page.get_by_role("button", name="Remove goal 3").click()
    expect(items).to_have_count(2)
    visit.assert_accessible("two-goals")
    visit.screenshot("two-goals")

    page.locator("main form").get_by_role("button", name="Save goals").click()
    expect(page.get_by_text("2 goals added to the safety plan.")).to_be_visible()
    titles = page.locator(".govuk-summary-card__title")
    expect(titles.nth(0)).to_contain_text(GOALS[0][0])
    expect(titles.nth(1)).to_contain_text(GOALS[1][0])
    assert [(g.statement, g.met_when, g.measured_by) for g in Goal.objects.all()] == GOALS
    visit.assert_no_problems()
