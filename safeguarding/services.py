"""Writes to the kernel's records: agencies and the people who use the service.

The actor is a person or the named system actor (``access.system("setup_authority")``); either is audited.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import access, attachments, audit, policies
from .models import Agency, AuditAction, EmailPreference, MissingFile, Notification, User
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


# --- Documents attached to records (safeguarding.attachments) ---------------------------------------------------

def document_upload(*, actor, record, upload, description: str = ""):
    """Attach the uploaded file to ``record`` (a case, a place ...), once the record's rule allows it and the file is
    of an allowed type and size and clean of malware. The scan is made before anything is stored; a file stored for
    a row that then fails is deleted again."""
    kind = attachments.kind_of(record)
    kind.ensure_may_attach(actor, record)
    checked = attachments.check(upload)  # ValidationError on ``file``: the form shows why
    stored_as = attachments.store(kind.word, upload)
    try:
        with transaction.atomic():
            document = kind.model(**{kind.parent_field: record}, name=checked.name, description=description.strip(),
                                  content_type=checked.file_type.content_type, size=checked.size,
                                  sha256=checked.sha256, stored_as=stored_as, uploaded_by=actor,
                                  agency_id=actor.agency_id, scanned_at=timezone.now())
            document.full_clean()
            document.save()
            audit.record(actor=actor, action=AuditAction.CREATE, target=record,
                         detail={"document": document.audit_label, "content_type": document.content_type,
                                 "size": document.size, "sha256": document.sha256, "scanned": True})
    except BaseException:
        attachments.storage().delete(stored_as)
        raise
    return document


@transaction.atomic
def missing_file_record(*, actor, record, path: str) -> MissingFile:
    """Someone asked for ``record``'s stored file (a document, a pack) and it was not there: listed for administrators
    (/healthz detail) once while it stays missing, however often it is asked for."""
    policies.can_report_missing_file.ensure(actor, record)
    record_type = ContentType.objects.get_for_model(record)
    known = {"record_type": record_type, "record_id": str(record.pk), "path": path, "resolved_at__isnull": True}
    if MissingFile.objects.filter(**known).update(times_asked=F("times_asked") + 1):
        missing = MissingFile.objects.get(**known)
    else:
        try:
            with transaction.atomic():
                missing = MissingFile.objects.create(record_type=record_type, record_id=str(record.pk), path=path,
                                                     record_label=audit.label_of(record), noticed_by=actor)
        except IntegrityError:  # reported by someone else at the same moment
            missing = MissingFile.objects.get(**known)
    audit.record(actor=actor, action=AuditAction.DOWNLOAD, target=record,
                 detail={"missing_file": True, "reported": missing.pk})
    return missing


@transaction.atomic
def missing_file_resolve(*, actor, record) -> int:
    """``record``'s file is there again (a pack rebuilt): no longer listed as missing. The service's own jobs only."""
    policies.can_act_as_system.ensure(actor)
    resolved = MissingFile.objects.filter(record_type=ContentType.objects.get_for_model(record),
                                          record_id=str(record.pk), resolved_at__isnull=True).update(
        resolved_at=timezone.now())
    if resolved:
        audit.record(actor=actor, action=AuditAction.UPDATE, target=record, detail={"missing_file_resolved": True})
    return resolved
