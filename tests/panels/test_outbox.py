"""No lost jobs: a broker outage delays panel packs and minute emails, never loses them, and never fails a request.

The broker is a private ``redis-server`` this test starts on a free port, stops mid-test and starts again (the shared
Redis is never touched). The worker is a real Celery worker against it.
"""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import AgendaItem, Meeting, MeetingStatus, PackStatus, PanelPack
from safeguarding import celery_app, outbox
from safeguarding.models import OutboxJob

from ..conftest import QUEUES, client_for, wait_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, on 127.0.0.1, that it can stop and start again on the same port."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own redis-server, bound to loopback
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self._answers, seconds=10), "the private redis-server did not start"

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=10)
        assert not self._answers()

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def _use_broker(url: str):
    """Point the app (its producers, and the workers the test starts) at ``url``; kombu keeps a pool per URL."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_broker(settings):
    redis = PrivateRedis()
    redis.start()
    shared = celery_app.conf.broker_url
    _use_broker(redis.url)
    yield redis
    if redis.process.poll() is None:
        redis.stop()
    _use_broker(shared)



def test_a_broker_outage_delays_packs_and_minute_emails_and_loses_nothing(
        client, private_broker, media, colin, meeting, agenda):
    client_for(client, colin)
    # Jobs the setting up handed before the broker died (the share's notification email): lost with the broker's
    # memory, they are handed again by the sweep once stale (OUTBOX_HAND_AGAIN_AFTER), as below.
    handed_before = list(OutboxJob.objects.values_list("pk", flat=True))
    private_broker.stop()

    # Packs asked for while the broker is down: the page answers, says so plainly, and the packs wait.
    started = time.monotonic()
    response = client.post(reverse("packs-request", args=[meeting.pk]), follow=True)
    assert response.status_code == 200 and time.monotonic() - started < 15
    assert "not answering just now" in response.content.decode()
    assert PanelPack.objects.filter(meeting=meeting, status=PackStatus.QUEUED).count() == 3
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PACKS_SENT
    assert OutboxJob.objects.filter(task="panels.tasks.pack_build", handed_at__isnull=True).count() == 3

    # An agenda item added meanwhile is saved once (the page answers, so nobody submits it twice).
    response = client.post(reverse("item-new", args=[meeting.pk]),
                           {"kind": "theme", "theme": "Bus station at night", "reason": "Reports this week"})
    assert response.status_code == 302
    assert AgendaItem.objects.filter(meeting=meeting, theme="Bus station at night").count() == 1

    # Minutes approved meanwhile: approved, and the emails wait.
    for to in (MeetingStatus.IN_PROGRESS, MeetingStatus.MINUTES_DRAFTED, MeetingStatus.MINUTES_APPROVED):
        current = Meeting.objects.get(pk=meeting.pk)
        response = client.post(reverse("meeting-advance", args=[meeting.pk]),
                               {"to": to, "version": current.version}, follow=True)
        assert response.status_code == 200
    assert "will be emailed to everyone who attended as soon as it is back" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.MINUTES_APPROVED
    assert outbox.waiting([services.minutes_key(meeting)])

    # The broker comes back: the sweep (beat, every minute) hands everything over, and a worker does it all once.
    private_broker.start()
    OutboxJob.objects.filter(pk__in=handed_before, done_at__isnull=True).update(
        handed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_HAND_AGAIN_AFTER + 1))  # time passes
    assert outbox.sweep() >= 4
    mail.outbox = []
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        current = list(PanelPack.objects.filter(meeting=meeting).exclude(status=PackStatus.SUPERSEDED))
        assert wait_for(lambda: all(p.status == PackStatus.READY for p in
                                    PanelPack.objects.filter(pk__in=[p.pk for p in current])), seconds=90)
        assert wait_for(lambda: any(m.subject.startswith("Minutes approved") for m in mail.outbox), seconds=30)
        assert wait_for(lambda: not OutboxJob.objects.filter(done_at__isnull=True).exists(), seconds=30)
        # Handing everything again (a sweep racing a slow worker) still yields one result of each.
        for job in OutboxJob.objects.all():
            outbox.hand(job.pk)
        time.sleep(3)
    assert sum(m.subject.startswith("Minutes approved") for m in mail.outbox) == 1
    ready = PanelPack.objects.filter(meeting=meeting, status=PackStatus.READY)
    assert ready.count() == 3 and all(p.attempts == 1 for p in ready)


def test_a_job_of_a_transaction_that_rolls_back_is_never_handed(private_broker, colin, meeting, agenda):
    from django.db import transaction

    before = set(OutboxJob.objects.values_list("pk", flat=True))  # the setting up's (a share's notification email)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.packs_request(actor=colin, meeting=meeting)
        raise RuntimeError("rolled back")
    assert set(OutboxJob.objects.values_list("pk", flat=True)) == before and not PanelPack.objects.exists()


def test_a_job_handed_too_often_is_given_up_and_logged(settings, private_broker, caplog):
    from safeguarding.tasks import sessions_clear_expired

    settings.OUTBOX_MAX_HANDS = 2
    settings.OUTBOX_HAND_AGAIN_AFTER = 0
    job = outbox.enqueue(sessions_clear_expired, key="never-done")
    OutboxJob.objects.filter(pk=job.pk).update(hand_count=2)
    assert outbox.sweep() == 0
    job.refresh_from_db()
    assert job.given_up_at is not None and "giving up" in caplog.text
