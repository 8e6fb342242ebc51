"""In a real browser, two agencies: a contribution that comes after the assessment was approved is not lost.

Alice (social worker, council) asks the police for their part, then submits the assessment before they answer: the
page lists the request and asks her to confirm. Mandy (team manager) approves it, confirming the same. Pete
(police), in his own session, sees the request as still waiting for him with the author's and approver's email
addresses, and answers: it is recorded as an addendum, shown on the assessment page and printed in its PDF. axe-core
checks each page on the way.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments import services as assessment_services
from assessments.models import Framework

from ..assessments.conftest import complete_answers
from ..conftest import PASSWORD
from .conftest import BLOCKING_IMPACTS, TIMEOUT_MS, Visit
from .test_assessments import place  # noqa: F401 - fixture used by name
from .test_pickers import fill_basis

pytestmark = pytest.mark.e2e

QUESTION = "What do your patrols see at Eastgate Park after 8pm?"
ANSWER = "Older males were seen at the park gate on three Friday evenings in November."


@pytest.fixture
def draft(alice, place):  # noqa: F811
    """Alice's neighbourhood assessment of the park, every question answered, not yet submitted."""
    started = assessment_services.assessment_start(actor=alice, subject=place,
                                                   framework=Framework.objects.get(key="neighbourhood"))
    return assessment_services.assessment_save(
        actor=alice, assessment=started, expected_version=started.version,
        answers=complete_answers(started.framework_version.definition),
        priority="No capable guardians in the park after 6pm.",
        priority_reason="Most approaches reported happen after the staff leave.")


@pytest.fixture
def police_officer(pete):
    pete.set_password(PASSWORD)
    pete.save(update_fields=["password"])
    return pete


def test_an_answer_after_approval_becomes_an_addendum_on_the_page_and_in_the_pdf(
        visit, browser, draft, manager, police_officer):  # noqa: F811
    page = visit.page
    violations = {}
    assessment_path = f"/assessments/{draft.pk}/"

    # Alice asks the police.
    visit.sign_in("alice", PASSWORD)
    visit.goto(assessment_path)
    page.get_by_role("link", name="Ask an agency to contribute").click()
    form = page.locator("main form")
    visit.pick(form, "Which agency?", "Police", "Northfield Police")
    form.get_by_label("What you are asking for").fill(QUESTION)
    due = timezone.localdate() + timedelta(days=7)
    form.locator("#id_due_on_0").fill(str(due.day))
    form.locator("#id_due_on_1").fill(str(due.month))
    form.locator("#id_due_on_2").fill(str(due.year))
    fill_basis(form)
    form.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Request sent to Northfield Police.")).to_be_visible()

    # She submits before they answer: the page lists the request and asks her to confirm.
    visit.goto(f"{assessment_path}edit/")
    expect(page.locator("main")).to_contain_text("1 agency has not responded yet")
    page.locator("main form").get_by_role("button", name="Submit for approval").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Northfield Police (due")
    expect(summary).to_contain_text("Confirm that you want to submit it without waiting for them")
    violations["submit, confirmation asked"] = visit.axe("submit-confirm")
    visit.screenshot("submit-confirm")
    page.get_by_label("Submit without waiting for them", exact=False).check()
    page.locator("main form").get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Assessment submitted for approval by a team manager.")).to_be_visible()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Submitted for approval")

    # Mandy approves it, confirming the same.
    page.get_by_role("button", name="Sign out").click()
    visit.sign_in("mandy", PASSWORD)
    visit.goto(assessment_path)
    expect(page.locator("#decision ~ form")).to_contain_text("1 agency has not responded yet")
    page.get_by_role("group", name="Your decision").get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you want to approve it")
    violations["approve, confirmation asked"] = visit.axe("approve-confirm")
    page.get_by_role("group", name="Your decision").get_by_label("Approve", exact=True).check()
    page.get_by_label("Approve without waiting for them", exact=False).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Assessment approved.")).to_be_visible()

    # Pete, in the police's own session, still has the request, a true status, and the people to contact.
    context = browser.new_context(base_url=visit.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    police = Visit(context.new_page(), visit.base_url, f"{visit.name}-police")
    try:
        police.sign_in("pete", PASSWORD)
        police.goto("/contributions/")
        row = police.page.get_by_role("row").filter(has_text="Eastgate Park")
        expect(row).to_contain_text("Waiting for you")
        expect(row).to_contain_text("Assessment: Approved on")
        expect(row.locator('a[href="mailto:alice@example.org"]')).to_be_visible()
        expect(row.locator('a[href="mailto:mandy@example.org"]')).to_be_visible()
        violations["requests to my agency"] = police.axe("requests")
        row.get_by_role("link").first.click()
        main = police.page.locator("main")
        expect(main).to_contain_text(QUESTION)
        expect(main).not_to_contain_text("can no longer be added")
        expect(main).to_contain_text("added to it as an addendum")
        expect(main.locator('a[href="mailto:alice@example.org"]')).to_be_visible()
        violations["request, open after approval"] = police.axe("request-open")
        main.get_by_label("Your agency's response").fill(ANSWER)
        fill_basis(main, reason_label="Why is it necessary to share your response?")
        main.get_by_role("button", name="Send response").click()
        expect(police.page.get_by_text("Your response has been added to the assessment as an addendum")).to_be_visible()
        expect(main).to_contain_text("Answered as an addendum")
        expect(main).to_contain_text("Added after the assessment was approved on")
        police.screenshot("answered")
        violations["request, answered as an addendum"] = police.axe("request-answered")
        police.assert_no_problems()
    finally:
        context.close()

    # Back in the council's session: the assessment shows the addendum, and its PDF prints it.
    visit.goto(assessment_path)
    card = page.locator(".govuk-summary-card").filter(has_text="Northfield Police")
    expect(card).to_contain_text("Answered as an addendum")
    expect(card).to_contain_text("Added after the assessment was approved on")
    expect(card).to_contain_text(ANSWER)
    expect(page.locator("#addenda-note")).to_contain_text("Northfield Police")
    violations["assessment with an addendum"] = visit.axe("assessment-addendum")
    visit.screenshot("assessment-addendum")
    download = page.request.get(page.get_by_role("link", name="Download as PDF").get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf", download.status
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(download.body())).pages).split())
    assert "Addenda: contributions added later" in text and "Added after the assessment was approved on" in text
    assert ANSWER in text

    blocking = {label: [v for v in found if v["impact"] in BLOCKING_IMPACTS] for label, found in violations.items()}
    blocking = {label: found for label, found in blocking.items() if found}
    assert not blocking, "\n".join(f"{label}:\n{visit.describe(found)}" for label, found in blocking.items())
    visit.assert_no_problems()
