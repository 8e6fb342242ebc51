"""In a real browser: a young person's safety plan, linked both ways to the plan of a place they frequent.

Alice opens Jayden's case, goes to his page, starts his safety plan from the htmx-loaded "Assessments" section,
adds a goal in the Contextual Outcomes Framework form and an intervention with an owner, sees the plan of the park
he frequents listed on his plan, follows it, and sees his plan listed back. axe-core checks every page.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services as assessment_services
from contexts import services
from contexts.models import Place, PlaceKind, PlaceLinkNature

from ..conftest import PASSWORD
from ..contexts.conftest import evidence

pytestmark = pytest.mark.e2e


@pytest.fixture
def park(alice, case, person):
    """Eastgate Park, with a safety plan, and Jayden (who has a case) frequenting it."""
    place = services.context_create(actor=alice, model=Place, name="Eastgate Park", kind=PlaceKind.PARK,
                                    ward="Eastgate", postcode="B1 1AA", latitude=52.48, longitude=-1.89,
                                    description="Older males seen approaching children after school.")
    services.place_link_add(actor=alice, place=place, young_person=person, nature=PlaceLinkNature.FREQUENTS,
                            **evidence())
    assessment_services.goal_add(actor=alice, subject=place, statement="No adults loitering at the park after dark",
                                 met_when="Guardians report none for a month", measured_by="The guardians' log")
    return place


def test_a_young_persons_plan_linked_to_the_plan_of_their_place(visit, case, person, park):
    page = visit.page
    violations = {}
    visit.sign_in("alice", PASSWORD)

    # Jayden's case, then his page, where the plan is offered with his assessments (loaded by htmx).
    visit.goto(f"/cases/{case.pk}/")
    visit.assert_accessible("case")
    page.get_by_role("link", name="Back to Jayden Okafor").click()
    section = page.locator("section#assessments")
    start = section.get_by_role("link", name="Start a safety plan")
    expect(start).to_be_visible()
    visit.assert_accessible("young-person")
    start.click()

    # His plan: none yet, and the park's plan already listed beside it.
    expect(page.locator("h1")).to_have_text("Jayden Okafor")
    expect(page.locator("#linked-plans")).to_contain_text("Eastgate Park")
    expect(page.locator("#linked-plans")).to_contain_text("No adults loitering at the park after dark")
    visit.assert_accessible("plan-empty")
    page.get_by_role("link", name="Add a goal").click()

    # A goal, in the Contextual Outcomes Framework form.
    form = page.locator("main form")
    form.get_by_label("Goal", exact=True).fill("Jayden feels safe walking home from school")
    form.get_by_label("What would show it is met").fill("He says so at two reviews running")
    form.get_by_label("How we will know").fill("His own words at each review, and school attendance")
    visit.assert_accessible("goal-form")
    form.get_by_role("button", name="Save goal").click()
    expect(page.get_by_text("Goal added to the safety plan.")).to_be_visible()
    expect(page.locator("[id^=goal-]").first).to_contain_text("Jayden feels safe walking home from school")

    # An intervention, owned by a named person in the council.
    page.get_by_role("link", name="Add an intervention").click()
    form = page.locator("main form")
    form.get_by_label("What will be done").fill("Weekly mentoring after school with a youth worker")
    visit.pick(form, "Which agency will do it?", "Northfield Coun", "Northfield Council")
    visit.pick(form, "Who is responsible (optional)", "Alice", "Alice Test")
    due = timezone.localdate() + timedelta(days=28)
    form.locator("#id_due_on_0").fill(str(due.day))
    form.locator("#id_due_on_1").fill(str(due.month))
    form.locator("#id_due_on_2").fill(str(due.year))
    visit.assert_accessible("intervention-form")
    form.get_by_role("button", name="Add intervention").click()
    expect(page.get_by_text("Intervention added.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Weekly mentoring after school with a youth worker")
    expect(page.locator("main")).to_contain_text("Alice Test")
    visit.screenshot("young-person-plan")
    violations["young person's plan"] = visit.axe("young-person-plan")

    # The park's plan, listed on his, and his listed back on the park's.
    page.locator("#linked-plans").get_by_role("link", name="Eastgate Park").click()
    expect(page.locator("h1")).to_have_text("Eastgate Park")
    linked = page.locator("#linked-plans")
    expect(linked).to_contain_text("Jayden Okafor")
    expect(linked).to_contain_text("Jayden feels safe walking home from school")
    visit.screenshot("place-plan")
    violations["place plan"] = visit.axe("place-plan")
    linked.get_by_role("link", name="Jayden Okafor").click()
    expect(page.locator("h1")).to_have_text("Jayden Okafor")

    # Back on his page, the plan is shown with its goal.
    visit.goto(f"/young-people/{person.pk}/")
    expect(page.locator("section#assessments").get_by_role("link", name="Safety plan (1 goal)")).to_be_visible()

    blocking = {label: [v for v in found if v["impact"] in ("serious", "critical")]
                for label, found in violations.items()}
    assert not any(blocking.values()), "\n".join(f"{label}: {visit.describe(v)}" for label, v in blocking.items() if v)
    visit.assert_no_problems()
