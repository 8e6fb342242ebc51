"""Webhooks delivered by a real Celery worker (real Redis) to a real HTTP receiver on 127.0.0.1.

The receiver is a thread running ``http.server`` on a free port of its own, answering each request with the next
status of a script (then 200) and keeping what it was sent. Settings let the worker call http on 127.0.0.1, which
production refuses (tests below prove it), and shorten the back-off to a fraction of a second.
"""

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from safeguarding import access, celery_app, services, webhooks
from safeguarding.models import (
    DeliveryStatus,
    Notification,
    NotificationKind,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from safeguarding.roles import Role
from tests.conftest import LAWFUL

from ..conftest import SYSTEM, _person, wait_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

ALL_EVENTS = [value for value, _ in webhooks.SUBSCRIBABLE]


class Receiver:
    """A partner's endpoint: answers the scripted statuses in turn (then 200), and keeps every request it got."""

    def __init__(self, script=()):
        self.script = list(script)
        self.received = []  # (path, headers, body)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append((self.path, dict(self.headers), body))
                    status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path="/hooks"):
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path):
        with self.lock:
            return [(headers, body) for got, headers, body in self.received if got == path]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_endpoints(settings):
    """What tests need and production refuses: http, to the loopback address; retries a fraction of a second apart."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOKS_RETRY_BASE = 0.2
    settings.WEBHOOKS_RETRY_MAX = 1.0
    return settings


def worker():
    return start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20)


def connect(agency, url, events=ALL_EVENTS):
    return services.webhook_create(actor=SYSTEM, agency=agency, url=url, events=events)


def expected_signature(secret, headers, body) -> bool:
    """The receiver's check, written out as docs/webhooks.md tells a partner to (not through the module)."""
    fields = [part.split("=", 1) for part in headers["EFH-Signature"].split(",")]
    timestamp = next(value for key, value in fields if key == "t")
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and any(hmac.compare_digest(mac, value) for key, value in fields if key == "v1")


def test_it_tells_the_police_of_a_record_shared_with_them_once_signed_and_thin_and_tells_housing_nothing(
        broker, local_endpoints, agencies, alice, person, case):
    with Receiver() as receiver:
        police_hook, police_secret = connect(agencies["police"], receiver.url("/police"))
        connect(agencies["housing"], receiver.url("/housing"))
        with worker():
            access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
            assert wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), 30)
            time.sleep(0.5)  # time for anything wrongly queued for housing to arrive too
        police, housing = receiver.to("/police"), receiver.to("/housing")

    assert len(police) == 1 and housing == []
    assert not WebhookEvent.objects.filter(agency=agencies["housing"]).exists()
    headers, body = police[0]
    assert expected_signature(police_secret, headers, body)
    assert webhooks.verify(police_secret, headers["EFH-Signature"], body)
    assert not webhooks.verify(police_secret, headers["EFH-Signature"], body.replace(b"case", b"cast"))
    assert not webhooks.verify("whsec_another", headers["EFH-Signature"], body)
    payload = json.loads(body)
    event = WebhookEvent.objects.get()
    assert payload == {"id": str(event.event_id), "type": "record.shared", "occurred_at": payload["occurred_at"],
                       "agency": agencies["police"].pk,
                       "resource": {"type": "case", "id": case.pk, "url": f"/api/v1/cases/{case.pk}/"}}
    assert datetime.fromisoformat(payload["occurred_at"]).utcoffset() is not None
    assert headers["EFH-Event-Id"] == payload["id"] and headers["Content-Type"] == "application/json"
    text = body.decode()
    for personal in (person.first_name, person.last_name, case.reference, alice.username):
        assert personal not in text
    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == police_hook and delivery.attempts == 1
    assert list(WebhookAttempt.objects.values_list("number", "status_code", "succeeded")) == [(1, 200, True)]


def test_a_receiver_answering_500_twice_gets_the_event_on_the_third_attempt_with_the_same_id(
        broker, local_endpoints, agencies, alice, case):
    with Receiver(script=[500, 500]) as receiver:
        connect(agencies["police"], receiver.url())
        with worker():
            access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
            assert wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), 30)
        got = receiver.to("/hooks")

    assert len(got) == 3
    assert len({headers["EFH-Event-Id"] for headers, _ in got}) == 1  # one event: the receiver dedupes by its id
    assert [headers["EFH-Delivery-Attempt"] for headers, _ in got] == ["1", "2", "3"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.DELIVERED, 3, None)
    log = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code", "succeeded",
                                                                            "error"))
    assert log == [(1, 500, False, "The endpoint answered 500"), (2, 500, False, "The endpoint answered 500"),
                   (3, 200, True, "")]
    first, second, third = WebhookAttempt.objects.filter(delivery=delivery).order_by("number")
    assert second.started_at > first.started_at and third.started_at > second.started_at
    assert WebhookSubscription.objects.get().consecutive_failures == 0


def test_failing_in_a_row_pauses_the_connection_tells_its_administrators_and_resuming_sends_what_waited(
        broker, local_endpoints, agencies, alice, case):
    local_endpoints.WEBHOOKS_PAUSE_AFTER = 2
    local_endpoints.WEBHOOKS_MAX_ATTEMPTS = 5
    petra = _person(agencies, "petra", "police", Role.ADMINISTRATOR)
    with Receiver(script=[503, 503, 503, 503]) as receiver:
        hook, _ = connect(agencies["police"], receiver.url())
        with worker():
            access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
            assert wait_for(lambda: not WebhookSubscription.objects.get().is_active, 30)
            # The third attempt, queued before the pause, finds it paused and waits without calling.
            assert wait_for(lambda: WebhookDelivery.objects.filter(next_attempt_at__isnull=True).exists(), 30)
            assert len(receiver.to("/hooks")) == 2
            told = Notification.objects.get(kind=NotificationKind.WEBHOOK_PAUSED)
            assert told.recipient == petra and told.required and told.url == f"/webhooks/{hook.pk}/"
            paused = WebhookSubscription.objects.get()
            assert "2 failed attempts in a row" in paused.paused_reason
            # Shared again while paused: nothing is kept for a paused connection.
            access.share(actor=alice, obj=case, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
            assert WebhookEvent.objects.count() == 1

            receiver.script.clear()
            services.webhook_resume(actor=petra, subscription=paused)
            assert wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), 30)
        assert len(receiver.to("/hooks")) == 3
    assert list(WebhookAttempt.objects.values_list("number", "status_code")) == [(1, 503), (2, 503), (3, 200)]


def test_a_redirect_is_not_followed(broker, local_endpoints, agencies):
    local_endpoints.WEBHOOKS_MAX_ATTEMPTS = 1
    with Receiver(script=[302]) as receiver:
        hook, _ = connect(agencies["police"], receiver.url())
        with worker():
            services.webhook_test(actor=SYSTEM, subscription=hook)
            assert wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED).exists(), 30)
        assert [path for path, _, _ in receiver.received] == ["/hooks"]
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.error) == (302, "Redirects are not followed: give the final address")


def test_a_test_event_is_about_no_record(broker, local_endpoints, agencies):
    with Receiver() as receiver:
        hook, secret = connect(agencies["police"], receiver.url(), events=["pack.ready"])
        with worker():
            services.webhook_test(actor=SYSTEM, subscription=hook)
            assert wait_for(lambda: len(receiver.to("/hooks")) == 1, 30)
        (headers, body), = receiver.to("/hooks")
    payload = json.loads(body)
    assert payload["type"] == "webhook.test" and payload["resource"] is None
    assert expected_signature(secret, headers, body)


def test_the_demo_receiver_checks_signatures_and_prints_what_it_is_sent(broker, local_endpoints, agencies):
    """manage.py webhook_receiver (what `make demo` starts), in a process of its own against the test database."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    receiver = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "webhook_receiver", "--port", str(port)],
        env={**os.environ, "DATABASE_URL": url, "REPLICA_DATABASE_URL": url}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert wait_for(lambda: _listening(port), 60), "the receiver did not start"
        hook, _ = connect(agencies["police"], f"http://127.0.0.1:{port}/efh-events", events=["record.shared"])
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/efh-events", data=b'{"id":"x"}', method="POST",
                                        headers={"EFH-Signature": f"t={int(time.time())},v1={'0' * 64}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)  # noqa: S310 - our own receiver on 127.0.0.1
        assert refused.value.code == 400
        with worker():
            event = services.webhook_test(actor=SYSTEM, subscription=hook)
            assert wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), 30)
    finally:
        os.killpg(receiver.pid, signal.SIGINT)
        out, err = receiver.communicate(timeout=30)
    assert f"webhook.test for agency {agencies['police'].pk}: no API address (event {event.event_id})" in out
    assert "signature does not verify" in err
    assert WebhookAttempt.objects.get().status_code == 204


def _listening(port) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
