"""Young people, their extra-familial harm cases and the chronology of what happened.

Who may see these rows is decided in ``safeguarding.access``: a case by its grants, a young person through
their record's owning agency or any case of theirs, chronology entries through their case.
"""

from datetime import date, timedelta

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from safeguarding import access, attachments, subjects
from safeguarding.lawful import LawfulBasis
from safeguarding.models import Agency, AgencyKind, Attachment, Shareable, User

from .identifiers import validate_nhs_number, validate_postcode, validate_upn


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


# Office for National Statistics, Census 2021 ethnic groups (England and Wales).
ETHNICITY_CHOICES = [
    ("Asian, Asian British or Asian Welsh", [
        ("asian_bangladeshi", "Bangladeshi"),
        ("asian_chinese", "Chinese"),
        ("asian_indian", "Indian"),
        ("asian_pakistani", "Pakistani"),
        ("asian_other", "Any other Asian background"),
    ]),
    ("Black, Black British, Black Welsh, Caribbean or African", [
        ("black_african", "African"),
        ("black_caribbean", "Caribbean"),
        ("black_other", "Any other Black, Black British or Caribbean background"),
    ]),
    ("Mixed or Multiple ethnic groups", [
        ("mixed_white_asian", "White and Asian"),
        ("mixed_white_black_african", "White and Black African"),
        ("mixed_white_black_caribbean", "White and Black Caribbean"),
        ("mixed_other", "Any other Mixed or Multiple ethnic background"),
    ]),
    ("White", [
        ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
        ("white_irish", "Irish"),
        ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
        ("white_roma", "Roma"),
        ("white_other", "Any other White background"),
    ]),
    ("Other ethnic group", [
        ("other_arab", "Arab"),
        ("other_any", "Any other ethnic group"),
    ]),
    ("Not recorded", [
        ("not_stated", "Not stated or refused"),
        ("not_known", "Not yet known"),
    ]),
]


class SendStatus(models.TextChoices):
    NONE = "none", "No identified special educational needs"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHC_PLAN = "ehc_plan", "Education, health and care plan"
    NOT_KNOWN = "not_known", "Not known"


MAX_AGE_YEARS = 25  # transitional safeguarding: cases can stay open to 25


def validate_date_of_birth(value: date):
    today = timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth must be in the past.")
    if (today.year - value.year - ((today.month, today.day) < (value.month, value.day))) > MAX_AGE_YEARS:
        raise ValidationError(f"This service supports young people up to {MAX_AGE_YEARS} years old.")


@pghistory.track(exclude=["search_text", "version"], append_only=True)
class YoungPerson(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    known_as = ArrayField(
        models.CharField(max_length=100), default=list, blank=True,
        help_text="Other names and aliases the young person is known by.",
    )
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex = models.CharField(max_length=20, choices=Sex.choices)
    gender_identity = models.CharField(max_length=100, blank=True)
    ethnicity = models.CharField(max_length=40, choices=ETHNICITY_CHOICES, default="not_known")
    first_language = models.CharField(max_length=60, blank=True, default="English")
    send_status = models.CharField(
        "Special educational needs", max_length=20, choices=SendStatus.choices, default=SendStatus.NOT_KNOWN
    )
    communication_needs = models.TextField(blank=True, max_length=2000)
    address = models.TextField(blank=True, max_length=500)
    postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    la_person_id = models.CharField("Local authority person ID", max_length=30, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, validators=[validate_nhs_number])
    upn = models.CharField("Unique pupil number", max_length=13, blank=True, validators=[validate_upn])

    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Names and aliases in one lower-case string, for misspelling-tolerant (trigram) search.
    search_text = models.TextField(editable=False, default="")
    # Optimistic lock: a save based on an older version is refused (cases.services).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "young person"
        verbose_name_plural = "young people"
        indexes = [
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="yp_search_trgm"),
            models.Index(fields=["date_of_birth"], name="yp_dob_idx"),
            # A picker finds a young person by these numbers (cases/finders.py): an index probe, not a scan.
            models.Index(fields=["nhs_number"], condition=~Q(nhs_number=""), name="yp_nhs_number_idx"),
            models.Index(fields=["upn"], condition=~Q(upn=""), name="yp_upn_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["la_person_id"], condition=~Q(la_person_id=""), name="yp_unique_la_person_id"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def audit_label(self):
        return f"YP-{self.pk}"

    @property
    def age(self) -> int:
        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    def build_search_text(self) -> str:
        return " ".join([self.first_name, self.last_name, *self.known_as]).lower()

    @classmethod
    def reach_q(cls, user, field: str, level) -> Q:
        """Rows whose foreign key ``field`` is a young person ``user`` may reach (``pk``: the young people
        themselves): the agency that recorded the person, and every agency that can reach one of their cases."""
        if field == "pk":
            owned = Q(owning_agency_id=user.agency_id)
        elif access.is_scanning():  # the agency's own young people as one set, not a join to a million of them
            owned = Q(**{f"{field}__in": cls.objects.filter(owning_agency_id=user.agency_id).order_by().values("pk")})
        else:
            owned = Q(**{f"{field}__owning_agency_id": user.agency_id})
        return owned | access.granted(user, Case, level, field, through="young_person")

    @classmethod
    def access_q(cls, user, level):
        return cls.reach_q(user, "pk", level)


@pghistory.track(append_only=True)
class TrustedAdult(models.Model):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="trusted_adults")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=100)
    how_to_contact = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.relationship})"

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "young_person", level)


@pghistory.track(append_only=True)
class VoiceEntry(models.Model):
    """The young person's own words, dated: what they said, how, and to whom."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="voice_entries")
    said_on = models.DateField()
    words = models.TextField(max_length=5000, help_text="In their own words, as they said them.")
    how_captured = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-said_on", "-recorded_at"]
        verbose_name_plural = "voice entries"

    def __str__(self):
        return f"Their words, {self.said_on:%d %b %Y}"

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "young_person", level)


class HarmType(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation"
    COUNTY_LINES = "county_lines", "County lines"
    SYV = "syv", "Serious youth violence"
    HSB = "hsb", "Harmful sexual behaviour or child-on-child abuse"
    ONLINE = "online", "Online harm"
    TRAFFICKING = "trafficking", "Trafficking or modern slavery"
    RADICALISATION = "radicalisation", "Radicalisation"
    MISSING = "missing", "Going missing"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    RISK_REDUCED = "risk_reduced", "Risk reduced: plan outcomes met"
    STEPPED_DOWN = "stepped_down", "Stepped down to early help or universal services"
    TRANSFERRED = "transferred", "Transferred to another local authority"
    ADULT_SERVICES = "adult_services", "Transferred to adult services"
    MOVED_AWAY = "moved_away", "Moved away"
    NO_FURTHER_ACTION = "nfa", "No further action"
    OTHER = "other", "Other"


@pghistory.track(exclude=["version"], append_only=True)
class Case(Shareable):
    """One episode of extra-familial harm work with a young person."""

    API_ROUTE = "cases"  # served at /api/v1/<route>/<id>/: where a webhook event points

    reference = models.CharField(max_length=20, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(blank=True, max_length=2000)
    lead_practitioner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="lead_cases", null=True, blank=True
    )
    harm_types = ArrayField(models.CharField(max_length=20, choices=HarmType.choices), default=list)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    summary = models.TextField("Reason for involvement", max_length=5000, blank=True)
    next_review_on = models.DateField("Next review date", null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_on", "-id"]
        permissions = [
            ("contribute_case", "Can contribute to the case (add chronology entries)"),
            ("manage_case", "Can manage the case (edit, share, close)"),
            ("share_case", "Can share cases with other agencies"),
            ("close_case", "Can close cases"),
        ]
        indexes = [
            models.Index(fields=["young_person", "-opened_on"], name="case_yp_idx"),
            models.Index(fields=["lead_practitioner", "status"], name="case_lead_idx"),
            models.Index(fields=["status", "next_review_on"], name="case_review_idx"),
            # The case list's order: its first page is read along this index, probing each case's grant.
            models.Index(fields=["-opened_on", "-id"], name="case_opened_idx"),
            # Whether a reader may see a young person is a probe of their cases' grants: with the case's id in the
            # index the probe never reads the case itself (a picker's search probes every candidate; cases/finders.py).
            models.Index(fields=["young_person", "id"], name="case_yp_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True, closure_reason="")
                | Q(status="closed", closed_on__isnull=False) & ~Q(closure_reason=""),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(condition=~Q(harm_types=[]), name="case_has_harm_type"),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("case", args=[self.pk])

    @property
    def audit_label(self):
        return self.reference

    @property
    def is_open(self):
        return self.status == CaseStatus.OPEN

    @staticmethod
    def past_review(today=None) -> Q:
        """An open case whose next review date has passed: the one meaning of an overdue review (the case list's
        filter, the team's dashboard and caseload, the reports)."""
        return Q(status=CaseStatus.OPEN, next_review_on__lt=today or timezone.localdate())

    def harm_type_labels(self):
        return [HarmType(h).label for h in self.harm_types]

    def clean(self):
        if self.closed_on and self.closed_on > timezone.localdate():
            raise ValidationError({"closed_on": "The closing date cannot be in the future."})
        if self.opened_on and self.opened_on > timezone.localdate():
            raise ValidationError({"opened_on": "The opening date cannot be in the future."})


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class EntryKind(models.TextChoices):
    NOTE = "note", "Case note"
    CONTACT = "contact", "Contact with the young person"
    INCIDENT = "incident", "Incident"
    MISSING = "missing", "Missing episode"
    RETURN_INTERVIEW = "return_interview", "Return home interview"
    NRM_REFERRAL = "nrm_referral", "National Referral Mechanism referral"
    ARREST = "arrest", "Arrest"
    DISCLOSURE = "disclosure", "Disclosure"
    OTHER = "other", "Other"


@pghistory.track(append_only=True)
class ChronologyEntry(models.Model):
    """Something that happened, recorded by one agency on a case. Entries are never edited or deleted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="chronology")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    occurred_at = models.DateTimeField()
    text = models.TextField(max_length=10000)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    restricted = models.BooleanField(
        default=False, help_text="Only the people named, in the recording agency, can see a restricted entry."
    )
    restricted_to = models.ManyToManyField(User, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # The record an entry tells the timeline about (cases.services writes it with the record). An entry of a record's
    # kind without one was written as text before these were recorded as data, and still reads as it was written.
    missing_episode = models.ForeignKey("MissingEpisode", on_delete=models.PROTECT, related_name="entries",
                                        null=True, blank=True, editable=False)
    nrm_referral = models.ForeignKey("NrmReferral", on_delete=models.PROTECT, related_name="entries",
                                     null=True, blank=True, editable=False)

    # Kinds recorded as data with their own forms (missing episodes, return home interviews, NRM referrals): a free-text
    # entry of these kinds is no longer written.
    RECORDED_KINDS = ("missing", "return_interview", "nrm_referral")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "chronology entries"
        indexes = [models.Index(fields=["case", "-occurred_at"], name="chron_case_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.occurred_at:%d %b %Y}"

    @property
    def audit_label(self):
        return f"CHR-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        named = cls.restricted_to.through.objects.filter(chronologyentry_id=OuterRef("pk"), user_id=user.pk)
        unrestricted = Q(restricted=False) | Q(author_id=user.pk) | Q(Exists(named))
        return access.inherit(user, cls, "case", level) & unrestricted


class CaseDocument(Attachment):
    """A document attached to a case (safeguarding.attachments): seen by whoever sees the case."""

    PARENT = "case"
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")

    class Meta(Attachment.Meta):
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="casedocument_case_idx")]


attachments.register("case", CaseDocument, rule="cases.policies.can_attach_to_case", noun="case", page="case",
                     young_person="case__young_person")


# --- Missing episodes, return home interviews and National Referral Mechanism referrals ------------------------------

# Statutory guidance (Children who run away or go missing from home or care, 2014): a return home interview is offered
# within 72 hours of the child's return. Clock hours, not working hours: the guidance counts from the return.
RHI_OFFER_WITHIN = timedelta(hours=72)


def how_long(delta: timedelta) -> str:
    """A duration as a person says it: "2 days 5 hours", "7 hours", "under an hour"."""
    hours = int(delta.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts) or "under an hour"


@pghistory.track(exclude=["version"], append_only=True)
class MissingEpisode(models.Model):
    """One time a young person went missing: when it was reported, and when and where they were found. Open (still
    missing) until ``found_at`` is set. Seen by whoever may see the case; on the timeline through its entries."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="missing_episodes")
    missing_at = models.DateTimeField("Reported missing at")
    reported_by = models.CharField("Reported missing by", max_length=200,
                                   help_text="Who reported it, and from where: for example, foster carer, Oak House")
    police_reference = models.CharField("Police reference (optional)", max_length=40, blank=True)
    found_at = models.DateTimeField("Found or returned at", null=True, blank=True)
    where_found = models.CharField("Where they were found", max_length=300, blank=True)
    harm_disclosed = models.BooleanField("Harm disclosed", default=False)
    harm_detail = models.TextField("What harm was disclosed", max_length=5000, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-missing_at", "-id"]
        indexes = [models.Index(fields=["case", "-missing_at"], name="missing_case_idx"),
                   models.Index(fields=["missing_at"], name="missing_at_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(found_at__isnull=True) | Q(found_at__gte=models.F("missing_at")),
                                   name="missing_found_after_missing"),
            models.CheckConstraint(condition=Q(found_at__isnull=False) | Q(where_found=""),
                                   name="missing_where_found_when_found"),
            models.CheckConstraint(condition=Q(harm_disclosed=True) | Q(harm_detail=""),
                                   name="missing_harm_detail_when_disclosed"),
        ]

    def __str__(self):
        return f"Missing episode from {timezone.localtime(self.missing_at):%d %b %Y %H:%M}"

    def get_absolute_url(self):
        return reverse("missing-episode", args=[self.pk])

    @property
    def audit_label(self):
        return f"MIS-{self.pk}"

    @property
    def is_open(self):
        return self.found_at is None

    @property
    def duration(self) -> timedelta | None:
        return self.found_at - self.missing_at if self.found_at else None

    @property
    def rhi_due_by(self):
        """When a return home interview must have been offered by: 72 clock hours after the return."""
        return self.found_at + RHI_OFFER_WITHIN if self.found_at else None

    @property
    def interview(self):
        """The return home interview recorded for this episode, or None."""
        return getattr(self, "return_interview", None)

    def rhi_lateness(self, now=None) -> timedelta | None:
        """How late the return home interview was offered, or (none recorded yet, the 72 hours past) is now. None
        when it was offered in time, is not due yet, or was recorded as not offered (its reason says why)."""
        if self.found_at is None:
            return None
        interview = self.interview
        if interview is not None and not interview.offered:
            return None
        offered = interview.offered_at if interview is not None else (now or timezone.now())
        late = offered - self.rhi_due_by
        return late if late > timedelta(0) else None

    @property
    def rhi_late_text(self) -> str:
        late = self.rhi_lateness()
        return how_long(late) if late else ""

    def clean(self):
        errors = {}
        if self.found_at and self.missing_at and self.found_at < self.missing_at:
            errors["found_at"] = "They must be found after they were reported missing."
        if self.where_found and not self.found_at:
            errors["where_found"] = "Say where they were found only once they have been found."
        if self.harm_disclosed and not self.harm_detail.strip():
            errors["harm_detail"] = "Say what harm they disclosed."
        if not self.harm_disclosed and self.harm_detail.strip():
            errors["harm_detail"] = "Say that harm was disclosed, or leave this empty."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "case", level)


class RhiOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Offered and accepted"
    DECLINED = "declined", "Offered and declined"
    NOT_OFFERED = "not_offered", "Not offered"


@pghistory.track(exclude=["version"], append_only=True)
class ReturnInterview(models.Model):
    """The return home interview after one missing episode: when it was offered, whether the young person took it up,
    who held it, and what they said in their own words."""

    episode = models.OneToOneField(MissingEpisode, on_delete=models.PROTECT, related_name="return_interview")
    outcome = models.CharField(max_length=12, choices=RhiOutcome.choices)
    offered_at = models.DateTimeField("Offered at", null=True, blank=True)
    not_offered_reason = models.TextField("Why it was not offered", max_length=2000, blank=True)
    conducted_by = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                     verbose_name="Agency offering it")
    held_on = models.DateField("Date held", null=True, blank=True)
    words = models.TextField("What they said, in their own words", max_length=10000, blank=True)
    next_steps = models.TextField("What will happen next", max_length=5000, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="not_offered", offered_at__isnull=True, held_on__isnull=True)
                & ~Q(not_offered_reason="") | ~Q(outcome="not_offered") & Q(offered_at__isnull=False),
                name="rhi_offered_unless_not_offered"),
            models.CheckConstraint(condition=Q(outcome="accepted") | Q(held_on__isnull=True),
                                   name="rhi_held_only_when_accepted"),
        ]

    def __str__(self):
        return f"Return home interview: {self.get_outcome_display().lower()}"

    @property
    def audit_label(self):
        return f"RHI-{self.pk}"

    @property
    def offered(self):
        return self.outcome != RhiOutcome.NOT_OFFERED

    def clean(self):
        errors = {}
        if self.outcome == RhiOutcome.NOT_OFFERED:
            if not self.not_offered_reason.strip():
                errors["not_offered_reason"] = "Say why it was not offered."
            if self.offered_at:
                errors["offered_at"] = "An interview not offered has no date it was offered."
            if self.held_on:
                errors["held_on"] = "An interview not offered was not held."
        elif self.outcome:
            if not self.offered_at:
                errors["offered_at"] = "Enter when it was offered."
            if self.not_offered_reason.strip():
                errors["not_offered_reason"] = "Give a reason only when it was not offered."
        if self.held_on and self.outcome != RhiOutcome.ACCEPTED:
            errors["held_on"] = "Only an interview they accepted was held."
        if self.outcome == RhiOutcome.ACCEPTED and self.held_on and self.offered_at \
                and self.held_on < timezone.localtime(self.offered_at).date():
            errors["held_on"] = "It cannot be held before it was offered."
        found = self.episode.found_at if self.episode_id else None
        if self.offered_at and found and self.offered_at < found:
            errors["offered_at"] = "It is offered after they returned."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "episode", level)


class FirstResponder(models.TextChoices):
    """The organisations the Home Office lists as first responders, who may refer to the NRM."""

    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police force"
    BORDER_FORCE = "border_force", "Border Force"
    UKVI = "ukvi", "Home Office: UK Visas and Immigration"
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement", "Home Office: Immigration Enforcement"
    NCA = "nca", "National Crime Agency"
    GLAA = "glaa", "Gangmasters and Labour Abuse Authority"
    HEALTH_SAFETY = "hse", "Health and Safety Executive"
    NSPCC = "nspcc", "NSPCC (Child Trafficking Advice Centre)"
    BARNARDOS = "barnardos", "Barnardo's"
    SALVATION_ARMY = "salvation_army", "The Salvation Army"
    MIGRANT_HELP = "migrant_help", "Migrant Help"
    KALAYAAN = "kalayaan", "Kalayaan"
    UNSEEN = "unseen", "Unseen"
    NEW_PATHWAYS = "new_pathways", "New Pathways"
    BAWSO = "bawso", "BAWSO"
    TARA = "tara", "Trafficking Awareness Raising Alliance (TARA)"
    MIGRANT_HELP_SCOTLAND = "migrant_help_scotland", "Migrant Help (Scotland)"


class Exploitation(models.TextChoices):
    CRIMINAL = "criminal", "Criminal exploitation"
    SEXUAL = "sexual", "Sexual exploitation"
    LABOUR = "labour", "Labour exploitation"
    DOMESTIC_SERVITUDE = "domestic_servitude", "Domestic servitude"
    ORGAN_HARVESTING = "organ_harvesting", "Organ harvesting"
    NOT_KNOWN = "not_known", "Not known yet"


class GroundsDecision(models.TextChoices):
    AWAITED = "awaited", "Awaited"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


ADULT_AGE = 18


@pghistory.track(exclude=["version"], append_only=True)
class NrmReferral(models.Model):
    """A referral of the young person to the National Referral Mechanism as a possible victim of modern slavery, and
    the competent authority's reasonable-grounds and conclusive-grounds decisions (a conclusive-grounds decision
    only follows a positive reasonable-grounds one)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="nrm_referrals")
    first_responder = models.CharField("First responder organisation", max_length=30,
                                       choices=FirstResponder.choices)
    referred_on = models.DateField("Date referred")
    exploitation_types = ArrayField(models.CharField(max_length=20, choices=Exploitation.choices), default=list,
                                    verbose_name="Kinds of exploitation")
    # A child (under 18 when referred) needs no consent to be referred; an adult does.
    adult_consented = models.BooleanField("The young adult consented", null=True, blank=True)
    rg_decision = models.CharField("Reasonable-grounds decision", max_length=10, choices=GroundsDecision.choices,
                                   default=GroundsDecision.AWAITED)
    rg_decided_on = models.DateField("Date of the reasonable-grounds decision", null=True, blank=True)
    cg_decision = models.CharField("Conclusive-grounds decision", max_length=10, choices=GroundsDecision.choices,
                                   default=GroundsDecision.AWAITED)
    cg_decided_on = models.DateField("Date of the conclusive-grounds decision", null=True, blank=True)
    devolved_pilot = models.BooleanField("Decided in a devolved decision-making pilot area", default=False)
    pilot_panel = models.CharField("Pilot panel", max_length=200, blank=True)
    notes = models.TextField(max_length=5000, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = "NRM referral"
        indexes = [models.Index(fields=["case", "-referred_on"], name="nrm_case_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(rg_decision="awaited", rg_decided_on__isnull=True)
                                   | ~Q(rg_decision="awaited") & Q(rg_decided_on__gte=models.F("referred_on")),
                                   name="nrm_rg_dated_after_referral"),
            models.CheckConstraint(condition=Q(cg_decision="awaited", cg_decided_on__isnull=True)
                                   | ~Q(cg_decision="awaited") & Q(rg_decision="positive")
                                   & Q(cg_decided_on__gte=models.F("rg_decided_on")),
                                   name="nrm_cg_after_positive_rg"),
            models.CheckConstraint(condition=Q(devolved_pilot=True) | Q(pilot_panel=""),
                                   name="nrm_panel_only_in_pilot"),
            models.CheckConstraint(condition=~Q(exploitation_types=[]), name="nrm_has_exploitation_type"),
        ]

    def __str__(self):
        return f"NRM referral of {self.referred_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("nrm-referral", args=[self.pk])

    @property
    def audit_label(self):
        return f"NRM-{self.pk}"

    def exploitation_labels(self):
        return [Exploitation(kind).label for kind in self.exploitation_types]

    def child_when_referred(self, young_person: YoungPerson) -> bool:
        dob, on = young_person.date_of_birth, self.referred_on
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day)) < ADULT_AGE

    def clean(self):
        errors = {}
        today = timezone.localdate()
        for field in ("referred_on", "rg_decided_on", "cg_decided_on"):
            if getattr(self, field) and getattr(self, field) > today:
                errors[field] = "The date cannot be in the future."
        if self.rg_decision == GroundsDecision.AWAITED and self.rg_decided_on:
            errors["rg_decided_on"] = "Give the date only with the decision."
        if self.rg_decision != GroundsDecision.AWAITED:
            if not self.rg_decided_on:
                errors["rg_decided_on"] = "Enter the date of the reasonable-grounds decision."
            elif self.referred_on and self.rg_decided_on < self.referred_on:
                errors["rg_decided_on"] = "The decision comes after the referral."
        if self.cg_decision == GroundsDecision.AWAITED and self.cg_decided_on:
            errors["cg_decided_on"] = "Give the date only with the decision."
        if self.cg_decision != GroundsDecision.AWAITED:
            if self.rg_decision != GroundsDecision.POSITIVE:
                errors["cg_decision"] = "A conclusive-grounds decision follows a positive reasonable-grounds decision."
            elif not self.cg_decided_on:
                errors["cg_decided_on"] = "Enter the date of the conclusive-grounds decision."
            elif self.rg_decided_on and self.cg_decided_on < self.rg_decided_on:
                errors["cg_decided_on"] = "The conclusive-grounds decision comes after the reasonable-grounds one."
        if self.pilot_panel.strip() and not self.devolved_pilot:
            errors["pilot_panel"] = "Name a panel only for a devolved pilot area."
        if self.devolved_pilot and not self.pilot_panel.strip():
            errors["pilot_panel"] = "Enter the name of the pilot panel."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "case", level)


# --- The front door: referrals, and transfers between agencies ------------------------------------------------


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a decision"
    MORE_INFORMATION = "more_information", "More information asked for"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent: risk within days"
    IMMEDIATE = "immediate", "Immediate: risk today (also call the front door)"


class Agreement(models.TextChoices):
    AGREED = "agreed", "Yes, they agreed to the referral"
    NOT_AGREED = "not_agreed", "No, they did not agree"
    NOT_ASKED = "not_asked", "They were not asked (say why in what they know)"


class Referral(LawfulBasis):
    """A concern one agency refers to a lead authority, and what the lead authority decided (cases.referrals).

    Abstract: a young person's (``YoungPersonReferral``, here) and a place's or group's (``contexts``) share this
    state, its clock and its workflow. Seen by the referring agency and the agency referred to, nobody else.
    """

    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="Lead authority referred to")
    # The authority the postcode routed to, when the referrer chose another (kept to show the override).
    routed_to = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.WAITING)
    concerns = models.TextField("What are you worried about?", max_length=10000)
    harm_types = ArrayField(models.CharField(max_length=20, choices=HarmType.choices), default=list)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    referred_at = models.DateTimeField(default=timezone.now, editable=False)
    # When it should be decided by (working days, safeguarding.workdays); set again when more information returns.
    decide_by = models.DateField()
    more_information_asked = models.TextField(blank=True, max_length=5000)
    more_information_given = models.TextField(blank=True, max_length=10000)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=5000)
    advice = models.TextField("Advice to the referrer", blank=True, max_length=5000)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Why it is shared is what the referrer is worried about, and who was told is what the young person and family
    # know (each kind's own fields): the basis's own reason and told are not asked twice.
    reason = None
    told = None
    not_told_why = None
    LAWFUL_FIELDS = ("lawful_basis", "special_category", "agreement")

    OPEN = (ReferralStatus.WAITING, ReferralStatus.MORE_INFORMATION)

    class Meta:
        abstract = True
        ordering = ["decide_by", "referred_at", "id"]

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def is_overdue(self):
        return self.status == ReferralStatus.WAITING and self.decide_by < timezone.localdate()

    @staticmethod
    def overdue(today=None) -> Q:
        """``is_overdue`` as a condition: waiting past its decide-by date (the front door's filter and order, the
        daily reminder)."""
        return Q(status=ReferralStatus.WAITING, decide_by__lt=today or timezone.localdate())

    def harm_type_labels(self):
        return [HarmType(h).label for h in self.harm_types]

    @classmethod
    def access_q(cls, user, level):
        # Only the two agencies it passes between; at any level, for the front door's records are not shared.
        return Q(referring_agency_id=user.agency_id) | Q(to_agency_id=user.agency_id)


@pghistory.track(exclude=["version"], append_only=True)
class YoungPersonReferral(Referral):
    """A referral about a young person, with what the referrer knows of them."""

    API_ROUTE = "referrals"  # served at /api/v1/<route>/<id>/: where a webhook event points

    kind_word = "young-person"

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    known_as = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    address = models.TextField(blank=True, max_length=500)
    postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    school = models.CharField(max_length=200, blank=True)
    family_knows = models.TextField("What the young person and their family know", max_length=5000)
    young_person_agreed = models.CharField("Did the young person agree?", max_length=12,
                                           choices=Agreement.choices)
    # What accepting made of it.
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals", null=True, blank=True)

    class Meta(Referral.Meta):
        permissions = [("triage_referral", "Can decide referrals at the front door")]
        indexes = [models.Index(fields=["to_agency", "status", "decide_by"], name="ypref_queue_idx"),
                   models.Index(fields=["referring_agency", "-referred_at"], name="ypref_sent_idx")]

    def __str__(self):
        return f"Referral of {self.first_name} {self.last_name}"

    @property
    def audit_label(self):
        return f"REF-YP-{self.pk}"

    @property
    def subject_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def outcome(self):
        return self.case


class TransferStatus(models.TextChoices):
    ASKED = "asked", "Asked"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Transfer(LawfulBasis):
    """A request that another agency take over a record (a case, a place, a peer group), and its answer.

    The request records the lawful basis of handing the record over (its ``reason`` is why it should move); the view
    the old owner keeps after it is accepted carries the same basis."""

    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="Transfer to")
    reason = models.TextField("Why it should move", max_length=5000)
    keep_view = models.BooleanField(
        "We keep view access", default=True,
        help_text="Usually yes: your agency keeps reading the record it worked on. Say no only if you have no "
                  "further part in it.")
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.ASKED)
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(blank=True, max_length=5000)
    version = models.PositiveIntegerField(default=1, editable=False)

    RECORD = ""  # the foreign key to what moves

    class Meta:
        abstract = True
        ordering = ["-asked_at", "-id"]

    @property
    def record(self):
        return getattr(self, self.RECORD)

    @property
    def is_open(self):
        return self.status == TransferStatus.ASKED

    @classmethod
    def access_q(cls, user, level):
        return Q(from_agency_id=user.agency_id) | Q(to_agency_id=user.agency_id)


@pghistory.track(exclude=["version"], append_only=True)
class CaseTransfer(Transfer):
    kind_word = "case"
    RECORD = "case"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")

    class Meta(Transfer.Meta):
        permissions = [("decide_transfer", "Can accept or reject a transfer to their agency")]
        constraints = [models.UniqueConstraint(fields=["case"], condition=Q(status="asked"),
                                               name="casetransfer_one_open",
                                               violation_error_message="A transfer of this case is already asked.")]

    def __str__(self):
        return f"Transfer of {self.case_id}"

    @property
    def audit_label(self):
        return f"TRF-C-{self.pk}"


# What assessments, agenda items, links, safety plans and packs can be about: a young person (safeguarding.subjects).
subjects.register(subjects.Subject(
    key="young_person", model=YoungPerson, word="young-person", noun="young person", page="young-person",
    has_safety_plan=True, links_at="#contexts", ordering=("last_name", "first_name"),
    choice_label=lambda person: f"{person.full_name} (YP-{person.pk})", identified_with=("owning_agency",)))


# --- Transitional safeguarding: the move to adult services (cases.transitions) -----------------------------------


class TransitionStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    AGREED = "agreed", "Agreed"
    HANDED_OVER = "handed_over", "Handed over"


@pghistory.track(exclude=["version"], append_only=True)
class TransitionPlan(models.Model):
    """How a young person's support continues past 18: who in adult services, what continues, and the handover.

    One open plan per case (a handed-over plan is finished; the case may stay open to 25 alongside adult services).
    Seen by whoever sees the case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transition_plans")
    adult_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="Adult services agency")
    adult_worker = models.CharField("Named worker in adult services", max_length=150, blank=True)
    adult_worker_contact = models.CharField("How to contact them", max_length=300, blank=True)
    continues = models.TextField("What continues after 18", max_length=5000)
    handover_on = models.DateField("Planned handover date")
    meeting_on = models.DateField("Handover meeting date", null=True, blank=True)
    status = models.CharField(max_length=12, choices=TransitionStatus.choices, default=TransitionStatus.PLANNING)
    notes = models.TextField(blank=True, max_length=5000)
    early_reason = models.TextField("Why plan before 17", blank=True, max_length=2000)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    handed_over_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["case", "-opened_at"], name="transition_case_idx")]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=~Q(status="handed_over"), name="transition_one_open",
                                    violation_error_message="This case already has an open transition plan."),
            models.CheckConstraint(
                condition=Q(status="handed_over", handed_over_at__isnull=False, handed_over_by__isnull=False)
                | ~Q(status="handed_over") & Q(handed_over_at__isnull=True, handed_over_by__isnull=True),
                name="transition_handed_over_has_who_and_when"),
        ]

    def __str__(self):
        return f"Transition plan for {self.case_id}"

    @property
    def audit_label(self):
        return f"TP-{self.pk}"

    @property
    def is_open(self):
        return self.status != TransitionStatus.HANDED_OVER

    def clean(self):
        if self.adult_agency_id and self.adult_agency.kind not in AgencyKind.adult_services():
            raise ValidationError({"adult_agency": "Choose an adult services agency."})
        if self.meeting_on and self.handover_on and self.meeting_on > self.handover_on:
            raise ValidationError({"meeting_on": "The handover meeting must be on or before the handover date."})

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "case", level)
