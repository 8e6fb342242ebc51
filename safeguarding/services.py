"""Writes to the kernel's records: agencies and the people who use the service.

The actor is a person or the named system actor (``access.system("setup_authority")``); either is audited.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import access, audit, outbox, policies, retention
from .models import (
    Agency,
    AuditAction,
    EmailPreference,
    Notification,
    RetentionAction,
    RetentionItem,
    RetentionSchedule,
    RetentionStatus,
    SubjectAccessRequest,
    SubjectAccessStatus,
    User,
)
from .roles import Role
from .sessions import sessions_end_for
from .versioning import lock_current


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


# --- Retention and disposal (safeguarding.retention) -------------------------------------------------------------

@transaction.atomic
def retention_schedule_save(*, actor, record_type: str, months: int, action: str = RetentionAction.REVIEW,
                            is_active: bool = True, notes: str = "", schedule: RetentionSchedule | None = None
                            ) -> RetentionSchedule:
    """Set how long ``record_type`` is kept (a new schedule, or ``schedule`` changed). A type the service cannot
    erase itself (the audit log) is always listed for an operator."""
    policies.can_manage_retention_schedules.ensure(actor)
    kinds = retention.types()
    if record_type not in kinds:
        raise ValidationError({"record_type": "Choose a type of record."})
    if kinds[record_type].operator_only:
        action = RetentionAction.OPERATOR
    if schedule is None:
        schedule = RetentionSchedule(record_type=record_type)
    else:
        schedule = RetentionSchedule.objects.select_for_update().get(pk=schedule.pk)
        schedule.version += 1
    before = {f: getattr(schedule, f) for f in ("record_type", "months", "action", "is_active", "notes")}
    schedule.record_type, schedule.months, schedule.action = record_type, months, action
    schedule.is_active, schedule.notes = is_active, notes
    schedule.full_clean()
    schedule.save()
    audit.record(actor=actor, action=AuditAction.UPDATE if schedule.version > 1 else AuditAction.CREATE,
                 target=schedule, detail={"record_type": record_type, "months": months, "action": action,
                                          "is_active": is_active,
                                          "changed": sorted(f for f, v in before.items()
                                                            if getattr(schedule, f) != v)})
    return schedule


@transaction.atomic
def retention_list_due(*, actor, today=None) -> dict:
    """The daily job: list every record past its retention date into its agency's queue (safeguarding.retention).
    Idempotent: a record is listed once, and again only after a date it was kept until has passed."""
    policies.can_act_as_system.ensure(actor)
    today = today or timezone.localdate()
    listed, operator = retention.list_due(today)
    audit.record(actor=actor, action=AuditAction.CREATE, detail={
        "retention_listed": listed, "operator_due": {o.kind.key: o.count for o in operator}, "day": str(today)})
    return {"listed": listed, "operator_due": {o.kind.key: o.count for o in operator}}


@transaction.atomic
def retention_item_keep(*, actor, item: RetentionItem, expected_version: int, reason: str, keep_until
                        ) -> RetentionItem:
    """Keep a record beyond its date: why, and until when (it is listed again then)."""
    item = lock_current(item, expected_version)
    policies.can_decide_retention.ensure(actor, item)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the record must be kept."
    if keep_until is None or keep_until <= timezone.localdate():
        errors["keep_until"] = "The date to keep it until must be in the future."
    if errors:
        raise ValidationError(errors)
    item.status, item.keep_reason, item.keep_until = RetentionStatus.KEPT, reason.strip(), keep_until
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save()
    audit.record(actor=actor, action=AuditAction.KEEP, target=item,
                 detail={"record_type": item.record_type, "record_id": item.record_id,
                         "keep_until": str(keep_until)})
    return item


@transaction.atomic
def retention_item_dispose(*, actor, item: RetentionItem, expected_version: int) -> RetentionItem:
    """Dispose of a record that reached its date, in one transaction: its type erases names, dates of birth and free
    text, leaving a stub (its id, type, dates and a marker saying when, under which schedule and by whom); the item
    records what was erased for the operator's history purge. The audit log is untouched."""
    item = lock_current(item, expected_version)
    policies.can_decide_retention.ensure(actor, item)
    kind = retention.get(item.record_type)
    if kind.operator_only:
        raise ValidationError("Only an operator can remove records of this type.")
    record = retention.record_of(item, lock=True)
    disposal = retention.Disposal(actor=actor, schedule=item.schedule, on=timezone.localdate())
    if record is not None:
        kind.dispose(record, disposal)
    item.status, item.erased = RetentionStatus.DISPOSED, disposal.erased
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save()
    detail = {"record_type": item.record_type, "record_id": item.record_id, "schedule": item.schedule_id,
              "erased": {label: len(ids) for label, ids in disposal.erased.items()}}
    if record is not None:
        audit.record(actor=actor, action=AuditAction.DISPOSE, target=record, detail={**detail, "item": item.pk})
    audit.record(actor=actor, action=AuditAction.DISPOSE, target=item, detail=detail)
    return item


# --- Subject access (safeguarding.subject_access) ----------------------------------------------------------------

@transaction.atomic
def subject_access_request(*, actor, young_person, requested_by: str, received_on) -> SubjectAccessRequest:
    """Record a subject access request for ``young_person`` and queue its export (made by a worker, from what the
    actor's agency holds). Due one calendar month after it was received."""
    policies.can_request_subject_access.ensure(actor, young_person)
    errors = {}
    if not requested_by.strip():
        errors["requested_by"] = "Say who asked: the young person, or who is acting for them."
    if received_on is None or received_on > timezone.localdate():
        errors["received_on"] = "The date it was received must be today or in the past."
    if errors:
        raise ValidationError(errors)
    request = SubjectAccessRequest.objects.create(
        young_person_id=young_person.pk, young_person_label=audit.label_of(young_person), agency=actor.agency,
        requested_by=requested_by.strip(), received_on=received_on,
        due_on=retention.months_after(received_on, 1), created_by=actor)
    from .tasks import subject_access_build

    outbox.enqueue(subject_access_build, request.pk, key=f"subject-access:{request.pk}")
    audit.record(actor=actor, action=AuditAction.CREATE, target=request,
                 detail={"young_person": request.young_person_label, "received_on": str(received_on)})
    return request


@transaction.atomic
def subject_access_sign_off(*, actor, request: SubjectAccessRequest, expected_version: int, note: str = ""
                            ) -> SubjectAccessRequest:
    """Sign an export off for release, having read it: someone other than the person who asked. Only then can its
    files be downloaded."""
    request = lock_current(request, expected_version)
    policies.can_sign_off_subject_access.ensure(actor, request)
    request.status = SubjectAccessStatus.RELEASED
    request.reviewed_by, request.reviewed_at, request.review_note = actor, timezone.now(), note.strip()
    request.save()
    audit.record(actor=actor, action=AuditAction.APPROVE, target=request,
                 detail={"young_person": request.young_person_label})
    return request


@transaction.atomic
def subject_access_rebuild(*, actor, request: SubjectAccessRequest, expected_version: int) -> SubjectAccessRequest:
    """Make the export again from what is held now (after a correction, or when it failed), before sign-off."""
    request = lock_current(request, expected_version)
    policies.can_rebuild_subject_access.ensure(actor, request)
    request.status, request.error = SubjectAccessStatus.QUEUED, ""
    request.save()
    from .tasks import subject_access_build

    outbox.enqueue(subject_access_build, request.pk, key=f"subject-access:{request.pk}:{request.version}")
    audit.record(actor=actor, action=AuditAction.UPDATE, target=request, detail={"rebuild": True})
    return request
