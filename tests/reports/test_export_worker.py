"""An export made by a real Celery worker, queued through the outbox with the request that asked for it."""

import os
import signal
import subprocess
import sys

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from reports import services
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


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _pool_child(parent: int) -> int:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True,  # noqa: S603, S607
                           check=True).stdout.split()
    assert found, "the worker has no pool process"
    return int(found[0])


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_an_export_whose_worker_is_killed_mid_way_is_made_again_exactly_once(media, broker, alice, mandy):
    for _ in range(3):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
    env = {**os.environ, "DATABASE_URL": _database_url(), "REPLICA_DATABASE_URL": _database_url(),
           "MEDIA_ROOT": str(media), "REPORTS_EXPORT_TEST_DELAY": "3"}
    worker = subprocess.Popen(  # noqa: S603 (our own worker command)
        [sys.executable, "-m", "celery", "-A", "safeguarding", "worker", "-Q", "celery", "--pool=prefork",
         "--concurrency=1", "--loglevel=warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        with transaction.atomic():
            export = services.export_request(actor=mandy, what="cases", params={"status": "open"}, fmt="csv")
        assert wait_for(lambda: ReportExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).exists(),
                        seconds=60), "never started"
        os.kill(_pool_child(worker.pid), signal.SIGKILL)  # the process making the export dies mid-way
        assert wait_for(lambda: ReportExport.objects.filter(pk=export.pk, status=ExportStatus.READY).exists(),
                        seconds=90), "not made again"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    export.refresh_from_db()
    assert export.attempts == 2 and export.rows == 3 and export.progress == 100
    assert [p.name for p in media.rglob("*.csv")] == [os.path.basename(export.file.name)]  # one file, not two
