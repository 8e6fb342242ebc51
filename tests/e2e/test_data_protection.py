"""In a real browser: a team manager asks for a young person's subject access export from their page, waits while a
real Celery worker builds it, looks at who has seen the record, and disposes of a case past its retention date from
the queue; then the data protection officer signs the export off and the download appears. axe-core checks each
page on the way."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from safeguarding import access, celery_app
from safeguarding import services as kernel_services
from safeguarding.roles import Role

from ..conftest import PASSWORD, QUEUES, _person
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_manager_asks_for_an_export_disposes_of_a_case_and_the_dpo_signs_the_export_off(
        visit, media, broker, alice, manager, agencies):
    from cases import services as case_services

    dora = _person(agencies, "dora", "la", Role.DATA_PROTECTION_OFFICER, PASSWORD)
    person = YoungPersonFactory(actor=alice, first_name="Tamsin", last_name="Rowanberry")
    CaseFactory(actor=alice, young_person=person, lead_practitioner=alice, summary="Missing from home at weekends")
    old = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
    case_services.case_close(actor=manager, case=old, expected_version=old.version, reason="nfa")
    kernel_services.retention_schedule_save(actor=access.system("tests"), record_type="cases.case", months=0)
    kernel_services.retention_list_due(actor=access.system("tests"))

    page = visit.page
    visit.sign_in("mandy", PASSWORD)
    visit.goto(f"/young-people/{person.pk}/")
    page.get_by_role("link", name="Subject access request").click()
    visit.settle()
    visit.assert_accessible("subject access request form")
    page.get_by_label("Who asked").fill("Tamsin, in person at the office")
    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        page.get_by_role("button", name="Ask for the export").click()
        page.get_by_text("Ready for review").first.wait_for(timeout=60_000)  # the page refreshes itself
    visit.settle()
    assert page.get_by_text("must be read and signed off by someone other than").count() == 1
    assert page.get_by_role("link", name="The export as PDF").count() == 0  # not hers to read before sign-off
    visit.assert_accessible("subject access request being reviewed")
    sar_url = page.url

    visit.goto(f"/young-people/{person.pk}/")
    page.get_by_role("link", name="Who has seen this record").click()
    visit.settle()
    assert page.get_by_role("cell", name="Mandy Test").count() >= 1
    visit.assert_accessible("who has seen this record")

    page.get_by_role("link", name="Data protection").click()
    visit.settle()
    page.get_by_role("link", name="Records due for disposal").click()
    visit.settle()
    visit.assert_accessible("records due for disposal")
    page.get_by_role("link", name=f"Dispose of Case {old.reference}").click()
    visit.settle()
    page.get_by_role("button", name="Dispose of the record").click()
    visit.settle()
    assert page.title().startswith("Error: ")
    visit.assert_accessible("dispose of a record, unconfirmed")
    page.get_by_label("I confirm this record can be disposed of").check()
    page.get_by_role("button", name="Dispose of the record").click()
    visit.settle()
    assert page.get_by_text(f"Case {old.reference} has been disposed of.").count() == 1
    old.refresh_from_db()
    assert old.summary.startswith("Disposed of on")

    page.get_by_role("button", name="Sign out").click()
    visit.sign_in(dora.username, PASSWORD)
    page.goto(sar_url)
    visit.settle()
    assert page.get_by_role("link", name="The export as PDF").count() == 1  # the reviewer reads it first
    page.get_by_label("I have read the whole export").check()
    page.get_by_role("button", name="Sign off for release").click()
    visit.settle()
    assert page.get_by_text("Signed off for release").count() >= 1
    assert page.get_by_role("heading", name="Download").count() == 1
    visit.assert_accessible("subject access request released")
    visit.assert_no_problems()
