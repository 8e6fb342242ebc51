"""In a real browser: a lead practitioner plans a 17-year-old's move to adult services, from the case page through
opening the plan, agreeing it and recording the handover, with axe on every page on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import transitions
from safeguarding import services as kernel_services
from safeguarding.models import AgencyKind

from ..conftest import PASSWORD, SYSTEM
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.e2e


def _date(page, legend: str, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def test_a_transition_plan_is_opened_agreed_and_handed_over(visit, alice):
    alice.set_password(PASSWORD)
    alice.save(update_fields=["password"])
    kernel_services.agency_create(actor=SYSTEM, name="Northfield Adult Social Care",
                                  kind=AgencyKind.ADULT_SOCIAL_CARE)
    young = YoungPersonFactory(actor=alice, first_name="Keira", last_name="Maddox",
                               date_of_birth=transitions.years_before(timezone.localdate(), 17) - timedelta(days=40))
    case = CaseFactory(actor=alice, young_person=young, lead_practitioner=alice)
    page = visit.page

    visit.sign_in("alice", PASSWORD)
    visit.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Transition plan for Keira Maddox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transition plan")
    visit.assert_accessible("transition-none")
    page.get_by_role("link", name="Open a transition plan").click()

    page.get_by_role("button", name="Open plan").click()  # nothing filled in: the errors say what is missing
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    visit.assert_accessible("transition-open-errors")
    page.get_by_label("Adult services agency").select_option(label="Northfield Adult Social Care")
    page.get_by_label("Named worker in adult services").fill("Tom Ellery")
    page.get_by_label("How to contact them").fill("07700 900123")
    page.get_by_label("What continues after 18").fill("Her youth worker stays until she is 21.")
    today = timezone.localdate()
    _date(page, "Planned handover date", today + timedelta(days=90))
    _date(page, "Handover meeting date (optional)", today + timedelta(days=60))
    visit.assert_accessible("transition-open")
    page.get_by_role("button", name="Open plan").click()
    expect(page.locator("body")).to_contain_text("Transition plan opened.")
    expect(page.locator("main")).to_contain_text("Planning")
    visit.assert_accessible("transition-planning")

    page.get_by_role("link", name="Change plan").click()
    page.get_by_label("Yes, with the young person and adult services").check()
    visit.assert_accessible("transition-change")
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator("main")).to_contain_text("Agreed")

    page.get_by_role("link", name="Record handover").click()
    page.get_by_label("Support has been handed over to adult services").check()
    visit.assert_accessible("transition-handover")
    page.get_by_role("button", name="Record handover").click()
    expect(page.locator("body")).to_contain_text("Handover to Northfield Adult Social Care recorded.")
    expect(page.locator("main")).to_contain_text("Handed over")
    expect(page.locator("main")).to_contain_text("Tom Ellery")
    visit.screenshot("handed-over")

    visit.goto("/transitions/?status=handed_over")
    expect(page.get_by_role("table")).to_contain_text("Keira Maddox")
    visit.assert_accessible("transitions-board")
    visit.assert_no_problems()
