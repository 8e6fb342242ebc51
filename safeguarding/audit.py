"""The access log: who saw or did what to which record, when, and from where.

Rows are written here and nowhere else, and can never be changed (a database trigger refuses UPDATE and
DELETE on the table). Field-level change history of records is kept separately by django-pghistory.
"""

import time

from django.contrib.contenttypes.models import ContentType

from .models import AuditAction, AuditEvent


def _client(request):
    if request is None:
        return None, ""
    # Behind a proxy, Axes' configured headers decide the address (AXES_IPWARE_META_PRECEDENCE_ORDER).
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None
    return ip, request.META.get("HTTP_USER_AGENT", "")[:400]


def label_of(target) -> str:
    """A reference for the log that names no one: the record's ``audit_label`` or its id."""
    return str(getattr(target, "audit_label", None) or target.pk)[:100]


def record(*, actor, action: AuditAction, target=None, request=None, detail=None, username: str = ""):
    ip, agent = _client(request)
    signed_in = actor is not None and actor.is_authenticated
    return AuditEvent.objects.create(
        actor=actor if signed_in else None,
        actor_username=(actor.get_username() if signed_in else username)[:150],
        agency_id=actor.agency_id if signed_in else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=label_of(target) if target is not None else "",
        ip_address=ip,
        user_agent=agent,
        detail=detail or {},
    )


def record_view(request, target, **detail):
    """A person opened a record's page: the one line every record view calls."""
    return record(actor=request.user, action=AuditAction.VIEW, target=target, request=request, detail=detail)


def on_logged_in(sender, request, user, **kwargs):
    request.session["signed_in_at"] = request.session["last_seen_at"] = _now()
    record(actor=user, action=AuditAction.LOGIN, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    reason = "locked_out" if getattr(request, "axes_locked_out", False) else "bad_credentials"
    record(actor=None, action=AuditAction.LOGIN_FAILED, request=request,
           username=str(credentials.get("username", "")), detail={"reason": reason})


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action=AuditAction.LOGOUT, request=request,
               detail={"reason": getattr(request, "logout_reason", "signed_out")})


def _now() -> float:
    return time.time()
