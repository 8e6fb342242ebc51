"""An export made by a real Celery worker, queued through the outbox with the request that asked for it."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import ExportStatus, ReportExport
from safeguarding import celery_app
from safeguarding.models import OutboxJob

from ..conftest import QUEUES, client_for, wait_for
from ..factories import CaseFactory, YoungPersonFactory


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


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
