"""Writes to the kernel's records: agencies and the people who use the service.

The actor is a person or the named system actor (``access.system("setup_authority")``); either is audited.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import access, audit, policies, webhooks
from .models import Agency, AuditAction, EmailPreference, Notification, User, WebhookSubscription
from .policy import must
from .roles import Role
from .sessions import sessions_end_for


@transaction.atomic
def agency_create(*, actor, name: str, kind: str, is_lead_authority: bool = False, postcode_districts=()) -> Agency:
    """``postcode_districts``: a lead authority's area ("NF1", "NF2"), to which referrals are routed by postcode."""
    policies.can_add_agency.ensure(actor)
    group = Group.objects.create(name=f"Agency: {name}")
    agency = Agency(name=name, kind=kind, is_lead_authority=is_lead_authority, group=group,
                    postcode_districts=_districts(postcode_districts))
    agency.full_clean()
    agency.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=agency)
    return agency


def _districts(districts) -> list[str]:
    return sorted({"".join(str(d).upper().split()) for d in districts if str(d).strip()})


@transaction.atomic
def agency_update(*, actor, agency: Agency, **fields) -> Agency:
    policies.can_change_agency.ensure(actor, agency)
    if "postcode_districts" in fields:
        fields["postcode_districts"] = _districts(fields["postcode_districts"])
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.full_clean()
    agency.save()
    agency.group.name = f"Agency: {agency.name}"
    agency.group.save(update_fields=["name"])
    audit.record(actor=actor, action=AuditAction.UPDATE, target=agency, detail={"fields": sorted(fields)})
    return agency


def _set_roles(user: User, roles):
    groups = [user.agency.group] + [Group.objects.get(name=Role(r).value) for r in roles]
    user.groups.set(groups)


@transaction.atomic
def user_create(
    *, actor, username: str, agency: Agency, roles, password: str | None = None, **fields
) -> User:
    policies.can_add_user.ensure(actor)
    user = User(username=username, agency=agency, **fields)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = Role.ADMINISTRATOR in roles
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    audit.record(actor=actor, action=AuditAction.CREATE, target=user,
                 detail={"roles": sorted(str(r) for r in roles)})
    return user


@transaction.atomic
def user_update(*, actor, user: User, roles=None, **fields) -> User:
    """Change a person's details, agency or roles; their agency group follows their agency."""
    policies.can_change_user.ensure(actor, user)
    for name, value in fields.items():
        setattr(user, name, value)
    current_roles = list(user.groups.exclude(agency__isnull=False).values_list("name", flat=True))
    roles = current_roles if roles is None else roles
    user.is_staff = Role.ADMINISTRATOR in roles
    user.full_clean(exclude=["password"])
    user.save()
    _set_roles(user, roles)
    if fields.get("is_active") is False:
        sessions_end_for(user)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=user, detail={"fields": sorted(fields)})
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> int:
    """Stop a person signing in, and end every session they have open. Returns the sessions ended."""
    policies.can_deactivate_user.ensure(actor, user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end_for(user)
    audit.record(actor=actor, action=AuditAction.DEACTIVATE, target=user,
                 detail={"sessions_ended": ended})
    return ended


# --- How a person is told ----------------------------------------------------------------------------------------

@transaction.atomic
def notification_preference_set(*, actor, preference: str) -> User:
    """How ``actor`` is emailed about their notifications: straight away, in one email a day, or never (what the
    service must tell them is emailed whatever they choose)."""
    policies.can_manage_own_notifications.ensure(actor)
    if preference not in EmailPreference.values:
        raise ValidationError({"preference": "Select how often we should email you"})
    person = User.objects.select_for_update().get(pk=actor.pk)
    before = person.email_notifications
    person.email_notifications = preference
    person.save(update_fields=["email_notifications"])
    actor.email_notifications = preference
    audit.record(actor=actor, action=AuditAction.UPDATE, target=person,
                 detail={"email_notifications": preference, "was": before})
    return person


@transaction.atomic
def notification_read(*, actor, notification: Notification) -> Notification:
    """``actor`` opened one of their notifications: it is read (already read stays as it was)."""
    policies.can_read_notification.ensure(actor, notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=notification, detail={"read": True})
    return notification


@transaction.atomic
def notifications_read_all(*, actor) -> int:
    """Every unread notification of ``actor`` is read; how many were."""
    policies.can_manage_own_notifications.ensure(actor)
    marked = access.visible(actor, Notification.objects.filter(read_at__isnull=True)).update(read_at=timezone.now())
    audit.record(actor=actor, action=AuditAction.UPDATE, detail={"notifications_read": marked})
    return marked


# --- Partner systems (webhooks, safeguarding.webhooks) -----------------------------------------------------------

def _webhook_events(events) -> list[str]:
    chosen = sorted(set(events))
    known = {value for value, _ in webhooks.SUBSCRIBABLE}
    if not chosen or not set(chosen) <= known:
        raise ValidationError({"events": "Select what the system should be told about"})
    return chosen


@transaction.atomic
def webhook_create(*, actor, agency: Agency, url: str, events, description: str = "") -> tuple[
        WebhookSubscription, str]:
    """Connect one of ``agency``'s systems: it is told of ``events`` at ``url``. Returns the subscription and its
    signing secret, which is shown this once (the service keeps it only to sign with)."""
    policies.can_manage_webhooks.ensure(actor, agency)
    url = url.strip()
    webhooks.check_url(url)
    secret = webhooks.new_secret()
    subscription = WebhookSubscription(agency=agency, url=url, events=_webhook_events(events),
                                       description=description.strip(), secret=secret,
                                       created_by=actor if getattr(actor, "pk", None) else None)
    subscription.full_clean()
    subscription.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=subscription,
                 detail={"agency_id": agency.pk, "url": url, "events": subscription.events})
    return subscription, secret


def _locked(subscription: WebhookSubscription) -> WebhookSubscription:
    return WebhookSubscription.objects.select_for_update().select_related("agency").get(pk=subscription.pk)


@transaction.atomic
def webhook_pause(*, actor, subscription: WebhookSubscription, reason: str = "") -> WebhookSubscription:
    """Stop telling the system anything until it is resumed: new events are not kept for it; deliveries already
    waiting wait, and are tried again on resuming."""
    policies.can_change_webhook.ensure(actor, subscription)
    current = _locked(subscription)
    must(current.is_active, "This connection is paused already.")
    current.is_active, current.paused_at = False, timezone.now()
    current.paused_reason = (reason.strip() or f"Paused by {actor}")[:300]
    current.save(update_fields=["is_active", "paused_at", "paused_reason"])
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current,
                 detail={"paused": True, "reason": current.paused_reason})
    return current


@transaction.atomic
def webhook_resume(*, actor, subscription: WebhookSubscription) -> WebhookSubscription:
    """Tell the system again; the deliveries that waited while it was paused are tried again now."""
    policies.can_change_webhook.ensure(actor, subscription)
    current = _locked(subscription)
    must(not current.is_active, "This connection is not paused.")
    current.is_active, current.paused_at, current.paused_reason = True, None, ""
    current.consecutive_failures = 0
    current.save(update_fields=["is_active", "paused_at", "paused_reason", "consecutive_failures"])
    resent = webhooks.resend_pending(current)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current, detail={"paused": False, "resent": resent})
    return current


@transaction.atomic
def webhook_rotate_secret(*, actor, subscription: WebhookSubscription) -> tuple[WebhookSubscription, str]:
    """A new signing secret, shown this once. The old one signs too (a second ``v1``) for
    ``WEBHOOKS_PREVIOUS_SECRET_HOURS``, so the receiver can change over without refusing an event."""
    policies.can_change_webhook.ensure(actor, subscription)
    current = _locked(subscription)
    secret = webhooks.new_secret()
    current.previous_secret, current.secret = current.secret, secret
    current.previous_secret_until = timezone.now() + timedelta(hours=settings.WEBHOOKS_PREVIOUS_SECRET_HOURS)
    current.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current,
                 detail={"secret_rotated": True, "previous_until": current.previous_secret_until.isoformat()})
    return current, secret


@transaction.atomic
def webhook_delete(*, actor, subscription: WebhookSubscription) -> None:
    """Disconnect the system: it and its delivery log go (the audit log keeps that it was, and what it was told)."""
    policies.can_change_webhook.ensure(actor, subscription)
    current = _locked(subscription)
    detail = {"agency_id": current.agency_id, "url": current.url, "events": current.events,
              "deliveries": current.deliveries.count()}
    audit.record(actor=actor, action=AuditAction.CLOSE, target=current, detail={"deleted": True, **detail})
    current.delete()


@transaction.atomic
def webhook_test(*, actor, subscription: WebhookSubscription):
    """Send the system a test event (about no record), to check it receives and verifies them."""
    policies.can_change_webhook.ensure(actor, subscription)
    current = _locked(subscription)
    must(current.is_active, "Resume this connection before sending a test event.")
    event = webhooks.emit_test(current)
    audit.record(actor=actor, action=AuditAction.SUBMIT, target=current,
                 detail={"test_event": str(event.event_id)})
    return event
