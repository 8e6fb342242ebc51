"""Assessments of young people and the contexts around them, agencies' contributions, and safety plans.

Frameworks are data (``assessments.frameworks``): a locality adapts them, and every edit makes a new version
that existing assessments never see. An assessment, its contribution requests and a safety plan are visible
through their subject's access; an agency asked to contribute also sees its own request, and nothing more.
"""

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.models import YoungPerson
from contexts.models import PeerGroup, Place
from safeguarding import access, attachments, subjects
from safeguarding.models import Agency, Attachment, Commitment, CommitmentUpdate, User

from . import frameworks


class Framework(models.Model):
    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    subject = models.CharField(max_length=20, choices=list(frameworks.SUBJECTS.items()))
    description = models.TextField(blank=True, max_length=2000)
    is_active = models.BooleanField(default=True, help_text="Only active frameworks can be used for new assessments.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FrameworkVersion(models.Model):
    """One version of a framework's questions. Never changed: editing a framework adds a version."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="framework_version_unique")]
        triggers = [pgtrigger.Protect(name="versions_are_final", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.framework.name}, version {self.number}"

    @property
    def sections(self):
        return frameworks.sections(self.definition)


class Subject(models.Model):
    """A record about one subject: a young person, a place (a school is a place) or a peer group."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(Q(young_person__isnull=False, place__isnull=True, peer_group__isnull=True)
                           | Q(young_person__isnull=True, place__isnull=False, peer_group__isnull=True)
                           | Q(young_person__isnull=True, place__isnull=True, peer_group__isnull=False)),
                name="%(class)s_one_subject", violation_error_message="Choose one subject."),
        ]

    @property
    def subject(self):
        return subjects.subject_of(self)

    @property
    def subject_kind(self) -> str:
        return subjects.kind_of(self).key

    @classmethod
    def subject_q(cls, user, level, prefix: str = "") -> Q:
        """Rows whose subject ``user`` may reach at ``level``."""
        return subjects.reaching(user, cls, level, prefix)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"


@pghistory.track(exclude=["version"], append_only=True)
class Assessment(Subject):
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="assessments")
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    lead_author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    # Context weighting: what must change first for the young person (or young people) to be safer, and why.
    priority = models.CharField("What must change first", max_length=300, blank=True)
    priority_reason = models.TextField("Why this first", blank=True, max_length=5000)
    decision_comments = models.TextField(blank=True, max_length=5000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(Subject.Meta):
        ordering = ["-created_at", "-id"]
        permissions = [("approve_assessment", "Can approve or return assessments")]
        indexes = [models.Index(fields=["status", "-created_at"], name="assessment_status_idx")]

    def __str__(self):
        return f"{self.framework_version.framework.name} of {self.subject}"

    @property
    def audit_label(self):
        return f"AS-{self.pk}"

    @property
    def is_editable(self):
        return self.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)

    @property
    def is_approved(self):
        return self.status == AssessmentStatus.APPROVED

    @classmethod
    def access_q(cls, user, level):
        # Seen through the subject. Written (contribute) and approved (manage) within the agency that wrote it, by
        # people who may contribute to the subject: a place a partner referred is assessed and approved by the lead
        # authority, which holds contribute on it, not manage.
        if level == access.VIEW:
            return cls.subject_q(user, level)
        return cls.subject_q(user, access.CONTRIBUTE) & Q(owning_agency_id=user.agency_id)


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a response"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AddedAfter(models.TextChoices):
    """What had already happened to the assessment when a late answer came: the answer is then an addendum."""

    SUBMITTED = "submitted", "submitted"
    APPROVED = "approved", "approved"


@pghistory.track(exclude=["version"], append_only=True)
class ContributionRequest(models.Model):
    """The lead's request to one agency for its part of an assessment, and that agency's answer."""

    API_ROUTE = "contribution-requests"  # served at /api/v1/<route>/<id>/: where a webhook event points

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    question = models.TextField("What you are asking for", max_length=3000)
    due_on = models.DateField("Respond by")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    response = models.TextField(blank=True, max_length=10000)
    answered_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    # An answer that came after the assessment was submitted or approved is an addendum: kept apart from the
    # assessment as written, labelled with what it came after and when.
    added_after = models.CharField(max_length=10, choices=AddedAfter.choices, blank=True)
    added_after_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "agency"], condition=~Q(status="withdrawn"),
                                    name="one_live_request_per_agency",
                                    violation_error_message="This agency has already been asked."),
            models.CheckConstraint(condition=~Q(status="answered") | ~Q(response=""), name="answered_has_response",
                                   violation_error_message="Enter your agency's response."),
            models.CheckConstraint(condition=Q(added_after="", added_after_at__isnull=True)
                                   | Q(status="answered", added_after_at__isnull=False) & ~Q(added_after=""),
                                   name="addendum_is_an_answer"),
        ]
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="request_agency_idx")]

    def __str__(self):
        return f"Request to {self.agency} for {self.assessment_id}"

    @property
    def audit_label(self):
        return f"CR-{self.pk}"

    @property
    def is_open(self):
        return self.status == RequestStatus.REQUESTED

    @property
    def is_overdue(self):
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def is_addendum(self):
        return bool(self.added_after)

    @property
    def addendum_when(self) -> str:
        """What an addendum came after: "after the assessment was approved on 4 December 2026"."""
        if not self.is_addendum:
            return ""
        return f"after the assessment was {self.get_added_after_display()} on " \
               f"{timezone.localtime(self.added_after_at):%-d %B %Y}"

    @property
    def addendum_label(self) -> str:
        """How an addendum is labelled wherever it is shown."""
        return f"Added {self.addendum_when}" if self.is_addendum else ""

    @classmethod
    def access_q(cls, user, level):
        mine = Q(agency_id=user.agency_id)
        if level == access.VIEW:
            return mine | access.reaching(user, "assessment", Assessment.objects.all())
        if level == access.CONTRIBUTE:  # answering: the agency asked
            return mine
        return access.reaching(user, "assessment", Assessment.objects.all(), access.CONTRIBUTE)


# --- Safety plans for young people and contexts ------------------------------------------------------------------

@pghistory.track(exclude=["version"], append_only=True)
class SafetyPlan(models.Model):
    """The plan to make a young person, a place or a peer group safer: goals, and the interventions to meet them.
    One mechanism for all three: a young person's plan is reached through their case, as their other records are,
    and is shown beside the plans of the places and groups they are linked to (``selectors.linked_plans``)."""

    young_person = models.OneToOneField(YoungPerson, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    place = models.OneToOneField(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    peer_group = models.OneToOneField(PeerGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(young_person__isnull=False, place__isnull=True, peer_group__isnull=True)
                                   | Q(young_person__isnull=True, place__isnull=False, peer_group__isnull=True)
                                   | Q(young_person__isnull=True, place__isnull=True, peer_group__isnull=False),
                                   name="plan_one_subject"),
        ]

    def __str__(self):
        return f"Safety plan for {self.subject}"

    @property
    def subject(self):
        return subjects.subject_of(self)

    @property
    def audit_label(self):
        return f"SP-{self.pk}"

    @property
    def kind(self):
        """The kind of its subject (``safeguarding.subjects``), read from which foreign key is set."""
        return subjects.kind_of(self)

    @property
    def url(self) -> str:
        """Its page, by its subject (no query)."""
        kind = self.kind
        return reverse("safety-plan", args=[kind.word, getattr(self, f"{kind.key}_id")])

    @classmethod
    def access_q(cls, user, level):
        return subjects.reaching(user, cls, level)


class GoalStatus(models.TextChoices):
    NOT_MET = "not_met", "Not met yet"
    PARTLY_MET = "partly_met", "Partly met"
    MET = "met", "Met"


@pghistory.track(exclude=["version"], append_only=True)
class Goal(models.Model):
    """A goal in the Contextual Outcomes Framework form."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="goals")
    statement = models.TextField("Goal", max_length=2000)
    met_when = models.TextField("What would show it is met", max_length=2000)
    measured_by = models.TextField("How we will know", max_length=2000)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.NOT_MET)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.statement[:80]

    @property
    def audit_label(self):
        return f"GO-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "plan", level)


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    STOPPED = "stopped", "Stopped"


@pghistory.track(exclude=["version"], append_only=True)
class Intervention(Commitment):
    OUTSTANDING = (InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS)

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="interventions")
    what = models.TextField("What will be done", max_length=2000)
    status = models.CharField(max_length=12, choices=InterventionStatus.choices, default=InterventionStatus.PLANNED)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner_agency", "status", "due_on"], name="intervention_owner_idx"),
                   models.Index(fields=["status", "due_on"], name="intervention_due_idx")]  # overdue reminders

    def __str__(self):
        return self.what[:80]

    @property
    def audit_label(self):
        return f"IN-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        # Through the plan; and the agency that owns an intervention sees it (to report on it) even when the
        # place or group itself is not shared with that agency.
        through_plan = access.inherit(user, cls, "goal", level)
        return through_plan | Q(owner_agency_id=user.agency_id) if level == access.VIEW else through_plan


@pghistory.track(append_only=True)
class InterventionUpdate(CommitmentUpdate):
    COMMITMENT = "intervention"

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=12, choices=InterventionStatus.choices)


class AssessmentDocument(Attachment):
    """A document attached to an assessment (evidence it rests on): seen by whoever sees the assessment."""

    PARENT = "assessment"
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="documents")

    class Meta(Attachment.Meta):
        indexes = [models.Index(fields=["assessment", "-uploaded_at"], name="assessmentdocument_idx")]


attachments.register("assessment", AssessmentDocument, rule="assessments.policies.can_attach_to_assessment",
                     noun="assessment", page="assessment", young_person="assessment__young_person")
