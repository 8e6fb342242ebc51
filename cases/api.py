"""The partner API's young people, cases, chronology entries and referrals: serializers and views over this app's
selectors, services and policies (safeguarding.api holds what every resource shares)."""

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from safeguarding.api import IdFilter, Instant, InstantFilter, RecordViewSet, create_once, plain_text
from safeguarding.apiclients import Cursor

from . import filters as case_filters
from . import finders, selectors, services
from .models import Case as CaseModel
from .models import (
    ChronologyEntry,
    EntryKind,
    HarmType,
    YoungPerson,
    YoungPersonReferral,
)


def api_url(name: str, pk: int) -> str:
    return reverse(f"api:{name}-detail", args=[pk])


# --- Young people -------------------------------------------------------------------------------------------------

class YoungPersonSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    owning_agency = serializers.CharField(source="owning_agency.name", read_only=True)

    class Meta:
        model = YoungPerson
        fields = ["id", "url", "first_name", "last_name", "known_as", "date_of_birth", "sex", "gender_identity",
                  "ethnicity", "first_language", "send_status", "communication_needs", "address", "postcode",
                  "la_person_id", "nhs_number", "upn", "owning_agency", "created_at", "version"]

    def get_url(self, person) -> str:
        return api_url("young-people", person.pk)


class YoungPersonFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", max_length=200,
                           help_text="A name or alias (spelling need not be exact), a date of birth or a reference "
                                     "(case reference, YP number, LA person ID, NHS number, UPN), as the pickers take.")
    date_of_birth = filters.DateFilter()

    def search(self, rows, name, value):
        found, _ = finders.search(self.request.user, rows, value)
        return found


class YoungPeopleViewSet(RecordViewSet):
    """Young people the client's agency may see: recorded by it, or with a case it may see."""

    resource = "young-people"
    serializer_class = YoungPersonSerializer
    filterset_class = YoungPersonFilter
    queryset = YoungPerson.objects.none()

    def rows(self, user):
        return selectors.young_people_api(user)

    def record(self, user, pk):
        return selectors.young_person_api_for(user, pk)


# --- Cases ----------------------------------------------------------------------------------------------------------

class CaseSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    young_person_url = serializers.SerializerMethodField()
    owning_agency = serializers.CharField(source="owning_agency.name", read_only=True)
    lead_practitioner = serializers.SerializerMethodField()
    harm_types = serializers.ListField(child=serializers.ChoiceField(choices=HarmType.choices))

    class Meta:
        model = CaseModel
        fields = ["id", "url", "reference", "young_person", "young_person_url", "status", "opened_on", "closed_on",
                  "closure_reason", "harm_types", "risk_level", "summary", "next_review_on", "owning_agency",
                  "lead_practitioner", "created_at", "version"]

    def get_url(self, case) -> str:
        return api_url("cases", case.pk)

    def get_young_person_url(self, case) -> str:
        return api_url("young-people", case.young_person_id)

    def get_lead_practitioner(self, case) -> str | None:
        lead = case.lead_practitioner
        return lead.get_full_name() or lead.get_username() if lead else None


class CaseFilter(case_filters.CaseFilter):
    young_person = IdFilter(field_name="young_person_id")


class CasesCursor(Cursor):
    """Cases newest opened first, as the case list page shows them, read along the same (opened on, id) index: by id
    alone, a partner whose shared cases are all older than the newest thousands walks every newer case to find its
    first page (2 s at a million cases for the bench's police, against 0.3 s for the page)."""

    ordering = ("-opened_on", "-id")


class CasesViewSet(RecordViewSet):
    """Cases the client's agency may see (its own, and those shared with it), newest opened first."""

    resource = "cases"
    pagination_class = CasesCursor
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    queryset = CaseModel.objects.none()

    def rows(self, user):
        return selectors.cases_api(user)

    def record(self, user, pk):
        return selectors.case_for(user, pk)


# --- Chronology entries ---------------------------------------------------------------------------------------------

class ChronologyEntrySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    case_url = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.name", read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = ChronologyEntry
        fields = ["id", "url", "case", "case_url", "kind", "occurred_at", "text", "agency", "author", "restricted",
                  "recorded_at"]

    def get_url(self, entry) -> str:
        return api_url("chronology-entries", entry.pk)

    def get_case_url(self, entry) -> str:
        return api_url("cases", entry.case_id)

    def get_author(self, entry) -> str:
        return entry.author.get_full_name() or entry.author.get_username()


class ChronologyEntryCreate(serializers.Serializer):
    """A new entry on a case the client's agency may contribute to. Entries are never edited or deleted; an entry
    restricted to named people is recorded in the service itself, not through the API."""

    case = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    occurred_at = Instant(help_text="ISO 8601 with the zone, e.g. 2026-10-14T16:30:00+01:00")
    text = serializers.CharField(max_length=10000, validators=[plain_text])


class ChronologyEntryFilter(filters.FilterSet):
    case = IdFilter(field_name="case_id")
    kind = filters.ChoiceFilter(choices=EntryKind.choices)
    occurred_after = InstantFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = InstantFilter(field_name="occurred_at", lookup_expr="lt")


class ChronologyEntriesViewSet(RecordViewSet):
    """Entries on cases the client's agency may see (restricted ones only to the people named: never a client)."""

    resource = "chronology-entries"
    serializer_class = ChronologyEntrySerializer
    filterset_class = ChronologyEntryFilter
    queryset = ChronologyEntry.objects.none()

    def rows(self, user):
        return selectors.chronology_api(user)

    def record(self, user, pk):
        return selectors.chronology_entry_for(user, pk)

    @extend_schema(request=ChronologyEntryCreate, responses={201: ChronologyEntrySerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                                description="Any unique string: a retry with it creates nothing.")])
    def create(self, request):
        def make():
            given = ChronologyEntryCreate(data=request.data)
            given.is_valid(raise_exception=True)
            data = given.validated_data
            case = selectors.case_for(request.user, data["case"])
            entry = services.chronology_add(actor=request.user, case=case, kind=data["kind"],
                                            occurred_at=data["occurred_at"], text=data["text"])
            entry = selectors.chronology_entry_for(request.user, entry.pk)
            return Response(self.get_serializer(entry).data, status=201, headers={"Location": api_url(
                "chronology-entries", entry.pk)})
        return create_once(request, make)


# --- Referrals of young people --------------------------------------------------------------------------------------

class ReferralSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    referring_agency = serializers.CharField(source="referring_agency.name", read_only=True)
    to_agency = serializers.CharField(source="to_agency.name", read_only=True)
    case_url = serializers.SerializerMethodField()
    harm_types = serializers.ListField(child=serializers.ChoiceField(choices=HarmType.choices))

    class Meta:
        model = YoungPersonReferral
        fields = ["id", "url", "status", "first_name", "last_name", "known_as", "date_of_birth", "postcode", "school",
                  "concerns", "harm_types", "urgency", "family_knows", "young_person_agreed", "lawful_basis",
                  "special_category", "sharing_agreement", "referring_agency", "to_agency", "referred_at",
                  "decide_by", "more_information_asked", "more_information_given", "decided_at", "decline_reason",
                  "advice", "case", "case_url", "version"]

    def get_url(self, referral) -> str:
        return api_url("referrals", referral.pk)

    def get_case_url(self, referral) -> str | None:
        return api_url("cases", referral.case_id) if referral.case_id else None


class ReferralsViewSet(RecordViewSet):
    """Referrals of young people the client's agency made, or (a lead authority) received."""

    resource = "referrals"
    serializer_class = ReferralSerializer
    filterset_class = case_filters.ReferralFilter
    queryset = YoungPersonReferral.objects.none()

    def rows(self, user):
        return selectors.referrals_api(user)

    def record(self, user, pk):
        return selectors.referral_for(user, YoungPersonReferral.kind_word, pk)


ROUTES = [("young-people", YoungPeopleViewSet), ("cases", CasesViewSet),
          ("chronology-entries", ChronologyEntriesViewSet), ("referrals", ReferralsViewSet)]
