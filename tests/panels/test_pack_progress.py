"""A pack's progress moves with the real steps of its build (queued, gathering, rendering, storing, ready or failed),
each written as it happens, and the meeting page names the step."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panels import packs, services
from panels.models import PackStatus, PackStep, PanelPack

from ..conftest import client_for

pytestmark = pytest.mark.django_db(databases=["default", "replica"])



@pytest.mark.django_db(transaction=True, databases=["default", "replica"])  # the build reads on the replica
def test_the_build_records_each_step_as_it_reaches_it(media, colin, meeting, agenda, agencies):
    [pack] = services.packs_request(actor=colin, meeting=meeting, agencies=[agencies["police"]])
    assert (pack.status, pack.step, pack.progress) == (PackStatus.QUEUED, PackStep.QUEUED, 0)
    with CaptureQueriesContext(connection) as queries:
        packs.build(pack.pk)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "panels_panelpack"')]
    steps = [re.search(r'"step" = \'(\w+)\'', sql).group(1) for sql in writes]
    progress = [int(re.search(r'"progress" = (\d+)', sql).group(1)) for sql in writes]
    # Claimed (gathering), one write per agenda item, then laying out (started, and each of WeasyPrint's own steps:
    # parsing, styling, layout, writing), storing, ready.
    gathering = 1 + len(agenda)
    assert steps[:gathering] == ["gathering"] * gathering, steps
    rendering = steps[gathering:-2]
    assert set(rendering) == {"rendering"} and len(rendering) >= 4, steps
    assert steps[-2:] == ["storing", "ready"], steps
    assert progress == sorted(progress) and progress[0] == 5 and progress[-1] == 100, progress
    assert all(a < b for a, b in zip(progress, progress[1:], strict=False)), progress  # each write moves the bar
    built = PanelPack.objects.get(pk=pack.pk)
    assert (built.status, built.step, built.progress) == (PackStatus.READY, PackStep.READY, 100)


def test_a_failed_build_keeps_the_step_it_reached(colin, meeting, agenda, agencies):
    [pack] = services.packs_request(actor=colin, meeting=meeting, agencies=[agencies["police"]])
    PanelPack.objects.filter(pk=pack.pk).update(status=PackStatus.BUILDING, step=PackStep.RENDERING, progress=45)
    packs.fail(pack.pk, "The pack could not be built (MemoryError). Try again.")
    failed = PanelPack.objects.get(pk=pack.pk)
    assert failed.status == PackStatus.FAILED and failed.step == PackStep.RENDERING


def test_the_meeting_page_names_the_step_and_what_is_done(client, colin, meeting, agenda, agencies):
    building, failed, queued = services.packs_request(actor=colin, meeting=meeting)
    PanelPack.objects.filter(pk=building.pk).update(status=PackStatus.BUILDING, step=PackStep.RENDERING, progress=45)
    PanelPack.objects.filter(pk=failed.pk).update(status=PackStatus.FAILED, step=PackStep.GATHERING,
                                                  error="It took too long to build. Try again, or split the agenda.")
    client_for(client, colin)
    panel = client.get(reverse("packs-status", args=[meeting.pk])).content.decode()
    assert f"<strong>{building.agency}</strong>: Laying out the pages" in panel
    assert "Gathering what the agency may see: done" in panel and "Storing the file: to do" in panel
    assert 'aria-current="step"' in panel and 'value="45"' in panel
    assert f"<strong>{failed.agency}</strong>: Failed while gathering what the agency may see" in panel
    assert "It took too long to build" in panel
    assert f"<strong>{queued.agency}</strong>: Queued: waiting for the job service" in panel
    assert 'hx-trigger="every 2s"' in panel  # still polling while one builds
