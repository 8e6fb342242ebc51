"""In a real browser: after a panel has met, the young person's practitioner records that what the panel decided
was fed back to them, and how (the young person's voice reaching the panel, and the panel's answer reaching them).
axe-core checks the form, its error page and the meeting page it returns to."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from panels import services
from panels.models import Meeting, MeetingStatus, PanelKind

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FEEDBACK = "We will tell Jayden what the panel decided about the park"


@pytest.fixture
def held_item(alice, colin, agencies, person, shared_case):
    """Yesterday's MACE meeting, with an item about Jayden (Alice's case) whose feedback was agreed."""
    panel = services.panel_create(actor=colin, name="Northfield MACE", kind=PanelKind.MACE,
                                  member_agencies=[agencies["la"], agencies["police"]], chairs=[colin])
    meeting = services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(days=1))
    item = services.agenda_item_add(actor=colin, meeting=meeting, subject=person, reason="Missing three times")
    item = services.item_minute(actor=colin, item=item, expected_version=item.version, feedback=FEEDBACK)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.IN_PROGRESS,
                                                 starts_at=timezone.now() - timedelta(days=1))
    alice.set_password(PASSWORD)
    alice.save(update_fields=["password"])
    return item


def test_the_practitioner_records_that_the_feedback_was_given(visit, alice, held_item):
    page = visit.page
    visit.sign_in(alice.username, PASSWORD)
    visit.goto(reverse("meeting", args=[held_item.meeting_id]))
    expect(page.get_by_text(FEEDBACK)).to_be_visible()
    page.get_by_role("link", name="Record that the feedback was given").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record that the feedback was given to Jayden Okafor")
    visit.assert_accessible("feedback-given")

    page.get_by_role("button", name="Record feedback given").click()  # nothing filled in
    page.wait_for_load_state()
    assert page.title().startswith("Error: "), page.title()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visit.assert_accessible("feedback-given-errors")

    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("How was it given?").fill("In person, at a home visit")
    page.get_by_role("button", name="Record feedback given").click()
    page.wait_for_load_state()
    expect(page.get_by_text("In person, at a home visit (recorded by")).to_be_visible()
    visit.assert_accessible("meeting-after-feedback")
    held_item.refresh_from_db()
    assert held_item.feedback_given_on == today and held_item.feedback_given_by == alice
    visit.assert_no_problems()
