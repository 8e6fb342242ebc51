"""An export made by a real Celery worker, queued through the outbox with the request that asked for it."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from reports import services
from reports.models import ExportStatus, ReportExport
from safeguarding import celery_app
from safeguarding.models import OutboxJob

from ..conftest import QUEUES, client_for, kill_pool_process, prefork_worker, wait_for
from ..factories import CaseFactory, YoungPersonFactory


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_real_worker_makes_an_export_asked_for_on_the_page(client, media, broker, alice, mandy):
    for _ in range(3):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
    client_for(client, mandy)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        response = client.post(reverse("reports-export-create"), {"what": "cases", "status": "open",
                                                                  "format": "xlsx"})
        assert response.status_code == 302
        export = ReportExport.objects.get()
        assert OutboxJob.objects.filter(key=f"report-export:{export.pk}").exists()
        assert wait_for(lambda: ReportExport.objects.filter(pk=export.pk, status=ExportStatus.READY).exists())
    export.refresh_from_db()
    assert export.progress == 100 and export.rows == 3 and export.attempts == 1
    assert wait_for(lambda: OutboxJob.objects.filter(key=f"report-export:{export.pk}", done_at__isnull=False)
                    .exists(), seconds=10)
    page = client.get(reverse("reports-exports")).content.decode()
    assert "Download" in page
    response = client.get(reverse("reports-export-download", args=[export.pk]))
    with open(media / "got.xlsx", "wb") as handle:
        handle.write(b"".join(response.streaming_content))
    sheet = load_workbook(media / "got.xlsx", read_only=True).active
    assert next(sheet.iter_rows(values_only=True))[0] == "Reference"
    assert sum(1 for _ in sheet.iter_rows()) == 4


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_an_export_whose_worker_is_killed_mid_way_is_made_again_exactly_once(media, broker, alice, mandy):
    for _ in range(3):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
    with prefork_worker("celery", MEDIA_ROOT=str(media), REPORTS_EXPORT_TEST_DELAY="3") as worker:
        with transaction.atomic():
            export = services.export_request(actor=mandy, what="cases", params={"status": "open"}, fmt="csv")
        assert wait_for(lambda: ReportExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).exists(),
                        seconds=60), "never started"
        kill_pool_process(worker)  # the process making the export dies mid-way
        assert wait_for(lambda: ReportExport.objects.filter(pk=export.pk, status=ExportStatus.READY).exists(),
                        seconds=90), "not made again"
    export.refresh_from_db()
    assert export.attempts == 2 and export.rows == 3 and export.progress == 100
    assert [p.name for p in media.rglob("*.csv")] == [os.path.basename(export.file.name)]  # one file, not two
