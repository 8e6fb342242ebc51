"""What a person may do with the kernel's records: agencies, people, sharing and the audit log."""

from django.core.exceptions import PermissionDenied

from . import access
from .policy import need, rule
from .roles import Perm

# Sharing is decided beside the visibility rules it changes.
can_share = access.can_share


def _administers(user, perm: Perm):
    """An administrator with ``perm``, or the system itself (a command setting up the service)."""
    if not access.is_system(user):
        access.require(user, perm)


@rule
def can_add_agency(user):
    _administers(user, Perm.ADD_AGENCY)


@rule
def can_change_agency(user, agency):
    _administers(user, Perm.CHANGE_AGENCY)


@rule
def can_manage_teams(user, agency):
    """Setting up an agency's teams is part of administering agencies."""
    _administers(user, Perm.CHANGE_AGENCY)


@rule
def can_add_user(user):
    _administers(user, Perm.ADD_USER)


@rule
def can_change_user(user, person):
    _administers(user, Perm.CHANGE_USER)


@rule
def can_deactivate_user(user, person):
    _administers(user, Perm.CHANGE_USER)
    need(person.pk != getattr(user, "pk", None), "You cannot deactivate your own account.")


@rule
def can_reset_factors(user, person):
    """Take away someone's second factors (they lost their phone or key); never one's own (another administrator
    does that, so one stolen session cannot swap its owner's factor)."""
    _administers(user, Perm.CHANGE_USER)
    need(person.pk != getattr(user, "pk", None), "Ask another administrator to reset your own second factors.")


@rule
def can_accept_invitation(user):
    """Choose a password from an invitation's link: only a person invited and not yet signed up."""
    need(user is not None and getattr(user, "pk", None) and not user.is_active and not user.has_usable_password(),
         "This invitation has already been accepted.")


@rule
def can_search_audit(user):
    access.require(user, Perm.SEARCH_AUDIT)


@rule
def can_act_as_system(user):
    """Bookkeeping only the service's own jobs do (a pack's build, a reminder's record)."""
    if not access.is_system(user):
        raise PermissionDenied("Only the service's own jobs do this.")


@rule
def can_manage_own_notifications(user):
    """Choose how one is told, mark all one's notifications read: any person, for themselves; not the system."""
    access.require(user, None)  # a person of an agency: the system actor has none


@rule
def can_read_notification(user, notification):
    """Mark a notification read: its recipient alone (anyone else is told it does not exist)."""
    access.require(user, None, notification)


@rule
def can_configure_sso(user, agency):
    """Record or change an agency's identity provider (single sign-on): an administrator, or a setup command."""
    _administers(user, Perm.CONFIGURE_SSO)


@rule
def can_bind_sso_account(user):
    """Bind a person to their agency's sign-in subject: only the service, at that person's first sign-in by it
    (safeguarding.sso), after checking who they are; nobody is signed in to ask."""
    if not access.is_system(user):
        raise PermissionDenied("Only the service binds an account, at the person's first sign-in.")


@rule
def can_unbind_sso_account(user, person):
    """Undo a binding (the person's account at their agency was made again): an administrator."""
    _administers(user, Perm.CHANGE_USER)


@rule
def can_manage_api_clients(user):
    """Register a partner system's API client, or revoke one: an administrator (it is an account of its agency)."""
    _administers(user, Perm.ADD_API_CLIENT)


@rule
def can_report_missing_file(user, record):
    """Say that a record's stored file was not there: whoever may see the record (asking for it found it missing)."""
    access.require(user, None, record)


@rule
def can_see_service_health(user):
    """The detail of /healthz (the malware scanner, files missing from storage): administrators."""
    access.require(user, Perm.CHANGE_AGENCY)


@rule
def can_manage_webhooks(user, agency=None):
    """See and add an agency's partner-system connections (webhooks): its administrators, for their own agency."""
    _administers(user, Perm.MANAGE_WEBHOOKS)
    if agency is not None and not access.is_system(user):
        need(agency.pk == user.agency_id, "You can only connect your own agency's systems.")


@rule
def can_change_webhook(user, subscription):
    """Pause, resume, rotate the secret of, test or delete one connection: an administrator of its agency (another
    agency's connection is not found)."""
    if not access.is_system(user):
        access.require(user, Perm.MANAGE_WEBHOOKS, subscription)
