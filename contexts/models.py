"""Places and peer groups where harm happens, as records of their own, and the evidence that links them.

Places and peer groups are shared like cases (``safeguarding.access``). Every membership, association and link
is *evidence, not fact*: it says who reported it, how reliable it is, and when it must be looked at again; an
ended link keeps its history. A link is visible only to someone who can see both of its ends.
"""

from datetime import timedelta

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.identifiers import validate_postcode
from cases.models import ChronologyEntry, Referral, Transfer, YoungPerson
from safeguarding import access, attachments, subjects
from safeguarding.models import Agency, Attachment, Shareable, User

# Great Britain and Northern Ireland, with a margin: coordinates outside are a typing mistake.
LATITUDE_RANGE = (49.8, 61.0)
LONGITUDE_RANGE = (-8.7, 2.0)


class ContextStatus(models.TextChoices):
    NOTED = "noted", "Noted"  # a concern referred, not yet being worked on
    MONITORING = "monitoring", "Monitoring"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PlaceKind(models.TextChoices):
    STREET = "street", "Street or estate"
    PARK = "park", "Park or open space"
    TRANSPORT = "transport", "Transport hub or route"
    SHOP = "shop", "Shop or takeaway"
    SCHOOL = "school", "School or college"
    YOUTH = "youth", "Youth provision"
    HOUSING = "housing", "Housing or hostel"
    ONLINE = "online", "Online platform or group"
    OTHER = "other", "Other"


class Reliability(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"
    SUSPECTED = "suspected", "Suspected"


class Purpose(models.TextChoices):
    """Why a link was recorded: to keep a young person safe, or as intelligence (which only its recording agency's
    packs print)."""

    WELFARE = "welfare", "Welfare"
    INTELLIGENCE = "intelligence", "Intelligence"


class AssociationNature(models.TextChoices):
    FRIEND = "friend", "Friend"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    ASSOCIATE = "associate", "Associate"
    CONFLICT = "conflict", "Conflict"
    EXPLOITATION = "exploitation", "Exploitation concern"


class MembershipRole(models.TextChoices):
    CORE = "core", "Core member"
    PERIPHERAL = "peripheral", "Peripheral member"
    UNKNOWN = "unknown", "Role not known"


class PlaceLinkNature(models.TextChoices):
    LIVES_NEAR = "lives_near", "Lives near"
    ATTENDS = "attends", "Attends"
    FREQUENTS = "frequents", "Frequents"
    INCIDENT = "incident", "Incident there"
    GATHERING = "gathering", "Reported gathering"


class ContextRecord(Shareable):
    """What a place and a peer group share: a status from a referred concern to closure, a lead and a review."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=5000)
    status = models.CharField(max_length=12, choices=ContextStatus.choices, default=ContextStatus.NOTED)
    closure_reason = models.TextField(blank=True, max_length=2000)
    # When it was last closed: the date its retention period runs from (safeguarding.retention).
    closed_on = models.DateField(null=True, blank=True, editable=False)
    lead_practitioner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    review_on = models.DateField("Next review date", null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(closure_reason=""),
                                   name="%(class)s_closed_has_reason",
                                   violation_error_message="Say why it is being closed."),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return subjects.of(self).url(self)

    @property
    def is_closed(self):
        return self.status == ContextStatus.CLOSED


@pghistory.track(exclude=["version"], append_only=True)
class Place(ContextRecord):
    API_ROUTE = "places"  # served at /api/v1/<route>/<id>/: where a webhook event points
    kind = models.CharField(max_length=12, choices=PlaceKind.choices)
    address = models.TextField(blank=True, max_length=500)
    postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    # How the position was found (safeguarding.geocoding): "postcode", "approximate: ward centre", or blank for one
    # recorded before (typed, or imported).
    position_note = models.CharField("How the position was found", max_length=40, blank=True)
    ward = models.CharField("Neighbourhood or ward", max_length=100, blank=True)
    school_urn = models.CharField(
        "School URN", max_length=6, blank=True,
        validators=[RegexValidator(r"^\d{6}$", "A unique reference number (URN) is 6 digits, like 100000.")],
        help_text="Schools and colleges only: the 6-digit unique reference number.",
    )

    class Meta(ContextRecord.Meta):
        permissions = [
            ("contribute_place", "Can contribute to the place (record links, guardians, incidents)"),
            ("manage_place", "Can manage the place (edit, share, close)"),
            ("share_place", "Can share places with other agencies"),
        ]
        indexes = [
            models.Index(fields=["status", "review_on"], name="place_review_idx"),
            models.Index(fields=["ward"], name="place_ward_idx"),
        ]
        constraints = [
            *ContextRecord.Meta.constraints,
            models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                   | Q(latitude__range=LATITUDE_RANGE, longitude__range=LONGITUDE_RANGE),
                                   name="place_position_in_uk",
                                   violation_error_message="The position must be in the UK."),
            models.CheckConstraint(condition=Q(school_urn="") | Q(kind="school"), name="place_urn_only_for_schools",
                                   violation_error_message="Only a school or college has a URN."),
        ]

    @property
    def audit_label(self):
        return f"PL-{self.pk}"

    @property
    def has_position(self):
        return self.latitude is not None and self.longitude is not None

    def clean(self):
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Enter both latitude and longitude, or neither.")
        if self.latitude is not None and not LATITUDE_RANGE[0] <= float(self.latitude) <= LATITUDE_RANGE[1]:
            errors["latitude"] = "Latitude must be in the UK: between 49.8 and 61.0."
        if self.longitude is not None and not LONGITUDE_RANGE[0] <= float(self.longitude) <= LONGITUDE_RANGE[1]:
            errors["longitude"] = "Longitude must be in the UK: between -8.7 and 2.0."
        if self.school_urn and self.kind != PlaceKind.SCHOOL:
            errors["school_urn"] = "Only a school or college has a URN."
        if errors:
            raise ValidationError(errors)


class PlaceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Place, on_delete=models.CASCADE)


class PlaceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Place, on_delete=models.CASCADE)


@pghistory.track(exclude=["version"], append_only=True)
class PeerGroup(ContextRecord):
    API_ROUTE = "peer-groups"  # served at /api/v1/<route>/<id>/: where a webhook event points
    class Meta(ContextRecord.Meta):
        verbose_name = "peer group"
        permissions = [
            ("contribute_peergroup", "Can contribute to the peer group (record memberships and links)"),
            ("manage_peergroup", "Can manage the peer group (edit, share, close)"),
            ("share_peergroup", "Can share peer groups with other agencies"),
        ]
        indexes = [models.Index(fields=["status", "review_on"], name="group_review_idx")]

    @property
    def audit_label(self):
        return f"PG-{self.pk}"


class PeerGroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PeerGroup, on_delete=models.CASCADE)


class PeerGroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(PeerGroup, on_delete=models.CASCADE)


class Evidence(models.Model):
    """Who says so, how sure they are, and when it must be looked at again. Ended, never deleted."""

    source_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    source_person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reliability = models.CharField(max_length=10, choices=Reliability.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    notes = models.TextField(blank=True, max_length=2000)
    last_reviewed_on = models.DateField(default=timezone.localdate)
    review_by = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(review_by__gte=F("last_reviewed_on")),
                                   name="%(class)s_review_after_last_review",
                                   violation_error_message="The review-by date must be on or after the last review."),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                                   name="%(class)s_ended_has_reason",
                                   violation_error_message="Say why the link has ended."),
        ]

    @staticmethod
    def expired_before():
        """Links whose review-by date is before this day, and not reviewed since, are no longer current."""
        return timezone.localdate() - timedelta(days=settings.LINK_EXPIRES_AFTER_DAYS)

    @classmethod
    def current_q(cls, *, include_expired: bool = False) -> Q:
        """Links not ended and (unless ``include_expired``) not expired: unreviewed for ``LINK_EXPIRES_AFTER_DAYS``
        after their review-by date. A review moves ``review_by`` on, so "not reviewed since" needs no other field."""
        q = Q(ended_on__isnull=True)
        return q if include_expired else q & Q(review_by__gte=cls.expired_before())

    @classmethod
    def printable_q(cls, agency) -> Q:
        """Links that may be printed in ``agency``'s pack: intelligence only in the recording agency's."""
        return ~Q(purpose=Purpose.INTELLIGENCE) | Q(source_agency=agency)

    @property
    def is_current(self):
        return self.ended_on is None

    @property
    def is_expired(self):
        """Not ended, but unreviewed so long after its review-by date that it no longer counts as current."""
        return self.is_current and self.review_by < self.expired_before()

    @property
    def review_overdue(self):
        return self.is_current and self.review_by < timezone.localdate()

    def clean(self):
        if self.review_by and self.last_reviewed_on and self.review_by < self.last_reviewed_on:
            raise ValidationError({"review_by": "The review-by date must be on or after the last review."})


@pghistory.track(exclude=["version"], append_only=True)
class Membership(Evidence):
    link_kind = "membership"
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="memberships")
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=12, choices=MembershipRole.choices, default=MembershipRole.UNKNOWN)
    from_date = models.DateField("Member from", null=True, blank=True)
    to_date = models.DateField("Member until", null=True, blank=True)

    class Meta(Evidence.Meta):
        constraints = [
            *Evidence.Meta.constraints,
            models.CheckConstraint(condition=Q(to_date__isnull=True) | Q(from_date__isnull=True)
                                   | Q(to_date__gte=F("from_date")), name="membership_dates_in_order",
                                   violation_error_message="The end of membership must be on or after its start."),
            models.UniqueConstraint(fields=["peer_group", "young_person"], condition=Q(ended_on__isnull=True),
                                    name="membership_one_current"),
        ]
        indexes = [models.Index(fields=["review_by"], condition=Q(ended_on__isnull=True),
                                name="membership_review_idx")]

    def __str__(self):
        return f"Member of {self.peer_group_id}"

    @property
    def audit_label(self):
        return f"MEM-{self.pk}"

    @property
    def nature_label(self):
        return self.get_role_display()

    def clean(self):
        super().clean()
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValidationError({"to_date": "The end of membership must be on or after its start."})

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "peer_group", level) & access.inherit(user, cls, "young_person")


@pghistory.track(exclude=["version"], append_only=True)
class Association(Evidence):
    """A link between two young people. For an exploitation concern, ``person`` is the one at risk."""

    link_kind = "association"

    person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="associations")
    other = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="associations_as_other")
    nature = models.CharField(max_length=14, choices=AssociationNature.choices)

    class Meta(Evidence.Meta):
        constraints = [
            *Evidence.Meta.constraints,
            models.CheckConstraint(condition=~Q(person=F("other")), name="association_two_people",
                                   violation_error_message="A young person cannot be linked to themselves."),
            models.UniqueConstraint(fields=["person", "other", "nature"], condition=Q(ended_on__isnull=True),
                                    name="association_one_current"),
        ]
        indexes = [models.Index(fields=["review_by"], condition=Q(ended_on__isnull=True),
                                name="association_review_idx")]

    def __str__(self):
        return f"{self.get_nature_display()} ({self.pk})"

    @property
    def audit_label(self):
        return f"ASC-{self.pk}"

    @property
    def nature_label(self):
        return self.get_nature_display()

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "person", level) & access.inherit(user, cls, "other")


@pghistory.track(exclude=["version"], append_only=True)
class PlaceLink(Evidence):
    """A young person or a peer group linked to a place."""

    link_kind = "place-link"

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="links")
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="place_links",
                                     null=True, blank=True)
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="place_links",
                                   null=True, blank=True)
    nature = models.CharField(max_length=12, choices=PlaceLinkNature.choices)

    class Meta(Evidence.Meta):
        constraints = [
            *Evidence.Meta.constraints,
            models.CheckConstraint(condition=Q(young_person__isnull=False, peer_group__isnull=True)
                                   | Q(young_person__isnull=True, peer_group__isnull=False),
                                   name="placelink_one_subject"),
            models.UniqueConstraint(fields=["place", "young_person", "nature"],
                                    condition=Q(ended_on__isnull=True, young_person__isnull=False),
                                    name="placelink_one_current_person"),
            models.UniqueConstraint(fields=["place", "peer_group", "nature"],
                                    condition=Q(ended_on__isnull=True, peer_group__isnull=False),
                                    name="placelink_one_current_group"),
        ]
        indexes = [models.Index(fields=["review_by"], condition=Q(ended_on__isnull=True),
                                name="placelink_review_idx")]

    def __str__(self):
        return f"{self.get_nature_display()} ({self.pk})"

    @property
    def audit_label(self):
        return f"PLK-{self.pk}"

    @property
    def nature_label(self):
        return self.get_nature_display()

    @property
    def subject(self):
        return subjects.subject_of(self, skip=("place",))

    @classmethod
    def access_q(cls, user, level):
        person = Q(young_person__isnull=False) & access.inherit(user, cls, "young_person")
        group = Q(peer_group__isnull=False) & access.inherit(user, cls, "peer_group")
        return access.inherit(user, cls, "place", level) & (person | group)


@pghistory.track(append_only=True)
class Guardian(models.Model):
    """A capable guardian or community partner at a place: someone with a caring interest in it."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="guardians")
    name = models.CharField(max_length=150)
    organisation = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=150, help_text="For example: shop owner, park warden, bus operator.")
    how_to_contact = models.CharField(max_length=300, blank=True)
    engagement_notes = models.TextField(blank=True, max_length=5000)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def audit_label(self):
        return f"GDN-{self.pk}"

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "place", level)


@pghistory.track(append_only=True)
class GuardianTraining(models.Model):
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="training")
    given_on = models.DateField()
    topic = models.CharField(max_length=200)
    delivered_by = models.CharField(max_length=150, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self):
        return self.topic

    @classmethod
    def access_q(cls, user, level):
        return access.reaching(user, "guardian", Guardian.objects.all(), level)


class PlaceTag(models.Model):
    """A chronology entry tagged with the place where it happened."""

    # More than one place may be tagged: each agency sees only the tags at places it can see, so one agency's tag
    # at a place another cannot see must neither stop nor tell the other.
    entry = models.ForeignKey(ChronologyEntry, on_delete=models.PROTECT, related_name="place_tags")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="tags")
    tagged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    tagged_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["place", "-tagged_at"], name="placetag_place_idx")]
        constraints = [models.UniqueConstraint(fields=["entry", "place"], name="placetag_entry_place_unique")]

    def __str__(self):
        return f"Entry {self.entry_id} at place {self.place_id}"

    @classmethod
    def access_q(cls, user, level):
        return access.inherit(user, cls, "place", level) & access.inherit(user, cls, "entry")


class ContextKind(models.TextChoices):
    PLACE = "place", "A place"
    PEER_GROUP = "peer_group", "A peer group"


@pghistory.track(exclude=["version"], append_only=True)
class ContextReferral(Referral):
    """A referral about a place or a peer group: one the referrer can see (``place``/``peer_group`` set when it is
    made), or one described. Accepting sets them to the record the lead authority opened or joined."""

    kind_word = "context"

    kind = models.CharField("What is the concern about?", max_length=12, choices=ContextKind.choices)
    name = models.CharField(max_length=150)
    description = models.TextField("Describe it", blank=True, max_length=5000)
    place_kind = models.CharField("Kind of place", max_length=12, choices=PlaceKind.choices, blank=True)
    address = models.TextField(blank=True, max_length=500)
    postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="referrals", null=True, blank=True)
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="referrals", null=True,
                                   blank=True)

    class Meta(Referral.Meta):
        indexes = [models.Index(fields=["to_agency", "status", "decide_by"], name="ctxref_queue_idx"),
                   models.Index(fields=["referring_agency", "-referred_at"], name="ctxref_sent_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(place__isnull=True) | Q(kind="place"), name="ctxref_place_kind"),
            models.CheckConstraint(condition=Q(peer_group__isnull=True) | Q(kind="peer_group"),
                                   name="ctxref_group_kind"),
        ]

    def __str__(self):
        return f"Referral of {self.name}"

    @property
    def audit_label(self):
        return f"REF-CX-{self.pk}"

    @property
    def subject_name(self):
        return f"{self.name} ({self.get_kind_display().removeprefix('A ')})"

    @property
    def record(self):
        return self.place or self.peer_group

    def clean(self):
        if self.kind == ContextKind.PLACE and not self.place_id and not self.place_kind:
            raise ValidationError({"place_kind": "Say what kind of place it is."})


@pghistory.track(exclude=["version"], append_only=True)
class ContextTransfer(Transfer):
    """A request that another agency take over a place or a peer group."""

    kind_word = "context"

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="transfers", null=True, blank=True)
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="transfers", null=True,
                                   blank=True)

    class Meta(Transfer.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(place__isnull=False, peer_group__isnull=True)
                                   | Q(place__isnull=True, peer_group__isnull=False), name="ctxtransfer_one_record"),
            models.UniqueConstraint(fields=["place"], condition=Q(status="asked"), name="ctxtransfer_place_one_open",
                                    violation_error_message="A transfer of this place is already asked."),
            models.UniqueConstraint(fields=["peer_group"], condition=Q(status="asked"),
                                    name="ctxtransfer_group_one_open",
                                    violation_error_message="A transfer of this peer group is already asked."),
        ]

    def __str__(self):
        return f"Transfer of {self.record}"

    @property
    def record(self):
        return self.place or self.peer_group

    @property
    def audit_label(self):
        return f"TRF-X-{self.pk}"


def _place_frameworks(place) -> list[str]:
    """A school is a place, and also has its own framework."""
    return ["school", "place"] if place.kind == PlaceKind.SCHOOL else ["place"]


# What assessments, agenda items, links, safety plans and packs can be about: places and peer groups
# (safeguarding.subjects).
subjects.register(subjects.Subject(
    key="place", model=Place, word="place", noun="place", page="place", frameworks=_place_frameworks,
    has_safety_plan=True, ordering=("name",)))
subjects.register(subjects.Subject(
    key="peer_group", model=PeerGroup, word="peer-group", noun="peer group", page="peer-group",
    has_safety_plan=True, aside="peer group", ordering=("name",)))


class PlaceDocument(Attachment):
    """A document attached to a place: seen by whoever sees the place."""

    PARENT = "place"
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="documents")

    class Meta(Attachment.Meta):
        indexes = [models.Index(fields=["place", "-uploaded_at"], name="placedocument_idx")]


class PeerGroupDocument(Attachment):
    """A document attached to a peer group: seen by whoever sees the group."""

    PARENT = "peer_group"
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="documents")

    class Meta(Attachment.Meta):
        indexes = [models.Index(fields=["peer_group", "-uploaded_at"], name="peergroupdocument_idx")]


attachments.register("place", PlaceDocument, rule="contexts.policies.can_attach_to_context", noun="place", page="place")
attachments.register("peer-group", PeerGroupDocument, rule="contexts.policies.can_attach_to_context",
                     noun="peer group", page="peer-group")
