"""A pack whose file is gone from storage: a clear page instead of the 500 it used to be, listed for administrators,
and built again by a real worker from the outbox job the download left."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from panels import services
from panels.models import PackStatus, PanelPack
from safeguarding import celery_app
from safeguarding.models import AuditAction, AuditEvent, MissingFile, OutboxJob

from ..conftest import QUEUES, client_for, wait_for


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_missing_pack_gets_a_clear_page_and_is_built_again(client, media, broker, colin, pete, adam, meeting,
                                                              agenda, agencies):
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        requested = services.packs_request(actor=colin, meeting=meeting)
        assert wait_for(lambda: PanelPack.objects.filter(
            pk__in=[p.pk for p in requested], status=PackStatus.READY).count() == len(requested))
    pack = PanelPack.objects.get(agency=agencies["police"])
    lost = pack.file.name
    pack.file.storage.delete(lost)
    url = reverse("pack-download", args=[pack.pk])

    response = client_for(client, pete).get(url)
    assert response.status_code == 410
    assert "being built again" in response.content.decode()
    pack.refresh_from_db()
    assert pack.status == PackStatus.QUEUED
    job = OutboxJob.objects.get(key=f"pack-rebuild:{pack.pk}:1")
    assert job.args == [pack.pk]
    missing = MissingFile.objects.get()
    assert (missing.path, missing.record_label, missing.resolved_at) == (lost, pack.audit_label, None)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, target_id=str(pack.pk),
                                     detail__rebuild="file missing").count() == 1
    # Asked again while it is rebuilt: not found as a ready pack (as any pack being built), nothing more queued.
    assert client.get(url).status_code == 404
    assert OutboxJob.objects.filter(key__startswith=f"pack-rebuild:{pack.pk}:").count() == 1
    health = client_for(client, adam).get(reverse("healthz") + "?detail=1").json()
    assert [m["path"] for m in health["detail"]["missing_files"]] == [lost]

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        assert job.__class__.objects.get(pk=job.pk).handed_at is not None  # handed to the broker on commit
        assert wait_for(lambda: PanelPack.objects.get(pk=pack.pk).status == PackStatus.READY)
    pack.refresh_from_db()
    assert pack.attempts == 2 and pack.file.storage.exists(pack.file.name)
    assert MissingFile.objects.get().resolved_at is not None
    response = client_for(client, pete).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(client, adam).get(reverse("healthz") + "?detail=1").json()["detail"]["missing_files"] == []
