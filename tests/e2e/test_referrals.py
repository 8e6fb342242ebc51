"""In real browsers, two agencies' sessions side by side: the police refer a young person, the lead authority's team
manager triages and accepts, and the police see it accepted and open the case; then a case is transferred to another
authority, whose manager accepts it."""

import pytest
from playwright.sync_api import expect

from safeguarding import services as kernel_services
from safeguarding.models import AgencyKind
from safeguarding.roles import Role

from ..conftest import PASSWORD, SYSTEM, _person
from .conftest import BLOCKING_IMPACTS, TIMEOUT_MS, Visit
from .test_pickers import fill_basis

pytestmark = pytest.mark.e2e


def _can_sign_in(*people):
    for person in people:
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])


@pytest.fixture
def second(browser, live_server, request):
    """Another browser context (its own cookies): the other agency's person at their own desk."""
    base_url = live_server.url.replace("://127.0.0.1:", "://localhost:")
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield Visit(context.new_page(), base_url, request.node.name.removeprefix("test_") + "-second")
    context.close()


def _blocking(visit, label, found):
    found[label] = [v for v in visit.axe(label) if v["impact"] in BLOCKING_IMPACTS]


def test_police_refer_the_front_door_accepts_and_the_police_open_the_case(visit, second, pete, mandy, alice):
    _can_sign_in(pete, mandy)
    police, manager, found = visit.page, second.page, {}

    visit.sign_in("pete", PASSWORD)
    police.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals").click()
    police.get_by_role("link", name="Refer a young person").click()
    expect(police.get_by_role("heading", level=1)).to_have_text("Refer a young person")
    police.get_by_label("First name").fill("Kieran")
    police.get_by_label("Last name").fill("Ashdown")
    police.get_by_label("Day", exact=True).fill("2")
    police.get_by_label("Month", exact=True).fill("4")
    police.get_by_label("Year", exact=True).fill("2011")
    police.get_by_label("Postcode", exact=True).fill("NF1 2AB")
    police.get_by_label("What are you worried about?").fill("Seen at the station late at night with older males.")
    police.get_by_label("Child criminal exploitation").check()
    police.get_by_label("Urgent: risk within days").check()
    police.get_by_label("What do the young person and their family know about this referral?").fill("Mum knows.")
    police.get_by_label("Yes, they agreed to the referral").check()
    fill_basis(police.locator("main form"), reason_label=None, told=False)
    _blocking(visit, "referral-form", found)
    police.get_by_role("button", name="Send referral").click()
    expect(police.locator("body")).to_contain_text("Your referral has been sent to Northfield Council")
    expect(police.get_by_role("heading", level=1)).to_contain_text("Kieran Ashdown")
    visit.screenshot("referral-sent")

    second.sign_in("mandy", PASSWORD)
    manager.get_by_role("navigation", name="Menu").get_by_role("link", name="Front door").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Front door")
    _blocking(second, "front-door", found)
    manager.get_by_role("link", name="Kieran Ashdown").click()
    manager.get_by_label("Add them as a new young person and open a case").check()
    second.pick(manager.locator("main form"), "Lead practitioner (optional)", "Alice", "Alice Test")
    _blocking(second, "triage", found)
    manager.get_by_role("button", name="Accept referral").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Case EFH-")
    expect(manager.get_by_role("region", name="Young person")).to_contain_text("Kieran Ashdown")
    second.screenshot("case-opened")

    visit.goto("/referrals/sent/")
    expect(police.get_by_role("table").first).to_contain_text("Accepted")
    _blocking(visit, "my-agencys-referrals", found)
    police.get_by_role("link", name="Kieran Ashdown").click()
    police.get_by_role("link", name="Open what it became").click()
    expect(police.get_by_role("heading", level=1)).to_contain_text("Case EFH-")
    expect(police.get_by_role("region", name="Young person")).to_contain_text("Kieran Ashdown")
    visit.screenshot("police-see-the-case")

    assert not any(found.values()), "\n".join(f"{k}:\n{visit.describe(v)}" for k, v in found.items() if v)
    visit.assert_no_problems()
    second.assert_no_problems()


def test_a_case_is_transferred_to_another_authority(visit, second, mandy, case, agencies):
    south = kernel_services.agency_create(actor=SYSTEM, name="Southfield Council", mfa_required=False,
                                          kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_lead_authority=True)
    sue = _person({**agencies, "south": south}, "sue", "south", Role.TEAM_MANAGER, PASSWORD)
    _can_sign_in(mandy)
    asking, receiving, found = visit.page, second.page, {}

    visit.sign_in("mandy", PASSWORD)
    visit.goto(f"/cases/{case.pk}/")
    asking.get_by_role("link", name="Transfer case").click()
    visit.pick(asking.locator("main form"), "Transfer to", "Southfield", "Southfield Council")
    asking.get_by_label("Why should it move?").fill("The family has moved to Southfield.")
    fill_basis(asking.locator("main form"), reason_label=None)
    _blocking(visit, "transfer-request", found)
    asking.get_by_role("button", name="Ask for the transfer").click()
    expect(asking.get_by_role("heading", level=1)).to_contain_text(f"Transfer of {case.reference}")

    second.sign_in("sue", PASSWORD)
    second.goto("/transfers/")
    receiving.get_by_role("table").first.get_by_role("link").first.click()
    second.pick(receiving.locator("main form").first, "Lead practitioner", "Sue", str(sue))
    _blocking(second, "transfer-decide", found)
    receiving.get_by_role("button", name="Accept transfer").click()
    expect(receiving.get_by_role("heading", level=1)).to_contain_text(case.reference)
    second.screenshot("case-transferred")

    visit.goto("/transfers/")
    expect(asking.get_by_role("table").nth(1)).to_contain_text("Accepted")
    assert not any(found.values()), "\n".join(f"{k}:\n{visit.describe(v)}" for k, v in found.items() if v)
    visit.assert_no_problems()
    second.assert_no_problems()
