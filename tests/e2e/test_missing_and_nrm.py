"""In a real browser: a missing episode from the report to a return home interview offered late, and an NRM referral
to its conclusive-grounds decision, as a social worker records them on a case. axe-core checks each page on the way
(forms, a form with mistakes, the records, and the case with them on its timeline)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import MissingEpisode, NrmReferral

from ..conftest import PASSWORD
from .conftest import BLOCKING_IMPACTS

pytestmark = pytest.mark.e2e


def _date(page, prefix: str, day):
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def _moment(page, prefix: str, moment):
    local = timezone.localtime(moment)
    _date(page, f"{prefix}_on", local.date())
    page.locator(f"#id_{prefix}_time").fill(f"{local:%H:%M}")


def test_a_missing_episode_with_a_late_interview_and_an_nrm_referral_to_its_conclusive_decision(
        visit, alice, case, agencies):
    page, found = visit.page, {}

    def check(label):
        found[label] = [v for v in visit.axe(label) if v["impact"] in BLOCKING_IMPACTS]

    today, now = timezone.localdate(), timezone.now()
    missing_at = (now - timedelta(days=6)).replace(hour=21, minute=30, second=0, microsecond=0)
    found_at = missing_at + timedelta(hours=17)
    offered_at = found_at + timedelta(days=4, hours=2)  # 1 day 2 hours after the 72 hours

    visit.sign_in("alice", PASSWORD)
    visit.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Record a missing episode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a missing episode")
    _moment(page, "missing_at", missing_at)
    page.get_by_label("Reported missing by").fill("Foster carer, by phone to police")
    page.get_by_label("Police reference (optional)").fill("NF-MIS-20411")
    check("episode-form")
    page.get_by_role("button", name="Save missing episode").click()
    expect(page.locator("body")).to_contain_text("Missing episode recorded.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Still missing")
    check("episode-open")
    visit.screenshot("episode-open")

    # Found: first typed before they went missing, which is refused with the form kept; then as it was.
    page.get_by_role("link", name="Record that they were found").click()
    _moment(page, "found_at", missing_at - timedelta(hours=1))
    page.get_by_label("Where they were found (optional)").fill("Harrowgate station")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("They must be found after they were reported missing")
    check("episode-form-with-mistake")
    _moment(page, "found_at", found_at)
    # exactly "Yes": the follow-up question, revealed inside the choice, says "(if yes)"
    page.get_by_role("group", name="Did they disclose harm while missing?").get_by_label("Yes", exact=True).check()
    page.get_by_label("What harm did they disclose? (if yes)").fill("Said an older man took her phone.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("body")).to_contain_text("Missing episode updated.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("overdue")  # no interview, the 72 hours are past

    # The return home interview, offered a day late and accepted.
    page.get_by_role("link", name="Record the return home interview").click()
    expect(page.locator("main")).to_contain_text("within 72 hours of their return")
    page.get_by_label("Offered and accepted").check()
    _moment(page, "offered_at", offered_at)
    visit.pick(page.locator("main form"), "Agency offering it", "Northfield Coun", "Northfield Council")
    _date(page, "held_on", today)
    page.get_by_label("What they said, in their own words").fill("I didn't know how to get home.")
    page.get_by_label("What will happen next").fill("Safety plan reviewed with her foster carer.")
    check("interview-form")
    page.get_by_role("button", name="Save return home interview").click()
    expect(page.locator("body")).to_contain_text("Return home interview recorded.")
    late = page.locator("h1 .govuk-tag--red")
    expect(late).to_have_text("Offered 1 day 2 hours late")
    expect(page.locator("main")).to_contain_text("I didn't know how to get home.")
    check("episode-with-late-interview")
    visit.screenshot("episode-late-interview")
    episode = MissingEpisode.objects.get()
    assert episode.interview.conducted_by == agencies["la"] and episode.rhi_late_text == "1 day 2 hours"

    # An NRM referral, its reasonable-grounds decision, then its conclusive-grounds decision in a pilot area.
    visit.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Record an NRM referral").click()
    page.get_by_label("First responder organisation").select_option(label="Local authority")
    _date(page, "referred_on", today - timedelta(days=40))
    page.get_by_label("Criminal exploitation").check()
    page.get_by_role("group", name="Reasonable-grounds decision").get_by_label("Positive").check()
    _date(page, "rg_decided_on", today - timedelta(days=35))
    check("nrm-form")
    page.get_by_role("button", name="Save NRM referral").click()
    expect(page.locator("body")).to_contain_text("NRM referral recorded.")
    expect(page.locator("main")).to_contain_text("Not needed: under 18 when referred")
    page.get_by_role("link", name="Record a decision or change the referral").click()
    page.get_by_role("group", name="Conclusive-grounds decision").get_by_label("Positive").check()
    _date(page, "cg_decided_on", today - timedelta(days=2))
    page.get_by_role("group", name="Was it decided in a devolved decision-making pilot area?").get_by_label(
        "Yes").check()
    page.get_by_label("Pilot panel (if a pilot area)").fill("Northfield devolved panel")
    page.get_by_role("button", name="Save NRM referral").click()
    expect(page.locator("body")).to_contain_text("NRM referral updated.")
    decision = page.locator(".govuk-summary-list__row", has_text="Conclusive-grounds decision")
    expect(decision).to_contain_text(f"Positive, {(today - timedelta(days=2)):%-d %B %Y}")
    check("nrm-decided")
    referral = NrmReferral.objects.get()
    assert (referral.rg_decision, referral.cg_decision, referral.devolved_pilot) == ("positive", "positive", True)

    # The case: both records in their sections, and every step on the timeline.
    page.get_by_role("link", name=f"Back to case {case.reference}").click()
    timeline = page.locator("#chronology")
    for words in ("Reported missing by Foster carer", "Found or returned at", "Return home interview offered by",
                  "Referred to the National Referral Mechanism", "reasonable-grounds decision: positive",
                  "conclusive-grounds decision by the Northfield devolved panel"):
        expect(timeline).to_contain_text(words)
    expect(page.locator("#missing")).to_contain_text("Offered 1 day 2 hours late")
    expect(page.locator("#nrm")).to_contain_text("Positive")
    check("case-with-records")
    visit.screenshot("case")
    visit.assert_no_problems()
    blocking = {label: v for label, v in found.items() if v}
    assert not blocking, "\n".join(f"{label}:\n{visit.describe(v)}" for label, v in blocking.items())
