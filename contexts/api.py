"""The partner API's places, peer groups and the links between them and young people (place links, associations,
memberships), each with its evidence: who says so, how reliable it is, when it is to be reviewed."""

from django_filters import rest_framework as filters
from rest_framework import serializers

from cases.api import api_url
from safeguarding.api import IdFilter, RecordViewSet

from . import selectors
from .models import (
    Association,
    AssociationNature,
    ContextStatus,
    Membership,
    PeerGroup,
    Place,
    PlaceKind,
    PlaceLink,
    PlaceLinkNature,
    Reliability,
)

CONTEXT_FIELDS = ["id", "url", "name", "description", "status", "closure_reason", "owning_agency",
                  "lead_practitioner", "review_on", "created_at", "version"]


class ContextSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    owning_agency = serializers.CharField(source="owning_agency.name", read_only=True)
    lead_practitioner = serializers.SerializerMethodField()

    route = ""

    def get_url(self, record) -> str:
        return api_url(self.route, record.pk)

    def get_lead_practitioner(self, record) -> str | None:
        lead = record.lead_practitioner
        return lead.get_full_name() or lead.get_username() if lead else None


class PlaceSerializer(ContextSerializer):
    route = "places"

    class Meta:
        model = Place
        fields = [*CONTEXT_FIELDS, "kind", "address", "postcode", "latitude", "longitude", "ward", "school_urn"]


class PeerGroupSerializer(ContextSerializer):
    route = "peer-groups"

    class Meta:
        model = PeerGroup
        fields = CONTEXT_FIELDS


class PlaceFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ContextStatus.choices)
    kind = filters.ChoiceFilter(choices=PlaceKind.choices)
    ward = filters.CharFilter(field_name="ward", lookup_expr="iexact", max_length=100)
    postcode = filters.CharFilter(field_name="postcode", lookup_expr="iexact", max_length=10)
    school_urn = filters.CharFilter(max_length=6)


class PeerGroupFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ContextStatus.choices)


class PlacesViewSet(RecordViewSet):
    """Places (streets, parks, schools, online spaces) the client's agency owns or has been shown."""

    resource = "places"
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilter
    queryset = Place.objects.none()

    def rows(self, user):
        return selectors.places_api(user)

    def record(self, user, pk):
        return selectors.place_for(user, pk)


class PeerGroupsViewSet(RecordViewSet):
    """Peer groups the client's agency owns or has been shown."""

    resource = "peer-groups"
    serializer_class = PeerGroupSerializer
    filterset_class = PeerGroupFilter
    queryset = PeerGroup.objects.none()

    def rows(self, user):
        return selectors.peer_groups_api(user)

    def record(self, user, pk):
        return selectors.peer_group_for(user, pk)


# --- Links, with their evidence -------------------------------------------------------------------------------------

EVIDENCE_FIELDS = ["source_agency", "reliability", "notes", "last_reviewed_on", "review_by", "ended_on",
                   "end_reason", "recorded_at", "version"]


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    source_agency = serializers.CharField(source="source_agency.name", read_only=True)

    route = ""

    def get_url(self, link) -> str:
        return api_url(self.route, link.pk)


class PlaceLinkSerializer(EvidenceSerializer):
    route = "place-links"

    class Meta:
        model = PlaceLink
        fields = ["id", "url", "place", "young_person", "peer_group", "nature", *EVIDENCE_FIELDS]


class AssociationSerializer(EvidenceSerializer):
    route = "associations"

    class Meta:
        model = Association
        fields = ["id", "url", "person", "other", "nature", *EVIDENCE_FIELDS]


class MembershipSerializer(EvidenceSerializer):
    route = "memberships"

    class Meta:
        model = Membership
        fields = ["id", "url", "peer_group", "young_person", "role", "from_date", "to_date", *EVIDENCE_FIELDS]


class EvidenceFilter(filters.FilterSet):
    reliability = filters.ChoiceFilter(choices=Reliability.choices)
    current = filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull",
                                    help_text="true: links not ended; false: ended links")
    review_by_before = filters.DateFilter(field_name="review_by", lookup_expr="lt")


class PlaceLinkFilter(EvidenceFilter):
    place = IdFilter(field_name="place_id")
    young_person = IdFilter(field_name="young_person_id")
    peer_group = IdFilter(field_name="peer_group_id")
    nature = filters.ChoiceFilter(choices=PlaceLinkNature.choices)


class AssociationFilter(EvidenceFilter):
    young_person = IdFilter(method="either", help_text="Associations of this young person, on either side.")
    nature = filters.ChoiceFilter(choices=AssociationNature.choices)

    def either(self, rows, name, value):
        return selectors.associations_of(rows, value)


class MembershipFilter(EvidenceFilter):
    peer_group = IdFilter(field_name="peer_group_id")
    young_person = IdFilter(field_name="young_person_id")


class LinksViewSet(RecordViewSet):
    """Links the client's agency may see: both ends visible to it (as on the service's own pages)."""

    model = None

    def rows(self, user):
        return selectors.links_api(user, self.model)

    def record(self, user, pk):
        return selectors.link_for(user, self.model, pk)


class PlaceLinksViewSet(LinksViewSet):
    """A young person or a peer group linked to a place, and the evidence for it."""

    resource, model = "place-links", PlaceLink
    serializer_class = PlaceLinkSerializer
    filterset_class = PlaceLinkFilter
    queryset = PlaceLink.objects.none()


class AssociationsViewSet(LinksViewSet):
    """Two young people linked (for an exploitation concern, ``person`` is the one at risk), and the evidence."""

    resource, model = "associations", Association
    serializer_class = AssociationSerializer
    filterset_class = AssociationFilter
    queryset = Association.objects.none()


class MembershipsViewSet(LinksViewSet):
    """A young person in a peer group, and the evidence."""

    resource, model = "memberships", Membership
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    queryset = Membership.objects.none()


ROUTES = [("places", PlacesViewSet), ("peer-groups", PeerGroupsViewSet), ("place-links", PlaceLinksViewSet),
          ("associations", AssociationsViewSet), ("memberships", MembershipsViewSet)]
