"""In a real browser: a neighbourhood assessment of a place, from the place page to a team manager's approval.

Alice starts the assessment from the place's htmx-loaded "Assessments" section, answers every required question
of the shipped neighbourhood framework (seeing the trauma-informed language prompt on the way), saves a draft and
submits it; Mandy approves it. axe-core checks the form, the assessment, "Change over time" and the safety plan.
"""

import pytest
from playwright.sync_api import expect

from assessments import frameworks
from contexts import services
from contexts.models import Place, PlaceKind

from ..conftest import PASSWORD
from .conftest import BLOCKING_IMPACTS

pytestmark = pytest.mark.e2e

FRAMEWORK_KEY = "neighbourhood"
BLAMING = "Some are putting themselves at risk by staying late."
NEUTRAL = "Year 9 and 10 pupils from Eastgate Academy, mostly after school until about 8pm."
ANSWER_FOR = {"rag": "Amber", "yes_no": "Yes"}  # radios by label; scales take their middle, choices the first


def _shipped(key: str) -> dict:
    return next(definition for definition in frameworks.shipped() if definition["key"] == key)


@pytest.fixture
def place(alice, reference_data):
    return services.context_create(actor=alice, model=Place, name="Eastgate Park", kind=PlaceKind.PARK,
                                   ward="Eastgate", postcode="B1 1AA", latitude=52.48, longitude=-1.89,
                                   description="Older males seen approaching children after school.")



def _label(question: frameworks.Question) -> str:
    return question.label + (" (required)" if question.required else "")


def _answer(form, question: frameworks.Question, text: str):
    """Answer one question of the assessment form as a person would."""
    if question.type == "text":
        form.get_by_label(_label(question), exact=True).fill(text)
    elif question.type == "factors":
        # The first blank row of the factor list: a kind from the select and a description.
        form.locator(f"#id_{question.key}-0-kind").select_option(label="Capable guardian")
        form.locator(f"#id_{question.key}-0-description").fill(f"{text} (a factor)")
    else:
        group = form.get_by_role("group", name=_label(question))
        if question.type in ANSWER_FOR:
            group.get_by_label(ANSWER_FOR[question.type], exact=True).check()
        elif question.type == "scale":
            radios = group.get_by_role("radio")
            expect(radios).to_have_count(question.scale[1] - question.scale[0] + 1)
            radios.nth(radios.count() // 2).check()
        else:
            group.get_by_role("radio").first.check()


def test_neighbourhood_assessment_from_place_to_approval(visit, place, manager):
    page = visit.page
    definition = _shipped(FRAMEWORK_KEY)
    violations = {}

    # Alice starts the assessment from the place page's "Assessments" section (loaded by htmx).
    visit.sign_in("alice", PASSWORD)
    visit.settle()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Places").click()
    page.get_by_role("link", name="Eastgate Park").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eastgate Park")
    section = page.locator("section#assessments")
    expect(section).to_contain_text("No assessments you can see.")
    section.get_by_role("link", name="Start an assessment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Start an assessment")
    page.get_by_label(definition["name"], exact=True).check()
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastgate Park")
    expect(page.locator(".govuk-caption-l")).to_contain_text(definition["name"])
    expect(page.get_by_text("Assessment started.")).to_be_visible()
    edit_url = page.url
    assert edit_url.endswith("/edit/"), edit_url

    # The task list: every section not yet started. Alice works through them, one page each: every required
    # question (the appended voice section and the outcome included), and a factor in every factor list.
    sections = frameworks.task_sections(definition)
    expect(page.locator("#progress")).to_have_text(f"0 of {len(sections)} sections completed")
    violations["task list"] = visit.axe("task-list")
    page.locator(".govuk-task-list").get_by_role("link", name=sections[0].title, exact=True).click()
    answers = {"priority": "No capable guardians in the park after 6pm.",
               "priority_reason": "Most approaches reported happen after the staff leave."}
    first_text = None
    for number, section in enumerate(sections, 1):
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        form = page.locator("main form")
        for question in section.questions:
            if question.required or question.type == "factors":
                _answer(form, question, answers.get(question.key, f"Answer {number}: observed by the outreach "
                                                                   "team on Friday evenings."))
        if first_text is None and (first_text := next((q for q in section.questions if q.type == "text"
                                                       and q.required), None)):
            # A victim-blaming phrase brings the language prompt (htmx, after typing stops for 700 ms).
            box = form.get_by_label(_label(first_text), exact=True)
            prompt = form.locator(f"#lang-{first_text.key}")
            box.fill("")
            box.press_sequentially(BLAMING)
            expect(prompt).to_contain_text("Think about the words")
            expect(prompt).to_contain_text("putting themselves at risk")
            visit.screenshot("form-language-prompt")
            violations["assessment section"] = visit.axe("assessment-section")
            box.fill(NEUTRAL)  # a prompt never blocks, but the words are better changed
            expect(prompt).to_have_text("")
            page.wait_for_timeout(800)
            visit.settle()  # leaving the page must not cut off a language check
            form.get_by_role("button", name="Save and come back later").click()
            expect(page.locator("#progress")).to_have_text(f"1 of {len(sections)} sections completed")
            page.locator(".govuk-task-list").get_by_role("link", name=sections[1].title, exact=True).click()
            continue
        page.wait_for_timeout(800)  # the language check starts 700 ms after typing stops: let it finish
        visit.settle()
        form.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_text(f"{section.title}: saved at")).to_be_visible()
    expect(page).to_have_url(edit_url)
    expect(page.locator("#progress")).to_have_text(f"{len(sections)} of {len(sections)} sections completed")
    page.locator(".govuk-task-list").get_by_role("link", name=sections[0].title, exact=True).click()
    expect(page.locator("main form").get_by_label(_label(first_text), exact=True)).to_have_value(NEUTRAL)
    page.get_by_role("link", name="Back to the sections").click()

    page.locator("main form").get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Assessment submitted for approval by a team manager.")).to_be_visible()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Submitted for approval")
    assessment_url = page.url
    assert assessment_url.endswith(edit_url.removeprefix(visit.base_url).removesuffix("edit/")), assessment_url
    expect(page.locator("main")).to_contain_text(NEUTRAL)
    expect(page.locator("main")).not_to_contain_text("putting themselves at risk")
    expect(page.get_by_role("link", name="Download as PDF")).to_have_count(0)
    visit.screenshot("submitted")
    violations["assessment (submitted)"] = visit.axe("assessment-submitted")

    # Mandy, the team manager, approves it.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    visit.sign_in("mandy", PASSWORD)
    expect(page.get_by_text("Signed in as")).to_contain_text("Mandy Test")
    visit.settle()
    page.goto(assessment_url)
    expect(page.locator("h1 .govuk-tag")).to_have_text("Submitted for approval")
    decision = page.get_by_role("group", name="Your decision")
    violations["assessment (decision)"] = visit.axe("assessment-decision")
    decision.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Assessment approved.")).to_be_visible()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Approved")
    pdf = page.get_by_role("link", name="Download as PDF")
    expect(pdf).to_be_visible()
    download = page.request.get(pdf.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf", download.status
    assert download.body().startswith(b"%PDF-")
    expect(page.get_by_role("group", name="Your decision")).to_have_count(0)
    visit.screenshot("approved")
    violations["assessment (approved)"] = visit.axe("assessment-approved")

    page.get_by_role("link", name="Change over time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change over time: Eastgate Park")
    expect(page.get_by_role("table")).to_contain_text("Guardianship")
    visit.screenshot("change")
    violations["change over time"] = visit.axe("change")

    page.get_by_role("link", name="Back to the assessment").click()
    page.get_by_role("link", name="Back to Eastgate Park").click()
    page.locator("section#assessments").get_by_role("link", name="Safety plan").click()
    expect(page.locator(".govuk-caption-l")).to_have_text("Safety plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastgate Park")
    visit.screenshot("safety-plan")
    violations["safety plan"] = visit.axe("safety-plan")

    # Without JavaScript the place page links to the same list as a page of its own (htmx swaps the link out).
    visit.goto(f"/assessments/of/place/{place.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastgate Park")
    expect(page.locator("section#assessments")).to_contain_text("Approved")
    violations["assessments (without JavaScript)"] = visit.axe("subject-assessments")

    blocking = {label: [v for v in found if v["impact"] in BLOCKING_IMPACTS] for label, found in violations.items()}
    blocking = {label: found for label, found in blocking.items() if found}
    assert not blocking, "\n".join(f"{label}:\n{visit.describe(found)}" for label, found in blocking.items())
    visit.assert_no_problems()
