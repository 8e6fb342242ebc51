"""Multi-agency panels: meetings from agenda to actions, and per-agency panel packs.

A meeting is shared with each member agency of its panel when it is set up. Agenda items are seen through the
meeting, but what an item says about a young person, place or group is shown only to an agency that can see that
subject (selectors hand everything else over as a "not shared" stub). Actions are seen by the agency that owns
them and by those who can see their item's subject.
"""

import pghistory
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from safeguarding import access, attachments, subjects
from safeguarding.lawful import LawfulBasis
from safeguarding.models import Agency, Attachment, Commitment, CommitmentUpdate, Shareable, User


class PanelKind(models.TextChoices):
    MACE = "mace", "MACE panel (multi-agency child exploitation)"
    CONTEXT_CONFERENCE = "context_conference", "Context conference"
    STRATEGY = "strategy", "Strategy meeting"
    OTHER = "other", "Other multi-agency meeting"


@pghistory.track(append_only=True)
class Panel(models.Model):
    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=PanelKind.choices)
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    member_agencies = models.ManyToManyField(Agency, related_name="panels")
    chairs = models.ManyToManyField(User, related_name="chaired_panels")
    terms_of_reference = models.TextField(blank=True, max_length=10000)
    # An agency whose only attendees sent apologies still gets the pack, to act on the panel's actions.
    packs_to_apologies = models.BooleanField("Send packs to agencies that sent apologies", default=True,
                                             db_default=True)  # rows written by COPY (bench) get it too
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    AGENDA_SET = "agenda_set", "Agenda set"
    PACKS_SENT = "packs_sent", "Packs sent"
    IN_PROGRESS = "in_progress", "In progress"
    MINUTES_DRAFTED = "minutes_drafted", "Minutes drafted"
    MINUTES_APPROVED = "minutes_approved", "Minutes approved"


MEETING_FLOW = list(MeetingStatus.values)


@pghistory.track(exclude=["version"], append_only=True)
class Meeting(Shareable):
    API_ROUTE = "meetings"  # served at /api/v1/<route>/<id>/: where a webhook event points
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField("Date and time")
    location = models.CharField("Where", max_length=300, blank=True)
    online_link = models.URLField("Online meeting link", blank=True, max_length=500)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    # Goes up whenever the agenda changes; a pack is built for one agenda version.
    agenda_version = models.PositiveIntegerField(default=1)
    minutes_approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-starts_at", "-id"]
        permissions = [
            ("contribute_meeting", "Can contribute to the meeting (agency contributions, own actions)"),
            ("manage_meeting", "Can run the meeting (agenda, minutes, attendance)"),
            ("share_meeting", "Can share meetings with other agencies"),
        ]
        indexes = [models.Index(fields=["panel", "starts_at"], name="meeting_panel_idx")]

    def __str__(self):
        return f"{self.panel.name}, {timezone.localtime(self.starts_at):%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("meeting", args=[self.pk])

    @property
    def audit_label(self):
        return f"MT-{self.pk}"

    @property
    def step(self) -> int:
        return MEETING_FLOW.index(self.status)


class MeetingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class MeetingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class ItemKind(models.TextChoices):
    YOUNG_PERSON = "young_person", "A young person"
    PLACE = "place", "A place"
    PEER_GROUP = "peer_group", "A peer group"
    THEME = "theme", "A theme (a pattern across an area)"


@pghistory.track(exclude=["version"], append_only=True)
class AgendaItem(models.Model):
    """One item: about a young person, a place, a peer group, or a theme; with its voice, minutes and decisions."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    young_person = models.ForeignKey("cases.YoungPerson", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    place = models.ForeignKey("contexts.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    peer_group = models.ForeignKey("contexts.PeerGroup", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    theme = models.CharField("Theme", max_length=200, blank=True)
    presenter = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField("Why it is on the agenda", max_length=3000)
    voice = models.TextField("What the young person has said", blank=True, max_length=5000)
    feedback = models.TextField("What will be fed back to them", blank=True, max_length=3000)
    # After the meeting: that the feedback reached the young person, when, how and by whom.
    feedback_given_on = models.DateField("When the feedback was given", null=True, blank=True)
    feedback_given_how = models.CharField("How it was given", max_length=300, blank=True)
    feedback_given_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    minutes = models.TextField("Discussion", blank=True, max_length=20000)
    decisions = models.TextField("Decisions", blank=True, max_length=5000)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="young_person", young_person__isnull=False, place=None, peer_group=None, theme="")
                           | Q(kind="place", place__isnull=False, young_person=None, peer_group=None, theme="")
                           | Q(kind="peer_group", peer_group__isnull=False, young_person=None, place=None, theme="")
                           | (Q(kind="theme", young_person=None, place=None, peer_group=None) & ~Q(theme=""))),
                name="agenda_item_one_subject", violation_error_message="Choose what the item is about."),
            models.CheckConstraint(
                condition=Q(feedback_given_on__isnull=True, feedback_given_by__isnull=True, feedback_given_how="")
                | (Q(feedback_given_on__isnull=False, feedback_given_by__isnull=False, kind="young_person")
                   & ~Q(feedback_given_how="")),
                name="agenda_item_feedback_given_whole",
                violation_error_message="Say when and how the feedback was given, and by whom."),
        ]

    def __str__(self):
        return f"Item {self.position} of {self.meeting_id}"

    @property
    def audit_label(self):
        return f"AI-{self.pk}"

    @property
    def subject(self):
        return subjects.subject_of(self)

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "meeting", level)

    @classmethod
    def subject_visible_q(cls, user, prefix: str = "") -> Q:
        """Items whose subject ``user`` can see (a theme has none, so it is always shown)."""
        return Q(**{f"{prefix}kind": ItemKind.THEME}) | subjects.reaching(user, cls, access.VIEW, prefix)

    def record_to_share(self):
        """The shareable record that opens the item's subject to another agency: a place or peer group itself; for a
        young person, their latest open case held by the agency that recorded them. ``None`` for a theme, or a young
        person with no such case."""
        subject = self.subject
        if subject is None or isinstance(subject, Shareable):
            return subject
        return subject.cases.filter(owning_agency_id=subject.owning_agency_id, status="open").order_by(
            "-opened_on", "-id").first()


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


@pghistory.track(append_only=True)
class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED)
    deputy_for = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["agency__name", "person__last_name", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")]

    def __str__(self):
        return f"{self.person} at {self.meeting_id}"

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "meeting", level)


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OUTSTANDING = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@pghistory.track(exclude=["version"], append_only=True)
class Action(Commitment):
    API_ROUTE = "actions"  # served at /api/v1/<route>/<id>/: where a webhook event points
    OUTSTANDING = OUTSTANDING

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField("Action", max_length=3000)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner_agency", "status", "due_on"], name="action_owner_idx"),
                   models.Index(fields=["status", "due_on"], name="action_due_idx")]

    def __str__(self):
        return self.description[:80]

    @property
    def audit_label(self):
        return f"AC-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        # The owning agency always; others through the meeting and the item's subject.
        through_item = access.reaching(user, "item", AgendaItem.objects.filter(AgendaItem.subject_visible_q(user)),
                                       level)
        if level == access.VIEW:
            return Q(owner_agency_id=user.agency_id) | through_item
        return through_item


@pghistory.track(append_only=True)
class ActionUpdate(CommitmentUpdate):
    COMMITMENT = "action"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=12, choices=ActionStatus.choices)


class ShareRequestStatus(models.TextChoices):
    ASKED = "asked", "Waiting for a decision"
    APPROVED = "approved", "Shared"
    DECLINED = "declined", "Declined"


@pghistory.track(exclude=["version"], append_only=True)
class ShareRequest(LawfulBasis):
    """A chair asking the agency that holds an item's record to share it with panel agencies that cannot see it.

    Seen by the agency running the meeting and by the agency holding the record (which decides); the lawful basis is
    the approver's, recorded when they share.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="share_requests")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="share_requests")
    agencies = models.ManyToManyField(Agency, related_name="+", verbose_name="Agencies to share with")
    reason = models.TextField("Why the panel needs them to see it", max_length=3000)
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=10, choices=ShareRequestStatus.choices, default=ShareRequestStatus.ASKED)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField("Why not", blank=True, max_length=3000)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(status="asked"), name="one_open_share_request"),
            models.CheckConstraint(condition=Q(status="asked", decided_at__isnull=True)
                                   | ~Q(status="asked") & Q(decided_at__isnull=False),
                                   name="share_request_decided_when"),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""),
                                   name="share_request_declined_why"),
        ]
        indexes = [models.Index(fields=["status", "-asked_at"], name="share_request_status_idx")]

    def __str__(self):
        return f"Request to share item {self.item_id} of {self.meeting_id}"

    @property
    def audit_label(self):
        return f"SR-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        # Whoever runs the meeting that asked, and the agency that holds the record (its manage level).
        return (access.inherit(user, cls, "meeting", access.MANAGE)
                | subjects.reaching(user, AgendaItem, access.MANAGE, "item__"))


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


class PackStep(models.TextChoices):
    """The step a pack's build has reached: what the meeting page shows while it is built, and where it failed."""

    QUEUED = "queued", "Waiting to start"
    GATHERING = "gathering", "Gathering what the agency may see"
    RENDERING = "rendering", "Laying out the pages"
    STORING = "storing", "Storing the file"
    READY = "ready", "Ready"


class PanelPack(models.Model):
    """One agency's pack for one version of a meeting's agenda: a job row the page polls, then a file."""

    API_ROUTE = "panel-packs"  # served at /api/v1/<route>/<id>/: where a webhook event points

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="packs")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    agenda_version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=10, choices=PackStep.choices, default=PackStep.QUEUED)
    file = models.FileField(upload_to="packs/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "-agenda_version"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency", "agenda_version"],
                                               name="one_pack_per_agenda_version")]

    def __str__(self):
        return f"Pack for {self.agency} of {self.meeting_id} v{self.agenda_version}"

    @property
    def audit_label(self):
        return f"PK-{self.pk}"

    @property
    def steps(self) -> list[tuple[str, str]]:
        """The build's steps, each with "done", "current" or "to do", for the page showing a pack being built."""
        order = [step for step in PackStep if step != PackStep.READY]
        reached = order.index(self.step) if self.step in order else len(order)
        return [(step.label, "done" if n < reached else "current" if n == reached else "to do")
                for n, step in enumerate(order)]

    @classmethod
    def access_q(cls, user, level):
        # An agency's pack is for that agency: the chair's agency (manage) sees them all to send them.
        mine = Q(agency_id=user.agency_id) & access.inherit(user, cls, "meeting", access.VIEW)
        return mine | access.inherit(user, cls, "meeting", access.MANAGE)


class MeetingDocument(Attachment):
    """A paper for a meeting: seen by every agency that sees the meeting."""

    PARENT = "meeting"
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="documents")

    class Meta(Attachment.Meta):
        indexes = [models.Index(fields=["meeting", "-uploaded_at"], name="meetingdocument_idx")]


attachments.register("meeting", MeetingDocument, rule="panels.policies.can_attach_to_meeting", noun="meeting",
                     page="meeting")
