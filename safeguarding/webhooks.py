"""Webhooks: an agency's partner systems told, signed and by a worker, what is addressed to the agency.

What is addressed to an agency is already told in one place, ``notifications.notify``: a caller that passes
``about=`` (the record the notification is about) also has ``emit`` called here, for the agency the notification
is for. So a record shared with an agency, a request to it (to contribute, to share, a referral or a transfer), an
action given to it or overdue, and its panel pack ready each become one ``WebhookEvent``; an agency that may not see
the record (asked through the same door, as the agency) is never told.

- **Thin**: the payload names no one and says nothing of the record but its kind, its id and its address in the API
  (``/api/v1/<name>/<id>/``), where the receiver fetches it with its own credentials, through the same door. So a
  delivery can never carry more than the agency may see. A record with no API route yet has ``"url": null``.
- **On commit, never lost**: an event and one ``WebhookDelivery`` per subscription are written in the change's own
  transaction, each delivery an outbox job (``safeguarding.outbox``): a rollback sends nothing, a broker outage
  delays it.
- **Delivered by a worker** (``safeguarding.tasks.webhook_deliver``), one attempt per job: a short timeout, no
  redirect followed, https only and public addresses only (the address is resolved, checked and then connected to,
  so a name cannot be switched to an internal address between the check and the request) unless settings allow
  otherwise. A failure is retried with exponential back-off up to ``WEBHOOKS_MAX_ATTEMPTS``; every attempt is logged
  (``WebhookAttempt``). ``WEBHOOKS_PAUSE_AFTER`` failed attempts in a row pause the subscription and tell the
  agency's administrators.
- **Signed**: ``EFH-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` (docs/webhooks.md says how a
  receiver checks it); retries carry the same ``EFH-Event-Id``, so a receiver dedupes by it.

Subscriptions are managed through ``safeguarding.services`` (``webhook_*``); this module holds the mechanism.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
from datetime import timedelta

import urllib3
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from . import access, audit, outbox
from .models import (
    AuditAction,
    DeliveryStatus,
    NotificationKind,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookEventType,
    WebhookSubscription,
)
from .roles import Perm

log = logging.getLogger(__name__)

ACTOR = "webhooks"  # the system actor that delivers, pauses and audits
SIGNATURE_HEADER = "EFH-Signature"
EVENT_HEADER = "EFH-Event-Id"
USER_AGENT = "EFH-Webhooks/1"
RESPONSE_READ_LIMIT = 4096  # a receiver's answer is read this far, then dropped: nothing of it is kept

# Which notifications are partner systems' events too (notifications.notify calls ``emit`` for these).
EVENT_OF_NOTIFICATION = {
    NotificationKind.SHARED: WebhookEventType.RECORD_SHARED,
    NotificationKind.CONTRIBUTION_REQUESTED: WebhookEventType.REQUEST_RECEIVED,
    NotificationKind.SHARE_REQUESTED: WebhookEventType.REQUEST_RECEIVED,
    NotificationKind.REFERRAL_RECEIVED: WebhookEventType.REQUEST_RECEIVED,
    NotificationKind.TRANSFER_ASKED: WebhookEventType.REQUEST_RECEIVED,
    NotificationKind.ACTION_ASSIGNED: WebhookEventType.ACTION_ASSIGNED,
    NotificationKind.ACTION_OVERDUE: WebhookEventType.ACTION_OVERDUE,
    NotificationKind.PACK_READY: WebhookEventType.PACK_READY,
}
SUBSCRIBABLE = [choice for choice in WebhookEventType.choices if choice[0] != WebhookEventType.TEST]


# --- Events ------------------------------------------------------------------------------------------------------

def resource(record) -> dict:
    """What a payload says of a record: its kind, its id, and where the API serves it (the model's ``API_ROUTE``),
    or ``None`` where the API has no route for it yet."""
    route = getattr(record, "API_ROUTE", None)
    return {"type": slugify(record._meta.verbose_name), "id": record.pk,
            "url": f"/api/v1/{route}/{record.pk}/" if route else None}


def _once(event_type: str, record, agency) -> str | None:
    """A happening that is told again on every run of a job (the daily overdue check, a pack's notice handed twice)
    is one event: once per record (and, overdue, per date it was due). Others are each an event of their own (shared
    again after being unshared, a referral sent back after more information)."""
    label = f"{event_type}:{record._meta.label_lower}:{record.pk}:{agency.pk}"
    if event_type == WebhookEventType.ACTION_OVERDUE:
        return f"{label}:{record.due_on.isoformat()}"
    if event_type in (WebhookEventType.ACTION_ASSIGNED, WebhookEventType.PACK_READY):
        return label
    return None


def emit(event_type: str, *, agency, record) -> WebhookEvent | None:
    """Tell ``agency``'s partner systems subscribed to ``event_type`` that it happened to ``record``; in the caller's
    transaction, delivered once it commits. One query when the agency has no such subscription (most agencies).
    Nothing is emitted for an agency that may not see ``record``."""
    subscriptions = list(WebhookSubscription.objects.filter(agency=agency, is_active=True,
                                                            events__contains=[event_type]))
    if not subscriptions:
        return None
    if not access.can(access.AgencyReader(agency), record):
        return None
    try:
        # A savepoint: a second run of a once-only happening (at the same moment, or later) meets the unique ``once``
        # and emits nothing, and the caller's change goes on.
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                type=event_type, agency=agency, resource=resource(record), once=_once(event_type, record, agency),
                record_type=ContentType.objects.get_for_model(record), record_id=str(record.pk))
    except IntegrityError:
        return None
    _deliver(event, subscriptions)
    return event


def emit_test(subscription: WebhookSubscription) -> WebhookEvent:
    """A test event to one subscription (whatever it subscribes to): about no record."""
    event = WebhookEvent.objects.create(type=WebhookEventType.TEST, agency=subscription.agency)
    _deliver(event, [subscription])
    return event


def _deliver(event: WebhookEvent, subscriptions):
    from .tasks import webhook_deliver

    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(event=event, subscription=subscription, next_attempt_at=event.occurred_at)
        for subscription in subscriptions])
    for delivery in deliveries:
        outbox.enqueue(webhook_deliver, delivery.pk, 1, key=f"webhook:{delivery.pk}:1")


def resend_pending(subscription: WebhookSubscription) -> int:
    """A subscription resumed: its deliveries still waiting are tried again now, from their next attempt."""
    from .tasks import webhook_deliver

    waiting = list(subscription.deliveries.filter(status=DeliveryStatus.PENDING).values_list("pk", "attempts"))
    now = timezone.now()
    WebhookDelivery.objects.filter(pk__in=[pk for pk, _ in waiting]).update(next_attempt_at=now)
    for pk, attempts in waiting:
        outbox.enqueue(webhook_deliver, pk, attempts + 1)  # a key of its own: the attempt's first job may be done
    return len(waiting)


# --- Signing -----------------------------------------------------------------------------------------------------

def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(subscription: WebhookSubscription, timestamp: int, body: bytes) -> str:
    """``t=<unix>,v1=<hex>``; with a second ``v1`` by the previous secret while it is still honoured."""
    parts = [f"t={timestamp}", f"v1={signature(subscription.secret, timestamp, body)}"]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and until > timezone.now():
        parts.append(f"v1={signature(subscription.previous_secret, timestamp, body)}")
    return ",".join(parts)


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (docs/webhooks.md): some ``v1`` matches, and ``t`` is within ``tolerance`` seconds."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for key, value in fields if key == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, value) for key, value in fields if key == "v1")


def body_of(event: WebhookEvent) -> bytes:
    return json.dumps(event.payload(), separators=(",", ":"), sort_keys=True).encode()


# --- Where a delivery may go ---------------------------------------------------------------------------------------

def _allowed_networks():
    return [ipaddress.ip_network(net, strict=False) for net in settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS]


def address_allowed(ip: str) -> bool:
    """A public address; or one in ``WEBHOOKS_ALLOWED_PRIVATE_NETWORKS`` (a test's receiver on 127.0.0.1)."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in net for net in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def check_url(url: str) -> None:
    """Refuse an endpoint that could never be delivered to: not https (unless ``WEBHOOKS_ALLOW_HTTP``), with
    credentials in it, or a literal private address. (A name is resolved and checked at every delivery.)"""
    try:
        parts = urllib3.util.parse_url(url)
    except urllib3.exceptions.LocationParseError:
        raise ValidationError({"url": "Enter a full web address, like https://partner.example/efh-events"}) from None
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.host:
        raise ValidationError({"url": "The address must start with https://"})
    if parts.auth:
        raise ValidationError({"url": "Do not put a username or password in the address: the signature proves who "
                                      "sent each event"})
    host = parts.host.strip("[]")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if (literal is not None and not address_allowed(str(literal))) or (
            host.lower() == "localhost" or host.lower().endswith(".localhost")) and not address_allowed("127.0.0.1"):
        raise ValidationError({"url": "The address must be one the internet can reach, not a private or local one"})


class Refused(Exception):
    """The endpoint may not be called (an address not allowed, a scheme not allowed)."""


def _resolve(host: str, port: int) -> str:
    """The address to connect to: every address the name has must be allowed (else one of them could be used)."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except socket.gaierror as exc:
        raise Refused(f"The name could not be resolved ({exc.strerror})") from None
    refused = sorted(ip for ip in found if not address_allowed(ip))
    if refused or not found:
        raise Refused("The address is private or local, so the service does not call it")
    return sorted(found)[0]


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST ``body`` to ``url``: (status code or None, error). Never raises; follows no redirect; the resolved,
    checked address is the one connected to (TLS still checks the certificate against the name)."""
    try:
        parts = urllib3.util.parse_url(url)
        allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
        if parts.scheme not in allowed or not parts.host:
            raise Refused(f"{parts.scheme or 'No'} scheme is not allowed")
        host = parts.host.strip("[]")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = _resolve(host, port)
    except Refused as exc:
        return None, str(exc)
    timeout = urllib3.Timeout(connect=settings.WEBHOOKS_CONNECT_TIMEOUT, read=settings.WEBHOOKS_READ_TIMEOUT)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(ip, port, timeout=timeout, retries=False, server_hostname=host,
                                           assert_hostname=host, cert_reqs="CERT_REQUIRED",
                                           ca_certs=settings.WEBHOOKS_CA_BUNDLE or None)
    else:
        pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False)
    host_header = host if parts.port is None else f"{parts.host}:{parts.port}"
    try:
        with pool:
            response = pool.urlopen("POST", parts.request_uri, body=body, headers={**headers, "Host": host_header},
                                    redirect=False, retries=False, assert_same_host=False, preload_content=False)
            response.read(RESPONSE_READ_LIMIT)
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        return None, f"{type(reason).__name__}: {reason}"[:300]
    if 200 <= response.status < 300:
        return response.status, ""
    if 300 <= response.status < 400:
        return response.status, "Redirects are not followed: give the final address"
    return response.status, f"The endpoint answered {response.status}"


# --- Delivering ------------------------------------------------------------------------------------------------------

def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, ...): doubling from the base, capped, with 10%
    jitter so many deliveries failed together are not retried together."""
    wait = min(settings.WEBHOOKS_RETRY_BASE * 2 ** (attempt - 1), settings.WEBHOOKS_RETRY_MAX)
    return wait * (1 + random.uniform(0, 0.1))  # noqa: S311 - spacing retries, not security


def _still_for(event: WebhookEvent) -> bool:
    """The event's record still exists and its agency may still see it (unshared since: not sent)."""
    if event.record_type_id is None:
        return True
    model = event.record_type.model_class()
    record = model._default_manager.filter(pk=event.record_id).first()
    return record is not None and access.can(access.AgencyReader(event.agency), record)


def attempt(delivery_id: int, number: int) -> str:
    """Attempt ``number`` of one delivery: what the worker's job does. Idempotent: a job handed twice, or a delivery
    already delivered, failed or tried that far, does nothing. The delivery's row is locked while the endpoint is
    called (a few seconds at most), so two copies of a job never both call it."""
    from .tasks import webhook_deliver

    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
                    .select_related("event__agency", "event__record_type", "subscription")
                    .filter(pk=delivery_id).first())
        if delivery is None:
            return "gone, or being tried by another worker"
        if delivery.status != DeliveryStatus.PENDING or delivery.attempts != number - 1:
            return "done already"
        subscription, event = delivery.subscription, delivery.event
        if not subscription.is_active:
            delivery.next_attempt_at = None
            delivery.save(update_fields=["next_attempt_at"])
            return "paused: tried again when resumed"
        now = timezone.now()
        if not _still_for(event):
            delivery.status, delivery.finished_at, delivery.next_attempt_at = DeliveryStatus.WITHHELD, now, None
            delivery.save(update_fields=["status", "finished_at", "next_attempt_at"])
            return "withheld"
        body = body_of(event)
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, EVENT_HEADER: str(event.event_id),
                   "EFH-Event-Type": event.type, "EFH-Delivery-Attempt": str(number),
                   SIGNATURE_HEADER: signature_header(subscription, timestamp, body)}
        started = time.monotonic()
        status_code, error = post(subscription.url, body, headers)
        took = round((time.monotonic() - started) * 1000)
        ok = not error
        WebhookAttempt.objects.create(delivery=delivery, number=number, started_at=now, duration_ms=took,
                                      status_code=status_code, error=error, succeeded=ok)
        delivery.attempts = number
        if ok or number >= settings.WEBHOOKS_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.DELIVERED if ok else DeliveryStatus.FAILED
            delivery.finished_at, delivery.next_attempt_at = timezone.now(), None
        if ok:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
            _audit_sent(delivery)
        elif number < settings.WEBHOOKS_MAX_ATTEMPTS:
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=backoff(number))
            outbox.enqueue(webhook_deliver, delivery.pk, number + 1, key=f"webhook:{delivery.pk}:{number + 1}",
                           after=delivery.next_attempt_at)
        delivery.save(update_fields=["status", "attempts", "finished_at", "next_attempt_at"])
        if not ok:
            _count_failure(subscription)
    return delivery.status


def purge(days: int | None = None) -> int:
    """Delete finished deliveries (their attempts with them) older than ``WEBHOOKS_LOG_DAYS``; waiting ones stay.
    Returns how many rows went. Idempotent (beat runs it daily). The events stay: append-only for the app's database
    role, like every table of events (safeguarding.dbroles), they are the ledger of what each agency was told."""
    before = timezone.now() - timedelta(days=settings.WEBHOOKS_LOG_DAYS if days is None else days)
    deleted, _ = WebhookDelivery.objects.filter(finished_at__lt=before).delete()
    return deleted


def _audit_sent(delivery: WebhookDelivery):
    """A partner system was told of a record: the access log says so, as it says when a person opens one."""
    event = delivery.event
    target = None
    if event.record_type_id is not None:
        target = event.record_type.model_class()._default_manager.filter(pk=event.record_id).first()
    audit.record(actor=access.system(ACTOR), action=AuditAction.SEND, target=target, detail={
        "webhook": delivery.subscription_id, "agency_id": event.agency_id, "event": str(event.event_id),
        "type": event.type, "attempt": delivery.attempts})


def _count_failure(subscription: WebhookSubscription):
    """One more failure in a row; at ``WEBHOOKS_PAUSE_AFTER`` the subscription is paused and the agency's
    administrators told (what the service must tell them: emailed whatever they chose)."""
    from . import notifications, services

    WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = WebhookSubscription.objects.filter(pk=subscription.pk).values_list("consecutive_failures",
                                                                                   flat=True).first()
    if failures is None or failures < settings.WEBHOOKS_PAUSE_AFTER:
        return
    try:
        services.webhook_pause(actor=access.system(ACTOR), subscription=subscription,
                               reason=f"Paused by the service after {failures} failed attempts in a row")
    except ValidationError:
        return  # paused already (by a person, or by another worker's failure a moment ago)
    from django.urls import reverse

    notifications.notify(kind=NotificationKind.WEBHOOK_PAUSED, title=f"Connection {subscription.audit_label} "
                             f"paused after {failures} failed deliveries", url=reverse("webhook",
                                                                                       args=[subscription.pk]),
                             agency=subscription.agency, perm=Perm.MANAGE_WEBHOOKS, required=True)
