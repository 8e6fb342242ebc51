"""In a real browser: an assessment's task list and section pages, a factor row added, and a place put on the map at
its ward's centre (no postcode finder configured; nobody types coordinates)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments import frameworks
from assessments import services as assessment_services
from assessments.models import Framework
from contexts.models import Place
from safeguarding import geocoding
from safeguarding.models import Area

from ..conftest import PASSWORD
from .conftest import BLOCKING_IMPACTS
from .test_assessments import place  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def _blocking(violations: dict) -> dict:
    return {label: [v["id"] for v in found if v["impact"] in BLOCKING_IMPACTS] for label, found in violations.items()}


def test_the_task_list_and_a_section_with_a_factor_row_added(visit, alice, place):  # noqa: F811
    draft = assessment_services.assessment_start(actor=alice, subject=place,
                                                 framework=Framework.objects.get(key="neighbourhood"))
    sections = frameworks.task_sections(draft.framework_version.definition)
    section = next(s for s in sections if any(q.type == "factors" for q in s.questions))
    key = next(q.key for q in section.questions if q.type == "factors")
    page, violations = visit.page, {}
    visit.sign_in("alice", PASSWORD)
    visit.goto(reverse("assessment-edit", args=[draft.pk]))
    expect(page.locator(".govuk-task-list__item")).to_have_count(len(sections))
    expect(page.locator("#progress")).to_have_text(f"0 of {len(sections)} sections completed")
    violations["task list"] = visit.axe("task-list")
    page.locator(".govuk-task-list").get_by_role("link", name=section.title, exact=True).click()
    rows = page.locator(f"#factors-{key} .moj-add-another__item")
    expect(rows).to_have_count(1)
    page.locator(f"#id_{key}-0-kind").select_option(label="Risk")
    page.locator(f"#id_{key}-0-description").fill("Older men offer lifts at the gate")
    violations["section"] = visit.axe("assessment-section")
    page.locator(f"#factors-{key}").get_by_role("button", name="Add another factor").click()
    visit.settle()
    expect(page.locator(f"#factors-{key} .moj-add-another__item")).to_have_count(2)
    page.locator(f"#id_{key}-1-kind").select_option(label="Capable guardian")
    page.locator(f"#id_{key}-1-description").fill("The shop owner looks out for them")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("#progress")).to_be_visible()
    draft.refresh_from_db()
    assert [row["kind"] for row in draft.answers[key]] == ["risk", "guardian"]
    assert _blocking(violations) == {label: [] for label in violations}, violations


def test_a_place_is_put_at_its_wards_centre(visit, alice, settings, reference_data):
    settings.GEOCODER = ""
    Area.objects.create(name="Kestrel Hill", district="NF5", latitude="52.49500", longitude="-1.88300")
    page = visit.page
    visit.sign_in("alice", PASSWORD)
    visit.goto(reverse("place-new"))
    expect(page.locator("input[name=latitude]")).to_have_count(0)
    page.get_by_label("Name").fill("Kestrel Hill rec ground")
    page.get_by_label("Kind", exact=False).first.select_option(index=1)
    page.get_by_label("Ward or area, for the map (optional)").select_option(label="Kestrel Hill")
    page.locator("main form").get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("approximate: ward centre")
    made = Place.objects.get(name="Kestrel Hill rec ground")
    assert str(made.latitude) == "52.49500" and made.position_note == geocoding.WARD_CENTRE
