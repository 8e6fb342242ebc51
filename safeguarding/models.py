"""The kernel's records: agencies, people who use the service, and the audit log.

Every other app builds on these; this module imports no app.
"""

import uuid

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .lawful import LawfulBasis, current_q, summary


class AgencyKind(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    TRANSPORT = "transport", "Transport"
    # Adult services: the partners of transitional safeguarding, who take over (or work alongside) at 18.
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    PROBATION = "probation", "Probation"
    ADULT_HOUSING = "adult_housing", "Adult housing"
    ADULT_MENTAL_HEALTH = "adult_mental_health", "Adult mental health"
    OTHER = "other", "Other"

    @classmethod
    def adult_services(cls) -> set[str]:
        """The kinds a transition plan may hand over to (cases.transitions)."""
        return {cls.ADULT_SOCIAL_CARE, cls.PROBATION, cls.ADULT_HOUSING, cls.ADULT_MENTAL_HEALTH}


@pghistory.track(append_only=True)
class Agency(models.Model):
    """An organisation taking part. Its Django group carries what its people may see (object grants)."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    is_lead_authority = models.BooleanField(
        default=False, help_text="The local authority that leads the safeguarding partnership."
    )
    is_active = models.BooleanField(default=True)
    # Whether its people who sign in with a password must also give a second factor (TOTP or a passkey). On unless an
    # administrator turns it off; people signed in by the agency's own identity provider are never asked
    # (safeguarding.factors).
    mfa_required = models.BooleanField(
        "Require a second factor", default=True,
        help_text="People who sign in with a password must also use an authenticator app or a passkey.")
    # Where a lead authority takes referrals from: postcode districts (the outward code, "NF1", "B2"). A referral is
    # routed by the young person's or the place's postcode to the authority whose area holds its district.
    postcode_districts = ArrayField(models.CharField(max_length=4), default=list, blank=True,
                                    help_text="Lead authorities: the postcode districts of the area, like NF1.")
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


@pghistory.track(append_only=True)
class Team(models.Model):
    """A team within an agency (an exploitation team, a youth offending team): the unit a manager's caseload figures
    are grouped by. A person belongs to at most one team, of their own agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name_per_agency")]

    def __str__(self):
        return self.name


class EmailPreference(models.TextChoices):
    IMMEDIATELY = "immediately", "Straight away"
    DAILY = "daily", "In one email a day"
    OFF = "off", "Never (I will look in the service)"


class UserManager(DjangoUserManager):
    # Every request needs the user's agency (the access door filters by its group): fetch it with the user.
    def get_queryset(self):
        return super().get_queryset().select_related("agency")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    exclude=["password", "last_login"],
    append_only=True,
)
class User(AbstractUser):
    """A person using the service. Belongs to exactly one agency; roles are groups (safeguarding.roles)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    job_title = models.CharField(max_length=120, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    email_notifications = models.CharField(
        "Email me about notifications", max_length=20, choices=EmailPreference.choices,
        default=EmailPreference.IMMEDIATELY,
        help_text="What the service must tell you (for example a referral overdue) is emailed whatever you choose.")

    objects = UserManager()

    REQUIRED_FIELDS = ["email", "agency"]

    class Meta:
        ordering = ["last_name", "first_name"]
        # Opening individual records at all (safeguarding.access): every practitioner role holds it; an analyst,
        # who works with figures only, does not.
        permissions = [("view_records", "Can open the individual records shared with their agency")]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.team_id and self.agency_id and self.team.agency_id != self.agency_id:
            raise ValidationError({"team": "Choose a team of the person's own agency."})


class UidClaim(models.TextChoices):
    """The stable claim a person is matched on: never their email, which their agency may change or reuse."""

    SUB = "sub", "sub (the subject: every OpenID Connect provider)"
    OID = "oid", "oid (Microsoft Entra ID's object id, the same across the tenant's applications)"


# The client secret is kept out of the change history (pghistory) as well as out of every page and log.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["client_secret"], append_only=True)
class IdentityProvider(models.Model):
    """An agency's own OpenID Connect identity provider (a council's Entra ID, a police force's), through which its
    people sign in (safeguarding.sso). One per agency. ``provider_id`` names it in the redirect URI the agency's IT
    team registers and in every person's binding (allauth's SocialAccount.provider), so it never changes."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="identity_provider")
    provider_id = models.SlugField(
        "Identifier", max_length=50, unique=True, editable=False,
        help_text="Part of the redirect URI: /sign-in/sso/<identifier>/callback/. Never changes.")
    issuer = models.URLField(
        "Issuer URL", max_length=500,
        help_text="Where /.well-known/openid-configuration is found, e.g. "
                  "https://login.microsoftonline.com/<tenant id>/v2.0")
    client_id = models.CharField("Client (application) ID", max_length=191)
    client_secret = models.CharField("Client secret", max_length=500)
    uid_claim = models.CharField("Claim to match people on", max_length=20, choices=UidClaim.choices,
                                 default=UidClaim.SUB)
    email_domains = ArrayField(
        models.CharField(max_length=253), default=list,
        help_text="The email domains this provider speaks for, like northfield.police.uk: a person is bound at their "
                  "first sign-in only if the provider's email for them is in one of these and is the email on "
                  "their account here.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.CheckConstraint(condition=~models.Q(email_domains=[]), name="idp_has_email_domains")]

    def __str__(self):
        return f"{self.agency.name}: {self.issuer}"

    def __repr__(self):  # never the secret
        return f"<IdentityProvider {self.provider_id} {self.issuer}>"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    CLOSE = "close", "Closed"
    SUBMIT = "submit", "Submitted"
    APPROVE = "approve", "Approved"
    RETURN = "return", "Returned"
    SHARE = "share", "Shared"
    UNSHARE = "unshare", "Stopped sharing"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGOUT = "logout", "Signed out"
    SSO_BIND = "sso_bind", "Bound to their agency's sign-in"
    DEACTIVATE = "deactivate", "Deactivated"
    REFER = "refer", "Referred"
    DECIDE = "decide", "Decided"
    TRANSFER = "transfer", "Transferred"
    SEND = "send", "Sent to a partner system"
    INVITE = "invite", "Invited"
    ACCEPT = "accept", "Accepted an invitation"
    FACTOR_ADDED = "factor_added", "Added a second factor"
    FACTOR_REMOVED = "factor_removed", "Removed a second factor"
    FACTORS_RESET = "factors_reset", "Reset second factors"
    FACTOR_FAILED = "factor_failed", "Failed second factor"
    PASSWORD_RESET = "password_reset", "Reset a password"
    PASSWORD_CHANGE = "password_change", "Changed a password"
    KEEP = "keep", "Kept beyond retention"
    DISPOSE = "dispose", "Disposed of"


class AuditEvent(models.Model):
    """One access to, or change of, the service's records. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE,
    and the app's database role may only INSERT and SELECT (safeguarding.dbroles). Each row's ``chain_hash`` links it
    to the row before, set by the database on INSERT (safeguarding.auditchain), so a change is detected."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The name typed at a failed sign-in, or the actor's username when the event was written.
    actor_username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # A reference (case number, person id), never a name: the audit log itself holds no personal details.
    target_label = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    # The request the event belongs to (also in the logs and the X-Request-ID response header); empty for jobs.
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # sha256 of the previous row's chain_hash and this row's content, set by a BEFORE INSERT trigger.
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-occurred_at"], name="audit_target_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["agency", "-occurred_at"], name="audit_agency_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(name="append_only_truncate", when=pgtrigger.Before, operation=pgtrigger.Truncate,
                              level=pgtrigger.Statement,
                              func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME;"),
        ]
        permissions = [("search_auditevent", "Can search the audit log"),
                       ("export_auditevent", "Can export the audit log (the data protection officer)")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.target_label}"

    @property
    def lawful_summary(self) -> str:
        """The lawful basis a share or disclosure was made on, in words (safeguarding.lawful)."""
        return summary(self.detail or {})


class AuditChainStart(models.Model):
    """Where the audit log's hash chain starts after an operator removed its oldest rows (``manage.py audit_prune``,
    as the owner): the last removed row's id and hash, from which ``auditchain.verify`` carries on. Only the owner
    writes it (the app role may only read it: safeguarding.dbroles)."""

    after_id = models.BigIntegerField()
    after_hash = models.CharField(max_length=64)
    before = models.DateTimeField(help_text="Rows recorded before this were removed.")
    rows_removed = models.PositiveIntegerField()
    pruned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-after_id"]

    def __str__(self):
        return f"Chain starts after row {self.after_id}"


class Shareable(models.Model):
    """A record agencies see through object grants (safeguarding.access): owner at creation, others if shared.

    Each concrete subclass has a direct-foreign-key grant model named ``<Model>GroupObjectPermission``.
    """

    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Commitment(models.Model):
    """Something an agency has undertaken to do by a date (a safety plan's intervention, a panel's action).

    Each kind declares its own status choices and which of them are still ``OUTSTANDING``.
    """

    OUTSTANDING: tuple[str, ...] = ()

    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_on = models.DateField("Due by")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def is_overdue(self):
        return self.status in self.OUTSTANDING and self.due_on < timezone.localdate()


class CommitmentUpdate(models.Model):
    """What has happened on a commitment, by whom, and its status after.

    Each kind names its foreign key to the commitment in ``COMMITMENT``; an update is seen by whoever sees that.
    """

    COMMITMENT: str = ""

    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("Update", max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Update on {getattr(self, f'{self.COMMITMENT}_id')}"

    @classmethod
    def access_q(cls, user, level):
        from .access import inherit

        return inherit(user, cls, cls.COMMITMENT, level)


class ReminderSent(models.Model):
    """One reminder to one person about one thing on one day: a daily job run twice sends it once
    (safeguarding.reminders)."""

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=60)
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "person", "day"],
                                               name="remindersent_once_a_day")]

    def __str__(self):
        return f"{self.kind} {self.key} to {self.person_id} on {self.day}"


@pghistory.track(append_only=True)
class LanguagePhrase(models.Model):
    """A victim-blaming or adultifying phrase, and what to write instead (safeguarding.language).

    Data, not code: administrators edit the list in the admin pages.
    """

    phrase = models.CharField(max_length=100, unique=True, help_text="Matched as whole words, in any case.")
    suggestion = models.CharField(max_length=300, help_text="What to write instead.")
    why = models.CharField("Why it matters", max_length=500, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = "trauma-informed language phrase"

    def __str__(self):
        return self.phrase


class Area(models.Model):
    """A ward or neighbourhood of the authority, with its middle: where a place goes on the map when no postcode
    finder is configured (safeguarding.geocoding). Data, not code: administrators keep the list."""

    name = models.CharField(max_length=100, unique=True)
    district = models.CharField("Postcode district", max_length=8, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(latitude__range=(49.8, 61.0),
                                                                 longitude__range=(-8.7, 2.0)),
                                              name="area_centre_in_uk",
                                              violation_error_message="The centre must be in the UK.")]

    def __str__(self):
        return self.name


class UserSession(AbstractBaseSession):
    """A signed-in session, with whose it is: so a person's sessions can be ended at once (safeguarding.sessions)."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore


class OutboxJob(models.Model):
    """A job a change needs (a pack to build, an email to send), written in the same transaction as the change and
    then handed to Celery (safeguarding.outbox). A broker that is down delays it; nothing loses it."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    # One job per key: asking twice for the same thing queues it once.
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Not to run before this (a retry's back-off): handed with it as the message's ETA.
    run_after = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)  # last handed to the broker
    hand_count = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="outbox_waiting_idx",
                                condition=models.Q(done_at__isnull=True, given_up_at__isnull=True))]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class NotificationKind(models.TextChoices):
    SHARED = "shared", "Shared with your agency"
    CONTRIBUTION_REQUESTED = "contribution_requested", "Request to your agency"
    CONTRIBUTION_ADDED = "contribution_added", "Contribution added after the assessment was closed"
    REFERRAL_RECEIVED = "referral_received", "Referral received"
    MORE_INFORMATION = "more_information", "More information asked for"
    REFERRAL_DECIDED = "referral_decided", "Referral decided"
    TRANSFER_ASKED = "transfer_asked", "Transfer asked"
    TRANSFER_DECIDED = "transfer_decided", "Transfer decided"
    SHARE_REQUESTED = "share_requested", "Asked to share with a panel"
    SHARE_DECIDED = "share_decided", "Request to share decided"
    ACTION_ASSIGNED = "action_assigned", "Action assigned"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    PACK_READY = "pack_ready", "Panel pack ready"
    WEBHOOK_PAUSED = "webhook_paused", "Partner system connection paused"


class Notification(models.Model):
    """Something a person should know about, in their list in the service (safeguarding.notifications).

    The title may name the record, so it is shown only in the service; an email says only what kind of thing
    happened and links here.
    """

    OWN_RECORDS = True  # a person's own list: reached by its rule alone (safeguarding.access)

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    # Sent whatever the person's email preference: what the service must tell them.
    required = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # straight away, or in a daily digest

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
                   models.Index(fields=["recipient"], name="notification_unread_idx",
                                condition=models.Q(read_at__isnull=True))]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient_id}"

    @classmethod
    def access_q(cls, user, level):
        return models.Q(recipient_id=user.pk)


class ApiClient(models.Model):
    """A partner system (a police records system, a school's MIS) calling the API as its agency (safeguarding.api).

    Registered by an administrator, who is shown the credential once: ``<key_id>.<secret>``. Only a hash of the secret
    is kept. Each client acts through its own non-interactive account (``user``: its agency, a practitioner's role,
    no password, never signed in), so every door, rule, service and audit row works for it unchanged; its scopes then
    narrow what the API lets it ask, per resource: read, or read and write.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(max_length=150, help_text="What the system is, for example the force's records system.")
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="api_client", editable=False)
    key_id = models.CharField(max_length=24, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)  # sha256 of a 256-bit random secret
    # {"cases": "read", "chronology-entries": "write"}: a resource missing is out of reach.
    scopes = models.JSONField(default=dict)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = "API client"

    def __str__(self):
        return f"{self.name} ({self.key_id})"

    @property
    def audit_label(self):
        return f"API-{self.key_id}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotencyKey(models.Model):
    """A create the API has done for a client under its ``Idempotency-Key``: the same key again returns the same
    answer and creates nothing (safeguarding.api). Written in the create's own transaction, so a create that failed
    leaves no key and may be retried."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body: a key reused for another request
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    location = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_once")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_age_idx")]

    def __str__(self):
        return f"{self.key} of {self.client_id}"


class Attachment(models.Model):
    """A document attached to a record (safeguarding.attachments): scanned for malware, then stored through the
    ``documents`` storage under a name of the service's own (never the uploaded one), and read only through the access
    door. Each app's concrete kind holds its record in a foreign key named by ``PARENT`` and is seen by whoever sees
    that record (``access_q``): one direct, indexed foreign key per kind, as every other child row inherits.
    """

    PARENT: str = ""

    name = models.CharField("File name", max_length=200)
    description = models.CharField(max_length=500, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=300, unique=True, editable=False)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    scanned_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def audit_label(self):
        return f"DOC-{self._meta.model_name}-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        from .access import inherit

        return inherit(user, cls, cls.PARENT, level)


class MissingFile(models.Model):
    """A stored file (an attached document, a panel pack) that was not there when someone asked for it. Listed for
    administrators in /healthz's detail until it is there again (restored, or a pack rebuilt)."""

    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.CharField(max_length=64)
    record_label = models.CharField(max_length=100)
    path = models.CharField(max_length=300)
    noticed_at = models.DateTimeField(default=timezone.now)
    noticed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    times_asked = models.PositiveIntegerField(default=1)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-noticed_at"]
        constraints = [models.UniqueConstraint(fields=["record_type", "record_id", "path"],
                                               condition=models.Q(resolved_at__isnull=True),
                                               name="missingfile_once_while_missing")]

    def __str__(self):
        return f"{self.record_label}: {self.path}"


# --- Webhooks: partner systems told what is addressed to their agency (safeguarding.webhooks) --------------------

class WebhookEventType(models.TextChoices):
    RECORD_SHARED = "record.shared", "A record is shared with your agency"
    REQUEST_RECEIVED = "request.received", "A request to your agency (contribution, sharing, referral, transfer)"
    ACTION_ASSIGNED = "action.assigned", "An action is assigned to your agency"
    ACTION_OVERDUE = "action.overdue", "An action of your agency is overdue"
    PACK_READY = "pack.ready", "A panel pack for your agency is ready"
    TEST = "webhook.test", "A test event sent from the service's page"


class WebhookSubscription(models.Model):
    """An agency's partner system, told (signed, by a worker) what is addressed to the agency.

    The secret signs every delivery; it is made by the service and shown once. After a rotation the previous one
    signs too, until ``previous_secret_until``, so a receiver can change over without missing an event. Not in the
    change history (it would keep the secrets): every change is in the audit log instead.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField("Endpoint URL", max_length=500)
    description = models.CharField("What it is for", max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=30, choices=WebhookEventType.choices))
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    # Attempts failed in a row, whichever events they carried; a success sets it back to 0.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["agency", "created_at", "id"]
        indexes = [models.Index(fields=["agency"], name="webhook_active_idx", condition=models.Q(is_active=True))]
        constraints = [models.CheckConstraint(condition=models.Q(is_active=True) | models.Q(paused_at__isnull=False),
                                              name="webhook_paused_when")]

    def __str__(self):
        return self.description or self.url

    @property
    def audit_label(self):
        return f"WH-{self.pk}"

    # An agency's own: its administrators manage them (safeguarding.policies), no other agency learns of them.
    @classmethod
    def access_q(cls, user, level):
        return models.Q(agency_id=user.agency_id)

    @classmethod
    def reach_q(cls, user, field, level):
        return models.Q(**{f"{field}__agency_id": user.agency_id})


class WebhookEvent(models.Model):
    """Something addressed to an agency, as its partner systems are told it: thin (what kind, which record, where the
    API serves it), never names or content. One per happening; every subscription's delivery carries its id, so a
    receiver dedupes by it. ``once`` makes a repeated happening (a daily overdue check) one event.

    Append-only for the app's database role (its table name ends in "event": safeguarding.dbroles), so it is also the
    ledger of what each agency's systems were told; the delivery log beside it is purged after a while."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=30, choices=WebhookEventType.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    # {"type": ..., "id": ..., "url": "/api/v1/<name>/<id>/"}: exactly what the payload says of the record.
    resource = models.JSONField(null=True, blank=True)
    # The record itself, to ask the door again at delivery time (unshared meanwhile: not delivered).
    record_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    record_id = models.CharField(max_length=64, blank=True)
    once = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.type} {self.event_id}"

    def payload(self) -> dict:
        return {"id": str(self.event_id), "type": self.type, "occurred_at": self.occurred_at.isoformat(),
                "agency": self.agency_id, "resource": self.resource}

    @classmethod
    def access_q(cls, user, level):
        return models.Q(agency_id=user.agency_id)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    WITHHELD = "withheld", "Not sent: no longer for this agency"


class WebhookDelivery(models.Model):
    """One event to one subscription: tried until delivered, or given up after ``WEBHOOKS_MAX_ATTEMPTS``."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log_idx"),
                   models.Index(fields=["subscription"], name="webhook_delivery_waiting_idx",
                                condition=models.Q(status="pending")),
                   models.Index(fields=["finished_at"], name="webhook_delivery_finished_idx",
                                condition=models.Q(finished_at__isnull=False))]

    def __str__(self):
        return f"{self.event_id} to {self.subscription_id}"

    @classmethod
    def access_q(cls, user, level):
        from .access import inherit

        return inherit(user, cls, "subscription", level)


class WebhookAttempt(models.Model):
    """One try at a delivery: the delivery log a partner's administrator reads."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]

    def __str__(self):
        return f"Attempt {self.number} of {self.delivery_id}"

    @classmethod
    def access_q(cls, user, level):
        from .access import inherit

        return inherit(user, cls, "delivery", level)


# --- Retention and disposal (safeguarding.retention) -------------------------------------------------------------

class RetentionAction(models.TextChoices):
    REVIEW = "review", "List for a manager to keep or dispose of"
    OPERATOR = "operator", "List for an operator (the service cannot erase these itself)"


@pghistory.track(exclude=["version"], append_only=True)
class RetentionSchedule(models.Model):
    """How long one type of record is kept after its anchor date (a case's closure), and what happens then.

    The record types are registered by the apps that own them (safeguarding.retention); administrators set the
    periods in the admin pages."""

    record_type = models.CharField(max_length=60, unique=True)
    months = models.PositiveSmallIntegerField("Keep for (months)", help_text="After the anchor date.")
    action = models.CharField(max_length=10, choices=RetentionAction.choices, default=RetentionAction.REVIEW)
    is_active = models.BooleanField(default=True)
    notes = models.CharField(max_length=500, blank=True, help_text="Why this period: the policy or law it follows.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["record_type"]

    def __str__(self):
        from . import retention

        return retention.label(self.record_type)

    @property
    def audit_label(self):
        return f"RS-{self.pk}"


class RetentionStatus(models.TextChoices):
    DUE = "due", "Due for review"
    KEPT = "kept", "Kept"
    DISPOSED = "disposed", "Disposed of"


class RetentionItem(models.Model):
    """One record that reached the end of its retention period: listed by the daily job, then kept (with a reason and
    a new date) or disposed of by a manager. A disposed item is the stub's marker: which record, of which type,
    disposed on which day under which schedule by whom; it names no one."""

    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.PROTECT, related_name="items")
    record_type = models.CharField(max_length=60)
    record_id = models.BigIntegerField()
    # The record's reference (a case number, an id): never a name.
    record_label = models.CharField(max_length=100)
    # The agency that owns the record: its managers decide.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    anchor_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=RetentionStatus.choices, default=RetentionStatus.DUE)
    listed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    keep_reason = models.TextField(blank=True, max_length=2000)
    keep_until = models.DateField(null=True, blank=True)
    # What the disposal erased, by model label and ids: what an operator's history purge removes next.
    erased = models.JSONField(default=dict, blank=True)
    history_purged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"], condition=models.Q(status="due"),
                                    name="retentionitem_one_due"),
            models.UniqueConstraint(fields=["record_type", "record_id"], condition=models.Q(status="disposed"),
                                    name="retentionitem_disposed_once"),
            models.CheckConstraint(condition=~models.Q(status="kept") | (~models.Q(keep_reason="")
                                                                        & models.Q(keep_until__isnull=False)),
                                   name="retentionitem_kept_has_reason_and_date"),
        ]
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="retention_queue_idx")]
        permissions = [("decide_retentionitem", "Can keep or dispose of records at the end of retention")]

    def __str__(self):
        return f"{self.record_label} ({self.get_status_display()})"

    @property
    def audit_label(self):
        return f"RI-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        # The owning agency's queue.
        return models.Q(agency_id=user.agency_id)


# --- Subject access (safeguarding.subject_access) ----------------------------------------------------------------

class SubjectAccessStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be built"
    BUILDING = "building", "Being built"
    TO_REVIEW = "to_review", "Ready for review"
    RELEASED = "released", "Signed off for release"
    FAILED = "failed", "Failed"


class SubjectAccessRequest(models.Model):
    """A young person's (or someone acting for them) request for everything held about them: built by a worker into
    JSON and a PDF, reviewed, and signed off before either file can be downloaded."""

    young_person_id = models.BigIntegerField()  # the cases app's YoungPerson (the kernel imports no app)
    young_person_label = models.CharField(max_length=100)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.CharField("Who asked", max_length=200,
                                    help_text="The young person, or who is acting for them and how.")
    received_on = models.DateField("Date received")
    due_on = models.DateField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=10, choices=SubjectAccessStatus.choices, default=SubjectAccessStatus.QUEUED)
    built_at = models.DateTimeField(null=True, blank=True)
    json_file = models.FileField(upload_to="subject-access/%Y/%m/", blank=True)
    pdf_file = models.FileField(upload_to="subject-access/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # how many of each section, and the redactions made
    error = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_subjectaccessrequest", "Can sign off a subject access export for release")]

    def __str__(self):
        return f"Subject access request SAR-{self.pk}"

    @property
    def audit_label(self):
        return f"SAR-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        return models.Q(agency_id=user.agency_id)


# --- Information-sharing agreements and the record of each disclosure (safeguarding.lawful) ----------------------

class AgreementQuerySet(models.QuerySet):
    def current(self, day=None):
        """In force on ``day`` (today): an expired agreement, or one not started, is never offered."""
        return self.filter(current_q(day=day))

    def covering(self, *agencies):
        """Agreements every one of ``agencies`` is party to, the most recently started first."""
        rows = self
        for agency in agencies:
            rows = rows.filter(parties=agency)
        return rows.order_by("-starts_on", "-id")


@pghistory.track(append_only=True)
class InformationSharingAgreement(models.Model):
    """An agreement between two or more agencies about what they share and why, recorded by administrators.

    Not personal data: a document between organisations. Seen by the people of its parties, and by administrators,
    who record them for the whole partnership (``access_q``)."""

    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=60, unique=True,
                                 help_text="The agreement's own reference, for example NSCP-ISA-2026-01")
    parties = models.ManyToManyField(Agency, related_name="sharing_agreements", verbose_name="Agencies party to it")
    starts_on = models.DateField("Start date")
    ends_on = models.DateField("End date", null=True, blank=True,
                               help_text="Leave blank for an agreement with no end date.")
    review_on = models.DateField("Review date")
    summary = models.TextField("What it covers", max_length=5000,
                               help_text="The purposes, the kinds of information, and any limits on sharing.")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__isnull=True)
                                              | models.Q(ends_on__gte=models.F("starts_on")),
                                              name="agreement_ends_after_start",
                                              violation_error_message="The end date must be on or after the start.")]

    def __str__(self):
        return f"{self.title} ({self.reference})"

    @property
    def audit_label(self):
        return f"ISA-{self.pk}"

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)

    @property
    def is_due_review(self):
        return self.review_on <= timezone.localdate()

    @classmethod
    def access_q(cls, user, level):
        from .roles import Perm

        if user.has_perm(Perm.CHANGE_AGREEMENT):
            return models.Q()
        return models.Q(models.Exists(cls.parties.through.objects.filter(
            informationsharingagreement_id=models.OuterRef("pk"), agency_id=user.agency_id)))


class DisclosureCause(models.TextChoices):
    SHARED = "shared", "Shared"
    CONTRIBUTION_REQUEST = "contribution_request", "Asked to contribute"
    CONTRIBUTION_ANSWER = "contribution_answer", "Contribution answered"
    PANEL = "panel", "Shared for a panel"
    REFERRAL = "referral", "Referral accepted"
    TRANSFER = "transfer", "Kept after a transfer"


class Disclosure(LawfulBasis):
    """Why one record was disclosed to one agency: the one record of the lawful basis of every share, contribution
    request and answer, panel share and referral accepted (safeguarding.disclosures). A share's row ends when the
    share does; rows are never deleted."""

    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("record_type", "record_id")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20, blank=True)
    cause = models.CharField(max_length=30, choices=DisclosureCause.choices)
    # What caused it, when not the person's own share: the referral, request or transfer (its audit reference).
    cause_label = models.CharField(max_length=60, blank=True)
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    made_by_name = models.CharField(max_length=150)
    made_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id", "to_agency"], name="disclosure_record_idx")]
        constraints = [models.CheckConstraint(condition=~models.Q(lawful_basis="") & ~models.Q(special_category=""),
                                              name="disclosure_has_basis",
                                              violation_error_message="Select the lawful basis for sharing.")]

    def __str__(self):
        return f"{self.get_cause_display()} to {self.to_agency_id}"
