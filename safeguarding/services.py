"""Writes to the kernel's records: agencies and the people who use the service.

The actor is a person or the named system actor (``access.system("setup_authority")``); either is audited.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import access, audit, outbox, policies
from .models import Agency, AuditAction, EmailPreference, Notification, User
from .roles import Role
from .sessions import sessions_end_for


@transaction.atomic
def agency_create(*, actor, name: str, kind: str, is_lead_authority: bool = False, postcode_districts=(),
                  mfa_required: bool = True) -> Agency:
    """``postcode_districts``: a lead authority's area ("NF1", "NF2"), to which referrals are routed by postcode.
    ``mfa_required``: its password users must give a second factor (safeguarding.factors)."""
    policies.can_add_agency.ensure(actor)
    group = Group.objects.create(name=f"Agency: {name}")
    agency = Agency(name=name, kind=kind, is_lead_authority=is_lead_authority, group=group,
                    postcode_districts=_districts(postcode_districts), mfa_required=mfa_required)
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


@transaction.atomic
def user_invite(*, actor, username: str, agency: Agency, roles, email: str, **fields) -> User:
    """Invite a person by email: their account exists, inactive and without a password, until they accept
    (``invitation_accept``). The email goes through the outbox and makes its link when it is sent."""
    from .tasks import invitation_send

    policies.can_add_user.ensure(actor)
    if not email:
        raise ValidationError({"email": "Enter the email address to send the invitation to"})
    user = User(username=username, agency=agency, email=email, is_active=False, **fields)
    user.set_unusable_password()
    user.is_staff = Role.ADMINISTRATOR in roles
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    audit.record(actor=actor, action=AuditAction.INVITE, target=user,
                 detail={"roles": sorted(str(r) for r in roles)})
    outbox.enqueue(invitation_send, user.pk)
    return user


@transaction.atomic
def invitation_accept(*, actor: User, password: str) -> User:
    """The invited person (``actor``: the link proved who they are) chose a password, checked against the service's
    rules: they are active from now, and the link in their email no longer works."""
    policies.can_accept_invitation.ensure(actor)
    user = User.objects.select_for_update().get(pk=actor.pk)
    policies.can_accept_invitation.ensure(user)  # again, locked: two tabs accepting at once set one password
    validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    audit.record(actor=user, action=AuditAction.ACCEPT, target=user)
    return user


@transaction.atomic
def user_factors_reset(*, actor, user: User) -> int:
    """Take away every second factor of ``user`` (a lost phone or key): their recovery codes too, and every session
    they have open. Their agency's rule then has them set up a new factor when they next sign in. Returns how many
    factors were removed."""
    from allauth.mfa.models import Authenticator

    policies.can_reset_factors.ensure(actor, user)
    factors = Authenticator.objects.filter(user=user)
    types = sorted(factors.values_list("type", flat=True))
    removed, _ = factors.delete()
    ended = sessions_end_for(user)
    audit.record(actor=actor, action=AuditAction.FACTORS_RESET, target=user,
                 detail={"types": types, "sessions_ended": ended})
    return removed


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
