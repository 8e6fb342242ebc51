"""The kernel's records: agencies, people who use the service, and the audit log.

Every other app builds on these; this module imports no app.
"""

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

    @property
    def agency_group_id(self):
        return self.agency.group_id


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
        permissions = [("search_auditevent", "Can search the audit log")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.target_label}"


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


class UserSession(AbstractBaseSession):
    """A signed-in session, with whose it is: so a person's sessions can be ended at once (safeguarding.sessions)."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["user"], name="usersession_user_idx")]

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
