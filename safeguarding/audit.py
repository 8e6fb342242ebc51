"""The access log: who saw or did what to which record, when, and from where.

Rows are written here and nowhere else, and can never be changed (a database trigger refuses UPDATE and
DELETE on the table). Field-level change history of records is kept separately by django-pghistory.

Where an event comes from (the client's address, browser and the request's id) is set once per request by
``AuditContextMiddleware`` and read here, so services take the actor only and never the web request. Outside a
request (jobs, commands) there is no address, and the actor is the named system actor.
"""

import logging
import time
import uuid

from django.contrib.contenttypes.models import ContentType

from .models import AuditAction, AuditEvent
from .request_origin import Origin, _origin, origin

__all__ = ["Origin", "origin", "record", "record_view"]

requests_log = logging.getLogger("safeguarding.requests")


def _client_ip(request) -> str | None:
    from axes.helpers import get_client_ip_address

    # Behind a proxy, Axes' configured headers decide the address (AXES_IPWARE_META_PRECEDENCE_ORDER).
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Set the request's origin for every audit row written while it is handled; a request id that a proxy sent
    (X-Request-ID) is kept, otherwise one is made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = sent[:64] if sent.isprintable() and sent else uuid.uuid4().hex
        token = _origin.set(Origin(_client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:400], request_id))
        started = time.monotonic()
        try:
            response = self.get_response(request)
            # One line a request, for operators: the path without its query string (a search's terms are names).
            requests_log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1)})
        finally:
            _origin.reset(token)
        response["X-Request-ID"] = request_id
        return response


def label_of(target) -> str:
    """A reference for the log that names no one: the record's ``audit_label`` or its id."""
    return str(getattr(target, "audit_label", None) or target.pk)[:100]


def record(*, actor, action: AuditAction, target=None, detail=None):
    """Write one event by ``actor``: a signed-in person, or the named system actor of a job or command."""
    if actor is None or not actor.is_authenticated:
        raise ValueError("An audit event needs an actor: a person, or access.system(name) for a job or command.")
    return _write(actor=actor, username=actor.get_username(), action=action, target=target, detail=detail)


def _write(*, actor, username: str, action: AuditAction, target=None, detail=None):
    where = origin()
    person = actor is not None and actor.pk is not None
    if where.api_client:  # every event of an API call names the client, whatever service wrote it
        detail = {**(detail or {}), "api_client": where.api_client}
    return AuditEvent.objects.create(
        actor=actor if person else None,
        actor_username=username[:150],
        agency_id=actor.agency_id if person else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=label_of(target) if target is not None else "",
        ip_address=where.ip_address,
        user_agent=where.user_agent,
        request_id=where.request_id,
        detail=detail or {},
    )


def record_view(user, target, **detail):
    """A person opened a record's page: the one line every record view calls."""
    return record(actor=user, action=AuditAction.VIEW, target=target, detail=detail)


def on_logged_in(sender, request, user, **kwargs):
    request.session["signed_in_at"] = request.session["last_seen_at"] = _now()
    # How they signed in, when not with a password here (single sign-on sets it: safeguarding.sso).
    record(actor=user, action=AuditAction.LOGIN, detail=getattr(request, "sign_in_via", None))


def on_login_failed(sender, credentials, request=None, **kwargs):
    reason = "locked_out" if getattr(request, "axes_locked_out", False) else "bad_credentials"
    # Nobody is signed in: the event names what was typed, and where it came from.
    from .factors import typed_login

    record_failed_sign_in(username=typed_login(request, credentials), detail={"reason": reason})


def record_failed_sign_in(*, username: str, detail: dict):
    """A refused sign-in. Nobody is signed in: the event names who they said they were, and where it came from."""
    return _write(actor=None, username=username, action=AuditAction.LOGIN_FAILED, detail=detail)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action=AuditAction.LOGOUT,
               detail={"reason": getattr(request, "logout_reason", "signed_out")})


def _now() -> float:
    return time.time()
