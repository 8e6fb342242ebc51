"""In a real browser: Alice tries to share a case with the police without saying why it is lawful, sees the GOV.UK
error (and the agreement between the council and the police already chosen), then shares with a basis; the sharing
panel then shows it. Each page checked with axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safeguarding import access, services
from safeguarding.models import Disclosure

from ..conftest import PASSWORD, SYSTEM
from .conftest import Visit

pytestmark = pytest.mark.e2e


def test_a_share_cannot_be_saved_without_its_lawful_basis(visit: Visit, case, agencies):
    today = timezone.localdate()
    isa = services.agreement_create(
        actor=SYSTEM, parties=[agencies["la"], agencies["police"]], title="Northfield partnership agreement",
        reference="NSCP-ISA-1", starts_on=today - timedelta(days=100), review_on=today + timedelta(days=100),
        summary="Sharing to protect young people from harm outside the home")
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    visit.goto(f"/cases/{case.pk}/")
    sharing = page.locator("#sharing")
    visit.pick(sharing, "Agency", "polic", "Northfield Police")
    sharing.get_by_label("Can view", exact=True).check()
    sharing.get_by_role("button", name="Share").click()
    page.wait_for_load_state()

    # Refused: the error summary names what is missing, nothing is shared, the agreement is chosen for her.
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the lawful basis for sharing")
    expect(summary).to_contain_text("Select whether the young person and family were told")
    assert access.sharing(case) == [] and not Disclosure.objects.exists()
    sharing = page.locator("#sharing")
    expect(sharing.get_by_label(str(isa))).to_be_checked()
    visit.assert_accessible("share-refused")

    # With a basis: shared, and the panel says on what.
    sharing.get_by_role("group", name="Lawful basis for sharing").get_by_label(
        "Public task: a statutory duty (UK GDPR Article 6(1)(e))").check()
    sharing.get_by_label("Safeguarding of children and individuals at risk").check()
    sharing.get_by_label("Why is it necessary to share?").fill("The police lead the county lines operation")
    sharing.get_by_label("No, they were not told (say why)").check()
    sharing.get_by_label("If not, why not?").fill("Telling them now would alert the people exploiting him")
    sharing.get_by_role("button", name="Share").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("shared with Northfield Police")
    panel = page.locator("#sharing")
    expect(panel).to_contain_text("Public task: a statutory duty")
    expect(panel).to_contain_text(str(isa))
    expect(panel).to_contain_text("The police lead the county lines operation")
    expect(panel).to_contain_text("No: Telling them now would alert the people exploiting him")
    visit.assert_accessible("shared-with-basis")
    assert access.sharing(case) == [(agencies["police"], access.VIEW)]
    row = Disclosure.objects.get()
    assert row.agreement == isa and row.told == "not_told" and row.lawful_basis == "public_task"
    visit.assert_no_problems()
