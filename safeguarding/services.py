"""Writes to the kernel's records: agencies and the people who use the service.

The actor is a person or the named system actor (``access.system("setup_authority")``); either is audited.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from . import audit, policies
from .models import Agency, AuditAction, User
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
