"""Panel packs: built by a real Celery worker against Redis, redacted by the access layer, never lost or doubled."""

import os
from io import BytesIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from panels import packs, services
from panels.models import PackStatus, PanelPack
from safeguarding import celery_app
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import QUEUES, client_for, kill_pool_process, prefork_worker, wait_for


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


def _ready(pack_ids):
    return lambda: PanelPack.objects.filter(pk__in=pack_ids, status=PackStatus.READY).count() == len(pack_ids)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_real_worker_builds_one_pack_per_agency_holding_only_what_each_may_see(
        client, media, broker, colin, pete, meeting, agenda, agencies):
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        requested = services.packs_request(actor=colin, meeting=meeting)
        assert {p.agency.name for p in requested} == {"Northfield Council", "Northfield Police", "Northfield Academy"}
        assert wait_for(_ready([p.pk for p in requested]))
    texts = {}
    for pack in PanelPack.objects.select_related("agency"):
        # A short agenda reads on a page or two: items follow one another, none is given a page of its own.
        assert pack.progress == 100 and 1 <= pack.pages <= 3 and pack.attempts == 1
        with pack.file.open("rb") as handle:
            texts[pack.agency.name] = pdf_text(handle.read())
    police, council = texts["Northfield Police"], texts["Northfield Council"]
    assert "OFFICIAL-SENSITIVE" in police and "Page 1 of" in police and "Contents" in police
    assert "Jayden Okafor" in police and "Missing three times" in police
    for secret in ("Kofi", "Mensah-Secret", "large sum of cash", "Eastgate Park", "Adults approaching children"):
        assert secret not in police, secret
    assert "2 items are about records not shared with Northfield Police: items 2 and 3" in police
    assert "Mensah-Secret" in council and "Eastgate Park" in council
    school = texts["Northfield Academy"]
    assert "Jayden Okafor" not in school and "Younger children carrying bags" in school
    # Downloads are audited, and an agency gets only its own pack.
    police_pack = PanelPack.objects.get(agency__name="Northfield Police")
    school_pack = PanelPack.objects.get(agency__name="Northfield Academy")
    client_for(client, pete)
    response = client.get(reverse("pack-download", args=[police_pack.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, target_id=str(police_pack.pk)).count() == 1
    assert client.get(reverse("pack-download", args=[school_pack.pk])).status_code == 404
    status = client.get(reverse("packs-status", args=[meeting.pk])).content.decode()
    assert "Northfield Police" in status and "Northfield Academy" not in status


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_building_twice_for_the_same_agenda_gives_one_pack_and_a_change_supersedes_it(
        media, broker, colin, meeting, agenda):
    first = services.packs_request(actor=colin, meeting=meeting)
    again = services.packs_request(actor=colin, meeting=meeting)
    assert [p.pk for p in first] == [p.pk for p in again]
    assert broker.llen("packs") == len(first)  # the second request queued nothing
    with CaptureQueriesContext(connections["replica"]) as replica:
        packs.build(first[0].pk)
    assert any("panels_agendaitem" in q["sql"] for q in replica.captured_queries)  # read on the replica
    packs.build(first[0].pk)  # a repeated delivery leaves the ready pack alone
    built = PanelPack.objects.get(pk=first[0].pk)
    assert built.status == PackStatus.READY and built.attempts == 1
    services.agenda_item_add(actor=colin, meeting=meeting, theme="Late item", reason="New intelligence")
    built.refresh_from_db()
    assert built.status == PackStatus.SUPERSEDED
    meeting.refresh_from_db()
    current = PanelPack.objects.filter(meeting=meeting, agenda_version=meeting.agenda_version)
    assert current.count() == len(first) and broker.llen("packs") == 2 * len(first)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_worker_killed_mid_build_leads_to_the_pack_being_built_again_exactly_once(
        media, broker, colin, meeting, agenda, agencies):
    with prefork_worker("packs", MEDIA_ROOT=str(media), PACK_BUILD_TEST_DELAY="1.5") as worker:
        [pack] = services.packs_request(actor=colin, meeting=meeting, agencies=[agencies["police"]])
        assert wait_for(lambda: PanelPack.objects.get(pk=pack.pk).progress > 5, seconds=60), "never started"
        kill_pool_process(worker)  # the process building the pack dies mid-build
        assert wait_for(_ready([pack.pk]), seconds=90)
    built = PanelPack.objects.get(pk=pack.pk)
    assert built.attempts == 2 and built.progress == 100
    assert PanelPack.objects.filter(meeting=meeting, agency=agencies["police"]).count() == 1
    assert sorted(p.name for p in (media / "packs").rglob("*.pdf")) == [os.path.basename(built.file.name)]


@pytest.mark.django_db
def test_a_job_for_a_pack_that_no_longer_exists_does_nothing():
    from panels.tasks import pack_build, pack_ready_notify

    assert packs.build(987654) is None
    assert pack_build.run(987654) is None and pack_ready_notify.run(987654) is None
