"""Writes to the kernel's records: agencies and the people who use the service.

``actor=None`` means the system itself (a management command such as ``seed_demo``); it is audited as such.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import audit
from .models import Agency, AuditAction, User
from .roles import Perm, Role
from .sessions import sessions_end_for


def _require_admin(actor, perm: Perm):
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied


@transaction.atomic
def agency_create(*, actor, name: str, kind: str, is_lead_authority: bool = False) -> Agency:
    _require_admin(actor, Perm.ADD_AGENCY)
    group = Group.objects.create(name=f"Agency: {name}")
    agency = Agency(name=name, kind=kind, is_lead_authority=is_lead_authority, group=group)
    agency.full_clean()
    agency.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=agency, username="system")
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency, **fields) -> Agency:
    _require_admin(actor, Perm.CHANGE_AGENCY)
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
    _require_admin(actor, Perm.ADD_USER)
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
    audit.record(actor=actor, action=AuditAction.CREATE, target=user, username="system",
                 detail={"roles": sorted(str(r) for r in roles)})
    return user


@transaction.atomic
def user_update(*, actor, user: User, roles=None, **fields) -> User:
    """Change a person's details, agency or roles; their agency group follows their agency."""
    _require_admin(actor, Perm.CHANGE_USER)
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
def user_deactivate(*, actor, user: User, request=None) -> int:
    """Stop a person signing in, and end every session they have open. Returns the sessions ended."""
    _require_admin(actor, Perm.CHANGE_USER)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end_for(user)
    audit.record(actor=actor, action=AuditAction.DEACTIVATE, target=user, request=request,
                 detail={"sessions_ended": ended})
    return ended
