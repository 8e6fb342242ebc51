"""In a real browser: a team manager goes from the reports dashboard to the list behind a figure, exports it as
Excel, waits on "Your exports" while a real Celery worker makes it, downloads it, and the file opens in openpyxl
holding the same records. axe-core checks each page on the way."""

import pytest
from celery.contrib.testing.worker import start_worker
from openpyxl import load_workbook

from safeguarding import celery_app

from ..conftest import PASSWORD, QUEUES
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.e2e




@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_manager_goes_from_the_dashboard_to_a_list_to_a_downloaded_spreadsheet(visit, media, broker, alice, manager):
    cases = [CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
             for _ in range(6)]
    page = visit.page
    visit.sign_in("mandy", PASSWORD)
    visit.goto("/reports/")
    assert page.get_by_role("heading", level=1).inner_text().strip()
    visit.assert_accessible("dashboard")

    page.get_by_role("link", name="6 (Open cases now: see the list)").click()
    visit.settle()
    for case in cases:
        assert page.get_by_role("link", name=case.reference).count() == 1
    visit.assert_accessible("the list behind a figure")

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        page.get_by_role("button", name="Export this list as Excel").click()
        page.wait_for_url("**/reports/exports/")
        download_link = page.get_by_role("link", name="Download")
        download_link.wait_for(timeout=60_000)  # the page refreshes itself until the worker is done
    visit.assert_accessible("your exports")
    with page.expect_download() as waiting:
        download_link.click()
    saved = media / "downloaded.xlsx"
    waiting.value.save_as(saved)
    rows = list(load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "Reference"
    assert sorted(row[0] for row in rows[1:]) == sorted(case.reference for case in cases)
    visit.assert_no_problems()
