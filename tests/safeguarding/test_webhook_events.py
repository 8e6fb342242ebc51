"""What becomes a webhook event, for whom, and what never does: the whole security world built through the services
with every agency's system subscribed to everything (tests/security/world.py), and the mechanism's own guards.

Written in the change's transaction (no worker here: tests/safeguarding/test_webhooks.py delivers them)."""

import json
import socket

import pytest
from django.core.exceptions import ValidationError

from panels.reminders import _notify_overdue
from panels.tasks import pack_ready_notify
from safeguarding import access, services, webhooks
from safeguarding.models import DeliveryStatus, OutboxJob, WebhookAttempt, WebhookDelivery, WebhookEvent
from tests.conftest import LAWFUL

from ..conftest import SYSTEM
from ..security import world as world_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scanner")]  # the world scans its documents

ALL_EVENTS = [value for value, _ in webhooks.SUBSCRIBABLE]


@pytest.fixture
def everyone_subscribed(agencies):
    return {key: services.webhook_create(actor=SYSTEM, agency=agency, url=f"https://{key}.example.org/efh",
                                         events=ALL_EVENTS)[0] for key, agency in agencies.items()}


def events_of(agency) -> list[tuple[str, str, str | None]]:
    return sorted((e.type, e.resource["type"], e.resource["url"] and e.resource["url"].split("/")[3])
                  for e in WebhookEvent.objects.filter(agency=agency))


def test_each_agency_is_told_what_is_addressed_to_it_and_housing_nothing(cast, agencies, everyone_subscribed):
    world, secrets = world_module.build(cast, agencies)
    pack = world["pack"]
    pack_ready_notify.run(pack.pk)
    pack_ready_notify.run(pack.pk)  # the notice handed twice: one event
    _notify_overdue(world["action"])
    _notify_overdue(world["action"])  # the daily check run twice: one event for that due date

    assert events_of(agencies["police"]) == sorted([
        ("record.shared", "case", "cases"), ("record.shared", "case", "cases"),  # the case and the friend's
        ("record.shared", "place", "places"), ("record.shared", "peer-group", "peer-groups"),
        ("action.assigned", "action", "actions"), ("action.overdue", "action", "actions"),
        ("request.received", "case-transfer", None),  # no API route for transfers yet
        ("pack.ready", "panel-pack", "panel-packs"),
    ])  # not the meeting: a panel's members are granted its meetings when scheduled, which is not a share
    assert ("request.received", "contribution-request", "contribution-requests") in events_of(agencies["school"])
    la = events_of(agencies["la"])
    assert ("request.received", "young-person-referral", "referrals") in la
    assert ("request.received", "context-referral", None) in la  # no API route for a context's referral yet
    assert ("request.received", "share-request", None) in la  # the chair asks the council to share the place
    assert ("request.received", "context-transfer", None) in la
    assert events_of(agencies["housing"]) == []
    assert not WebhookDelivery.objects.filter(subscription=everyone_subscribed["housing"]).exists()

    # One delivery per event to the agency's one subscription, each an outbox job; and nothing personal in any body.
    for event in WebhookEvent.objects.all():
        delivery = WebhookDelivery.objects.get(event=event)
        assert delivery.subscription.agency_id == event.agency_id
        assert OutboxJob.objects.filter(task="safeguarding.tasks.webhook_deliver", args=[delivery.pk, 1]).exists()
        body = webhooks.body_of(event).decode()
        assert set(json.loads(body)) == {"id", "type", "occurred_at", "agency", "resource"}
        assert not [secret for secret in secrets if secret in body]
        # The door agrees: the agency told may see the record it is told about.
        record = event.record_type.model_class()._default_manager.get(pk=event.record_id)
        assert access.can(access.AgencyReader(event.agency), record)


def test_nothing_is_emitted_for_an_agency_that_may_not_see_the_record(agencies, alice, case, everyone_subscribed):
    assert webhooks.emit("record.shared", agency=agencies["housing"], record=case) is None
    assert not WebhookEvent.objects.exists()


def test_an_agency_without_a_subscription_costs_one_query(agencies, alice, case, django_assert_num_queries):
    with django_assert_num_queries(1):  # the agency's active subscriptions to the event: none
        assert webhooks.emit("record.shared", agency=agencies["police"], record=case) is None


def test_a_record_unshared_before_delivery_is_withheld_without_calling(agencies, alice, case, everyone_subscribed):
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    access.unshare(actor=alice, obj=case, agency=agencies["police"])
    delivery = WebhookDelivery.objects.get()
    assert webhooks.attempt(delivery.pk, 1) == DeliveryStatus.WITHHELD
    assert not WebhookAttempt.objects.exists()
    assert webhooks.attempt(delivery.pk, 1) == "done already"


def test_a_paused_subscription_gets_no_new_events(agencies, alice, case, everyone_subscribed):
    services.webhook_pause(actor=SYSTEM, subscription=everyone_subscribed["police"])
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert not WebhookEvent.objects.exists()


# --- Where a delivery may go ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://partner.example.org/efh",  # not https
    "https://user:pass@partner.example.org/efh",  # credentials in the address
    "https://127.0.0.1/efh", "https://10.1.2.3/efh", "https://192.168.0.9/efh", "https://169.254.169.254/latest",
    "https://[::1]/efh", "https://[::ffff:10.0.0.1]/efh", "https://localhost/efh", "https://api.localhost/efh",
    "ftp://partner.example.org/efh", "https:///efh",
])
def test_it_refuses_an_endpoint_it_would_never_call(url, agencies):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(actor=SYSTEM, agency=agencies["police"], url=url, events=["record.shared"])
    assert "url" in refused.value.message_dict


def test_it_takes_a_public_https_endpoint(agencies):
    hook, secret = services.webhook_create(actor=SYSTEM, agency=agencies["police"],
                                           url=" https://partner.example.org:8443/efh?x=1 ", events=["record.shared"])
    assert hook.url == "https://partner.example.org:8443/efh?x=1" and secret.startswith("whsec_") and len(secret) > 40


def test_a_delivery_to_a_name_that_resolves_to_a_private_address_is_refused_before_connecting(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    with socket.socket() as listener:  # something listening there, which must never be reached
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        status, error = webhooks.post(f"http://localhost:{port}/efh", b"{}", {})
        with pytest.raises(TimeoutError):
            listener.accept()
    assert status is None and error == "The address is private or local, so the service does not call it"


def test_http_is_refused_at_delivery_unless_allowed(settings):
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    status, error = webhooks.post("http://127.0.0.1:9/efh", b"{}", {})
    assert status is None and error == "http scheme is not allowed"


def test_signatures_verify_within_the_replay_window_only():
    body = b'{"id":"x"}'
    header = f"t=1700000000,v1={webhooks.signature('whsec_a', 1700000000, body)}"
    assert webhooks.verify("whsec_a", header, body, now=1700000000 + 299)
    assert not webhooks.verify("whsec_a", header, body, now=1700000000 + 301)  # replayed later
    assert not webhooks.verify("whsec_b", header, body, now=1700000000)
    assert not webhooks.verify("whsec_a", "v1=abc", body, now=1700000000)


def test_after_rotation_both_secrets_sign_for_a_while(agencies):
    hook, old = services.webhook_create(actor=SYSTEM, agency=agencies["police"], url="https://p.example.org/",
                                        events=["record.shared"])
    hook, new = services.webhook_rotate_secret(actor=SYSTEM, subscription=hook)
    header = webhooks.signature_header(hook, 1700000000, b"{}")
    assert new != old and header.count("v1=") == 2
    assert webhooks.verify(new, header, b"{}", now=1700000000) and webhooks.verify(old, header, b"{}", now=1700000000)


def test_backoff_doubles_up_to_its_cap(settings):
    settings.WEBHOOKS_RETRY_BASE, settings.WEBHOOKS_RETRY_MAX = 30, 3600
    waits = [webhooks.backoff(n) for n in range(1, 10)]
    assert 30 <= waits[0] <= 33 and 60 <= waits[1] <= 66 and 120 <= waits[2] <= 132
    assert all(3600 <= wait <= 3960 for wait in waits[7:])


def test_the_demo_connects_the_polices_system_to_the_local_receiver_only_where_it_may_be_called(settings):
    from io import StringIO

    from safeguarding import demo
    from safeguarding.models import WebhookSubscription

    demo.seed(demo.Run(StringIO()))
    assert not WebhookSubscription.objects.exists()  # production settings: http to 127.0.0.1 is never called
    settings.WEBHOOKS_ALLOW_HTTP, settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = True, ["127.0.0.1/32"]  # as DEBUG
    demo.seed(demo.Run(StringIO()))
    demo.seed(demo.Run(StringIO()))  # again: nothing more
    hook = WebhookSubscription.objects.get()
    assert (hook.agency.name, hook.url, hook.created_by.username) == (
        "Northfield Constabulary", demo.DEMO_RECEIVER, "police.admin")
    assert set(hook.events) == set(ALL_EVENTS)


# --- https: the address checked is the one connected to, and the certificate is checked against the name ---------

@pytest.fixture
def tls_receiver(tmp_path, settings):
    """An https receiver on 127.0.0.1 with a certificate for "localhost" from a CA of this test's own."""
    import datetime
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append((self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WEBHOOKS_CA_BUNDLE = str(cert_file)
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32", "::1/128"]
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def test_it_delivers_over_https_to_the_checked_address_with_the_certificate_checked_against_the_name(tls_receiver):
    port, received = tls_receiver
    assert webhooks.post(f"https://localhost:{port}/hooks", b'{"a":1}', {"Content-Type": "application/json"}) == (
        204, "")
    assert received == [(f"localhost:{port}", b'{"a":1}')]
    # The same server by its address: its certificate does not name it, so nothing is sent.
    status, error = webhooks.post(f"https://127.0.0.1:{port}/hooks", b"{}", {})
    assert status is None and "SSL" in error and len(received) == 1


def test_finished_deliveries_leave_the_log_after_their_days_and_waiting_ones_stay(agencies, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.WEBHOOKS_LOG_DAYS = 90
    hook, _ = services.webhook_create(actor=SYSTEM, agency=agencies["police"], url="https://p.example.org/",
                                      events=["record.shared"])
    old, waiting, recent = (webhooks.emit_test(hook) for _ in range(3))
    long_ago = timezone.now() - timedelta(days=91)
    WebhookDelivery.objects.filter(event__in=[old, waiting]).update(created_at=long_ago)
    WebhookDelivery.objects.filter(event=old).update(status=DeliveryStatus.DELIVERED, finished_at=long_ago)
    WebhookDelivery.objects.filter(event=recent).update(status=DeliveryStatus.DELIVERED, finished_at=timezone.now())
    WebhookAttempt.objects.create(delivery=WebhookDelivery.objects.get(event=old), number=1, status_code=200,
                                  succeeded=True)
    assert webhooks.purge() == 2  # the delivery and its attempt
    assert webhooks.purge() == 0
    assert set(WebhookDelivery.objects.values_list("event_id", flat=True)) == {waiting.pk, recent.pk}
    assert WebhookEvent.objects.count() == 3  # the ledger of what was told stays


def test_the_events_are_append_only_for_the_apps_database_role(agencies):
    from django.db import DatabaseError, transaction

    hook, _ = services.webhook_create(actor=SYSTEM, agency=agencies["police"], url="https://p.example.org/",
                                      events=["record.shared"])
    event = webhooks.emit_test(hook)
    for change in (lambda: WebhookEvent.objects.filter(pk=event.pk).update(type="record.shared"),
                   lambda: WebhookEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
