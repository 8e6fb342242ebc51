"""What a person may do with the kernel's records: agencies, people, sharing and the audit log."""

from django.core.exceptions import PermissionDenied

from . import access
from .policy import must, need, rule
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


# --- Retention, subject access and who has seen a record ---------------------------------------------------------

@rule
def can_manage_retention_schedules(user):
    """Set how long each type of record is kept: an administrator (or the system, setting up a deployment)."""
    _administers(user, Perm.CHANGE_RETENTION_SCHEDULE)


@rule
def can_see_retention_queue(user):
    """See the records of one's agency that have reached the end of their retention period: a manager."""
    access.require(user, Perm.DECIDE_RETENTION)


@rule
def can_decide_retention(user, item):
    """Keep or dispose of a record that reached its date: a manager of the agency that owns it, while it is due."""
    from .models import RetentionStatus

    access.require(user, Perm.DECIDE_RETENTION, item)
    must(item.status == RetentionStatus.DUE, "This record has already been decided on.")


@rule
def can_request_subject_access(user, young_person):
    """Ask for a young person's subject access export: a manager or the data protection officer of an agency that
    sees them (the export holds what that agency holds)."""
    access.require(user, Perm.REQUEST_SUBJECT_ACCESS, young_person)


@rule
def can_list_subject_access(user):
    """See one's agency's subject access requests: whoever may ask for or sign one off."""
    access.require(user, None)
    need(user.has_perm(Perm.REQUEST_SUBJECT_ACCESS) or user.has_perm(Perm.SIGN_OFF_SUBJECT_ACCESS),
         "Only managers and the data protection officer see subject access requests.")


@rule
def can_see_subject_access(user, request):
    """See one subject access request (its files once released): the same people, in its agency."""
    access.require(user, None, request)
    can_list_subject_access.ensure(user)


@rule
def can_sign_off_subject_access(user, request):
    """Sign an export off for release: someone who may, in its agency, other than the person who asked for it (a
    second pair of eyes on what is redacted), once it is built and not yet released."""
    from .models import SubjectAccessStatus

    access.require(user, Perm.SIGN_OFF_SUBJECT_ACCESS, request)
    need(request.created_by_id != user.pk, "Someone other than the person who asked for it must sign it off.")
    must(request.status == SubjectAccessStatus.TO_REVIEW, "Only an export that has been built and not yet "
                                                          "released can be signed off.")


@rule
def can_rebuild_subject_access(user, request):
    """Make an export again before it is signed off: whoever may ask for one, in its agency."""
    from .models import SubjectAccessStatus

    access.require(user, Perm.REQUEST_SUBJECT_ACCESS, request)
    must(request.status in (SubjectAccessStatus.TO_REVIEW, SubjectAccessStatus.FAILED),
         "Only an export that is built or failed, and not yet released, can be made again.")


@rule
def can_download_subject_access(user, request):
    """Download the export's files: once signed off; before that, only whoever may sign it off (to read it)."""
    from .models import SubjectAccessStatus

    can_see_subject_access.ensure(user, request)
    must(request.status == SubjectAccessStatus.RELEASED or can_sign_off_subject_access(user, request),
         "The export can be downloaded once it has been signed off.")


@rule
def can_see_viewers(user, record):
    """See who has opened a record, from the audit log: a manager or administrator (who may search the audit log) of
    the agency that owns it."""
    access.require(user, Perm.SEARCH_AUDIT, record, level=access.MANAGE)


@rule
def can_export_audit(user):
    """Export the audit log: the data protection officer."""
    access.require(user, Perm.EXPORT_AUDIT)


@rule
def can_record_agreement(user):
    """Record or change an information-sharing agreement between agencies: an administrator."""
    _administers(user, Perm.CHANGE_AGREEMENT)
