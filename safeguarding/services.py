"""Writes to the kernel's records: agencies and the people who use the service.

The actor is a person or the named system actor (``access.system("setup_authority")``); either is audited.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from . import access, apiclients, attachments, audit, disclosures, outbox, policies, retention, webhooks
from .edits import changed, only
from .models import (
    Agency,
    ApiClient,
    AuditAction,
    EmailPreference,
    IdentityProvider,
    InformationSharingAgreement,
    MissingFile,
    Notification,
    RetentionAction,
    RetentionItem,
    RetentionSchedule,
    RetentionStatus,
    SubjectAccessRequest,
    SubjectAccessStatus,
    Team,
    UidClaim,
    User,
    WebhookSubscription,
)
from .policy import must
from .roles import Role
from .sessions import sessions_end_for
from .versioning import lock_current


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


@transaction.atomic
def team_create(*, actor, agency: Agency, name: str) -> Team:
    policies.can_manage_teams.ensure(actor, agency)
    team = Team(agency=agency, name=name.strip())
    team.full_clean()
    team.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=team, detail={"agency": agency.pk})
    return team


@transaction.atomic
def team_update(*, actor, team: Team, **fields) -> Team:
    """Rename a team or retire it (``is_active``); its members stay in it until they are moved."""
    policies.can_manage_teams.ensure(actor, team.agency)
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    team.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=team, detail={"fields": sorted(fields)})
    return team


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


# --- Single sign-on: an agency's identity provider, and people bound to it (safeguarding/sso.py) ----------------

def _domains(domains) -> list[str]:
    cleaned = sorted({str(d).strip().lower().lstrip("@") for d in domains if str(d).strip()})
    for domain in cleaned:
        if "." not in domain or "@" in domain or " " in domain:
            raise ValidationError({"email_domains": f"{domain} is not an email domain, like northfield.police.uk"})
    return cleaned


def _new_provider_id(agency: Agency) -> str:
    base = slugify(agency.name)[:40].strip("-") or "agency"
    return base if not IdentityProvider.objects.filter(provider_id=base).exists() else f"{base}-{agency.pk}"


@transaction.atomic
def identity_provider_set(*, actor, agency: Agency, issuer: str, client_id: str, email_domains,
                          client_secret: str = "", uid_claim: str = UidClaim.SUB,
                          is_active: bool = True) -> IdentityProvider:
    """Record (or change) the OpenID Connect provider ``agency``'s people sign in with. An empty ``client_secret``
    keeps the one recorded. The claim people are matched on cannot change once anyone is bound by it."""
    from allauth.socialaccount.models import SocialAccount

    policies.can_configure_sso.ensure(actor, agency)
    provider = IdentityProvider.objects.select_for_update().filter(agency=agency).first()
    creating = provider is None
    if creating:
        provider = IdentityProvider(agency=agency, provider_id=_new_provider_id(agency))
    before = {f: getattr(provider, f) for f in ("issuer", "client_id", "uid_claim", "email_domains", "is_active")}
    if not creating and uid_claim != provider.uid_claim and SocialAccount.objects.filter(
            provider=provider.provider_id).exists():
        raise ValidationError({"uid_claim": "People have already signed in matched on this claim: it cannot change."})
    provider.issuer = issuer.strip().rstrip("/")
    provider.client_id = client_id.strip()
    if client_secret:
        provider.client_secret = client_secret.strip()
    provider.uid_claim = uid_claim
    provider.email_domains = _domains(email_domains)
    provider.is_active = is_active
    provider.full_clean()
    provider.save()
    changed = sorted(f for f, v in before.items() if getattr(provider, f) != v)
    if client_secret and not creating:
        changed.append("client_secret")  # that it changed, never what it is
    audit.record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=provider,
                 detail={"agency_id": agency.pk, "fields": changed})
    return provider


@transaction.atomic
def sso_account_bind(*, actor, user: User, identity_provider: IdentityProvider, uid: str, claims: dict):
    """Bind ``user`` to the subject ``uid`` of their agency's provider: from now on that subject, and only it, signs
    them in by it. Once per person and provider; the caller (safeguarding.sso) has checked the email."""
    from allauth.socialaccount.models import SocialAccount

    policies.can_bind_sso_account.ensure(actor)
    person = User.objects.select_for_update().get(pk=user.pk)
    if not person.is_active or person.agency_id != identity_provider.agency_id or not identity_provider.is_active:
        raise PermissionDenied("This account cannot sign in with that agency's provider.")
    if SocialAccount.objects.filter(provider=identity_provider.provider_id).filter(
            Q(user=person) | Q(uid=uid)).exists():
        raise ValidationError("This account, or this sign-in, is already bound.")
    account = SocialAccount.objects.create(user=person, provider=identity_provider.provider_id, uid=uid,
                                           extra_data=claims)
    audit.record(actor=actor, action=AuditAction.SSO_BIND, target=person,
                 detail={"provider": identity_provider.provider_id, "agency_id": identity_provider.agency_id,
                         "claim": identity_provider.uid_claim, "subject": uid})
    return account


@transaction.atomic
def sso_account_unbind(*, actor, user: User) -> int:
    """Undo ``user``'s binding to their agency's provider (their account there was made again): they are bound
    afresh, by email, at their next sign-in. Returns how many bindings went."""
    from allauth.socialaccount.models import SocialAccount

    policies.can_unbind_sso_account.ensure(actor, user)
    bindings = SocialAccount.objects.filter(user=user)
    providers = sorted(bindings.values_list("provider", flat=True))
    removed, _ = bindings.delete()
    if removed:
        audit.record(actor=actor, action=AuditAction.UPDATE, target=user, detail={"sso_unbound": providers})
    return removed


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


# --- Partner API clients (safeguarding.api) ---------------------------------------------------------------------

# The role of every client's account: a partner practitioner's reads and the writes the API offers (chronology
# entries, answers to contribution requests, progress on actions, referrals). Its scopes narrow it further.
API_CLIENT_ROLE = Role.PARTNER_PRACTITIONER


@transaction.atomic
def api_client_register(*, actor, agency: Agency, name: str, scopes: dict, expires_at=None) -> tuple[ApiClient, str]:
    """Register a partner system of ``agency``. Returns the client and its credential, ``<key_id>.<secret>``: shown
    once, never stored (only the secret's hash is)."""
    policies.can_manage_api_clients.ensure(actor)
    if not name.strip():
        raise ValidationError({"name": "Name the system that will use the credential."})
    if not agency.is_active:
        raise ValidationError({"agency": "This agency is no longer active."})
    scopes = apiclients.clean_scopes(scopes)
    expires_at = expires_at or timezone.now() + timedelta(days=settings.API_CLIENT_DAYS)
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    key_id, secret = apiclients.new_credential()
    # Its own account, never signed in to (no password, no email to match a sign-in to), so every door, rule,
    # service and audit row treats the client as one member of its agency.
    user = User(username=f"api.{key_id}", agency=agency, first_name=name.strip()[:150], last_name="(API client)",
                job_title="API client")
    user.set_unusable_password()
    user.full_clean()
    user.save()
    _set_roles(user, [API_CLIENT_ROLE])
    client = ApiClient(agency=agency, name=name.strip(), user=user, key_id=key_id,
                       secret_hash=apiclients.hash_secret(secret), scopes=scopes, expires_at=expires_at,
                       created_by=actor if getattr(actor, "pk", None) else None)
    client.full_clean()
    client.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=client,
                 detail={"agency_id": agency.pk, "scopes": scopes, "expires_at": expires_at.isoformat()})
    return client, f"{key_id}.{secret}"


@transaction.atomic
def api_client_revoke(*, actor, client: ApiClient) -> ApiClient:
    """Stop a client's credential working, at once. Its account is deactivated too; its audit rows stay."""
    policies.can_manage_api_clients.ensure(actor)
    client = ApiClient.objects.select_for_update().select_related("user").get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError("This client has already been revoked.")
    client.revoked_at, client.revoked_by = timezone.now(), actor if getattr(actor, "pk", None) else None
    client.save(update_fields=["revoked_at", "revoked_by"])
    User.objects.filter(pk=client.user_id).update(is_active=False)
    audit.record(actor=actor, action=AuditAction.DEACTIVATE, target=client)
    return client


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
        disclosures.erase(record, disposal)  # why it was shared may name people: erased with the record
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


# --- Information-sharing agreements (safeguarding.lawful) --------------------------------------------------------

AGREEMENT_FIELDS = {"title", "reference", "starts_on", "ends_on", "review_on", "summary"}


def _agreement_saved(agreement: InformationSharingAgreement, parties) -> InformationSharingAgreement:
    parties = list(parties)
    if len({party.pk for party in parties}) < 2:
        raise ValidationError({"parties": "Choose at least two agencies party to the agreement"})
    if agreement.review_on and agreement.ends_on and agreement.review_on > agreement.ends_on:
        raise ValidationError({"review_on": "The review date must be on or before the end date"})
    agreement.full_clean()
    agreement.save()
    agreement.parties.set(parties)
    return agreement


@transaction.atomic
def agreement_create(*, actor, parties, **fields) -> InformationSharingAgreement:
    """Record an agreement between two or more agencies; shares between them then name it."""
    policies.can_record_agreement.ensure(actor)
    agreement = _agreement_saved(InformationSharingAgreement(
        created_by=actor if actor.pk is not None else None, **only(fields, AGREEMENT_FIELDS)), parties)
    audit.record(actor=actor, action=AuditAction.CREATE, target=agreement,
                 detail={"parties": sorted(p.pk for p in parties), "reference": agreement.reference})
    return agreement


@transaction.atomic
def agreement_update(*, actor, agreement: InformationSharingAgreement, expected_version: int, parties,
                     **fields) -> InformationSharingAgreement:
    """Change an agreement (its dates, parties, what it covers); what was shared under it keeps pointing at it, and
    its history is kept (pghistory)."""
    policies.can_record_agreement.ensure(actor)
    current = lock_current(agreement, expected_version)
    before = InformationSharingAgreement(**{f: getattr(current, f) for f in AGREEMENT_FIELDS})
    had = sorted(current.parties.values_list("pk", flat=True))
    for name, value in only(fields, AGREEMENT_FIELDS).items():
        setattr(current, name, value)
    _agreement_saved(current, parties)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current, detail={
        "fields": changed(before, current, AGREEMENT_FIELDS), "parties": sorted(p.pk for p in parties),
        "parties_before": had})
    return current
