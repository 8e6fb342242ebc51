from datetime import timedelta

from django.utils import timezone

from . import access
from .models import (
    AuditEvent,
    Notification,
    NotificationKind,
    RetentionItem,
    RetentionStatus,
    SubjectAccessRequest,
)


def audit_events_for(user):
    """The audit events a manager may search.

    The lead authority's managers answer for the whole partnership's records, so they see every event;
    a partner agency's managers see what their own people did.
    """
    events = AuditEvent.objects.select_related("actor", "agency", "target_type")
    if user.agency.is_lead_authority:
        return events
    return events.filter(agency_id=user.agency_id)


# --- A person's notifications: their own rows only, through the door (Notification.access_q) --------------------

NEW_FOR_AGENCY = (NotificationKind.SHARED, NotificationKind.CONTRIBUTION_REQUESTED, NotificationKind.ACTION_ASSIGNED)
NEW_FOR_AGENCY_DAYS = 30


def notifications_for(user, *, unread_only: bool = False):
    """``user``'s notifications, newest first."""
    rows = access.visible(user, Notification.objects.all())
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def notification_for(user, pk: int) -> Notification:
    return access.get_visible_or_404(user, Notification.objects.all(), pk=pk)


def unread_count(user) -> int:
    """How many of ``user``'s notifications are unread (the partial index of unread rows answers it)."""
    return notifications_for(user, unread_only=True).count()


def new_for_my_agency(user, limit: int = 8) -> list[Notification]:
    """What was lately shared with, asked of or given to the person's agency and they have not opened yet: their own
    unread notifications of those kinds in the last ``NEW_FOR_AGENCY_DAYS`` days. One query."""
    since = timezone.now() - timedelta(days=NEW_FOR_AGENCY_DAYS)
    return list(notifications_for(user, unread_only=True).filter(kind__in=NEW_FOR_AGENCY, created_at__gte=since)
                [:limit])


# --- Retention and subject access: an agency's own rows, through the door -----------------------------------------

def retention_queue(user):
    """The records of ``user``'s agency due for a decision, soonest first."""
    return access.visible(user, RetentionItem.objects.filter(status=RetentionStatus.DUE)).select_related(
        "schedule").order_by("due_on", "id")


def retention_item_for(user, pk: int) -> RetentionItem:
    return access.get_visible_or_404(user, RetentionItem.objects.select_related("schedule"), pk=pk)


def subject_access_requests(user):
    return access.visible(user, SubjectAccessRequest.objects.select_related("created_by", "reviewed_by")).order_by(
        "-created_at", "-id")


def subject_access_request_for(user, pk: int) -> SubjectAccessRequest:
    return access.get_visible_or_404(user, SubjectAccessRequest.objects.select_related(
        "created_by", "reviewed_by", "agency"), pk=pk)
