from datetime import timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import access, attachments
from .models import (
    Agency,
    AuditEvent,
    DeliveryStatus,
    InformationSharingAgreement,
    MissingFile,
    Notification,
    NotificationKind,
    RetentionItem,
    RetentionStatus,
    SubjectAccessRequest,
    WebhookDelivery,
    WebhookSubscription,
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


def new_for_my_agency_rows(user):
    """What was lately shared with, asked of or given to the person's agency and they have not opened yet: their own
    unread notifications of those kinds in the last ``NEW_FOR_AGENCY_DAYS`` days, newest first."""
    since = timezone.now() - timedelta(days=NEW_FOR_AGENCY_DAYS)
    return notifications_for(user, unread_only=True).filter(kind__in=NEW_FOR_AGENCY, created_at__gte=since)


def new_for_my_agency(user, limit: int = 8) -> list[Notification]:
    """The first ``limit`` of them: one query."""
    return list(new_for_my_agency_rows(user)[:limit])


# --- Documents attached to records: seen by whoever sees the record (Attachment.access_q) -----------------------

def documents_of(user, record):
    """The documents attached to ``record`` (already opened through the door), newest first, with who added them."""
    kind = attachments.kind_of(record)
    rows = kind.model.objects.filter(**{kind.parent_field: record}).select_related("uploaded_by", "agency")
    return access.visible(user, rows)


def document_for(user, word: str, pk: int):
    """One document, by its kind's word and id, or 404 (an unknown kind, or a record the reader may not see)."""
    kind = attachments.kind(word)
    return access.get_visible_or_404(user, kind.model.objects.select_related(kind.parent_field), pk=pk)


def missing_files(limit: int = 100) -> list[MissingFile]:
    """Stored files found missing and not there again yet, newest first: for administrators (/healthz detail)."""
    return list(MissingFile.objects.filter(resolved_at__isnull=True).select_related("record_type")[:limit])


# --- An agency's partner systems (webhooks): its administrators' pages, through the door (agency's own) ----------

def webhooks_for(user):
    """The connections of ``user``'s agency, oldest first, with how many deliveries wait (a count on the partial index
    of waiting deliveries, however long the log): one query."""
    waiting = (WebhookDelivery.objects.filter(subscription=OuterRef("pk"), status=DeliveryStatus.PENDING)
               .order_by().values("subscription").annotate(n=Count("pk")).values("n"))
    return access.visible(user, WebhookSubscription.objects.all()).annotate(
        waiting=Coalesce(Subquery(waiting), 0)).order_by("created_at", "id")


def webhook_for(user, pk: int) -> WebhookSubscription:
    """One connection of ``user``'s agency; another agency's is not found (404)."""
    return access.get_visible_or_404(user, WebhookSubscription.objects.select_related("agency", "created_by"), pk=pk)


def webhook_deliveries(user, subscription: WebhookSubscription):
    """The delivery log of one connection, newest first, each with its event and its attempts (two queries a page)."""
    return (access.visible(user, WebhookDelivery.objects.filter(subscription=subscription))
            .select_related("event").prefetch_related("attempt_log").order_by("-created_at", "-id"))


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


# --- Information-sharing agreements: those the person's agency is party to; all, for administrators --------------

def agreements_for(user):
    """The agreements ``user`` may read, current ones first, with their parties (two queries for a page)."""
    from .lawful import current_q

    return access.visible(user, InformationSharingAgreement.objects.all()).annotate(
        in_force=ExpressionWrapper(current_q(), output_field=BooleanField()),
    ).prefetch_related(Prefetch("parties", queryset=Agency.objects.order_by("name"))).order_by(
        "-in_force", "title", "id")


def agreement_for(user, pk: int) -> InformationSharingAgreement:
    return access.get_visible_or_404(user, InformationSharingAgreement.objects.prefetch_related(
        Prefetch("parties", queryset=Agency.objects.order_by("name"))), pk=pk)
