"""The partner API's assessments (read) and contribution requests (read, and answer for the agency asked)."""

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from cases.api import api_url
from safeguarding.api import IdFilter, LawfulBasisSerializer, RecordViewSet, if_match, plain_text

from . import filters as list_filters
from . import selectors, services
from .models import Assessment, ContributionRequest

SUBJECT_ROUTES = {"young_person": "young-people", "place": "places", "peer_group": "peer-groups"}


class AssessmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    subject_kind = serializers.SerializerMethodField()
    subject_url = serializers.SerializerMethodField()
    framework = serializers.CharField(source="framework_version.framework.name", read_only=True)
    framework_version = serializers.IntegerField(source="framework_version.number", read_only=True)
    owning_agency = serializers.CharField(source="owning_agency.name", read_only=True)
    lead_author = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "url", "subject_kind", "young_person", "place", "peer_group", "subject_url", "framework",
                  "framework_version", "status", "answers", "priority", "priority_reason", "decision_comments",
                  "owning_agency", "lead_author", "submitted_at", "decided_at", "created_at", "updated_at", "version"]

    def get_url(self, assessment) -> str:
        return api_url("assessments", assessment.pk)

    def get_subject_kind(self, assessment) -> str:
        return next(key for key in SUBJECT_ROUTES if getattr(assessment, f"{key}_id"))

    def get_subject_url(self, assessment) -> str:
        key = self.get_subject_kind(assessment)
        return api_url(SUBJECT_ROUTES[key], getattr(assessment, f"{key}_id"))

    def get_lead_author(self, assessment) -> str:
        return assessment.lead_author.get_full_name() or assessment.lead_author.get_username()


class AssessmentFilter(list_filters.AssessmentFilter):
    young_person = IdFilter(field_name="young_person_id")
    place = IdFilter(field_name="place_id")
    peer_group = IdFilter(field_name="peer_group_id")


class AssessmentsViewSet(RecordViewSet):
    """Assessments of young people, places and peer groups the client's agency may see."""

    resource = "assessments"
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    queryset = Assessment.objects.none()

    def rows(self, user):
        return selectors.assessments_api(user)

    def record(self, user, pk):
        return selectors.assessment_api_for(user, pk)


class ContributionRequestSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    assessment_url = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.name", read_only=True)
    asked_by = serializers.SerializerMethodField()

    class Meta:
        model = ContributionRequest
        fields = ["id", "url", "assessment", "assessment_url", "agency", "asked_by", "question", "due_on", "status",
                  "response", "answered_at", "added_after", "added_after_at", "created_at", "version"]

    def get_url(self, request) -> str:
        return api_url("contribution-requests", request.pk)

    def get_assessment_url(self, request) -> str:
        return api_url("assessments", request.assessment_id)

    def get_asked_by(self, request) -> str:
        return request.asked_by.get_full_name() or request.asked_by.get_username()


class AnswerSerializer(LawfulBasisSerializer):
    """The answer, and the lawful basis the agency discloses it on (as the answer form asks it)."""

    response = serializers.CharField(max_length=10000, validators=[plain_text],
                                     help_text="Your agency's response to what was asked.")


class ContributionRequestFilter(list_filters.ContributionRequestFilter):
    assessment = IdFilter(field_name="assessment_id")
    to_my_agency = filters.BooleanFilter(method="mine", help_text="true: only the requests to the client's agency")

    def mine(self, rows, name, value):
        return rows.filter(agency_id=self.request.user.agency_id) if value else rows


class ContributionRequestsViewSet(RecordViewSet):
    """Requests to the client's agency for its part of an assessment, and the requests on assessments it may see."""

    resource = "contribution-requests"
    serializer_class = ContributionRequestSerializer
    filterset_class = ContributionRequestFilter
    queryset = ContributionRequest.objects.none()

    def rows(self, user):
        return selectors.contributions_api(user)

    def record(self, user, pk):
        return selectors.contribution_for(user, pk)

    @extend_schema(request=AnswerSerializer, responses={200: ContributionRequestSerializer}, parameters=[
        OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True,
                         description="The request's ETag, as last read.")])
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def answer(self, request, pk=None):
        """Answer for the client's agency (the agency asked), while the request is open, with the lawful basis the
        agency discloses it on. An answer after the assessment was submitted or approved is kept as an addendum."""
        contribution = self.get_object()
        expected = if_match(request, contribution)
        given = AnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            services.contribution_answer(actor=request.user, contribution=contribution, expected_version=expected,
                                         response=given.validated_data["response"], basis=given.basis())
        return self.respond(selectors.contribution_for(request.user, contribution.pk))


ROUTES = [("assessments", AssessmentsViewSet), ("contribution-requests", ContributionRequestsViewSet)]
