"""The partner API's meetings and agenda items (as the client's agency may see them) and actions (read; progress
reported by the agency that owns one)."""

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as route

from cases.api import api_url
from safeguarding.api import IdFilter, InstantFilter, RecordViewSet, if_match, lock_at, plain_text

from . import filters as list_filters
from . import selectors, services
from .models import Action, ActionStatus, AgendaItem, ItemKind, Meeting

SUBJECT_ROUTES = {"young_person": "young-people", "place": "places", "peer_group": "peer-groups"}


class MeetingSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    panel = serializers.CharField(source="panel.name", read_only=True)
    panel_kind = serializers.CharField(source="panel.kind", read_only=True)
    owning_agency = serializers.CharField(source="owning_agency.name", read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "url", "panel", "panel_kind", "starts_at", "location", "online_link", "status",
                  "agenda_version", "minutes_approved_at", "owning_agency", "created_at", "version"]

    def get_url(self, meeting) -> str:
        return api_url("meetings", meeting.pk)


class MeetingFilter(list_filters.MeetingFilter):
    starts_after = InstantFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = InstantFilter(field_name="starts_at", lookup_expr="lt")


class MeetingsViewSet(RecordViewSet):
    """Panel meetings shared with the client's agency, or held by it."""

    resource = "meetings"
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    queryset = Meeting.objects.none()

    def rows(self, user):
        return selectors.meetings_api(user)

    def record(self, user, pk):
        return selectors.meeting_for(user, pk)


class AgendaItemSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    meeting_url = serializers.SerializerMethodField()
    subject_url = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["id", "url", "meeting", "meeting_url", "position", "kind", "young_person", "place", "peer_group",
                  "subject_url", "theme", "reason", "voice", "feedback", "minutes", "decisions", "created_at",
                  "updated_at", "version"]

    def get_url(self, item) -> str:
        return api_url("agenda-items", item.pk)

    def get_meeting_url(self, item) -> str:
        return api_url("meetings", item.meeting_id)

    def get_subject_url(self, item) -> str | None:
        route = SUBJECT_ROUTES.get(item.kind)
        return api_url(route, getattr(item, f"{item.kind}_id")) if route else None


class AgendaItemFilter(filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")
    kind = filters.ChoiceFilter(choices=ItemKind.choices)


class AgendaItemsViewSet(RecordViewSet):
    """Items of meetings the client's agency may see, about a record it may see too (or a theme): an item about a
    young person, place or group not shared with the agency is not there at all."""

    resource = "agenda-items"
    serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilter
    queryset = AgendaItem.objects.none()

    def rows(self, user):
        return selectors.items_api(user)

    def record(self, user, pk):
        return selectors.item_for(user, pk)


class ActionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    agenda_item_url = serializers.SerializerMethodField()
    owner_agency = serializers.CharField(source="owner_agency.name", read_only=True)
    owner = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "url", "item", "agenda_item_url", "description", "status", "due_on", "is_overdue",
                  "owner_agency", "owner", "created_at", "version"]

    def get_url(self, action) -> str:
        return api_url("actions", action.pk)

    def get_agenda_item_url(self, action) -> str:
        return api_url("agenda-items", action.item_id)

    def get_owner(self, action) -> str | None:
        owner = action.owner
        return owner.get_full_name() or owner.get_username() if owner else None


class ProgressSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, validators=[plain_text], help_text="What has happened.")
    status = serializers.ChoiceField(choices=ActionStatus.choices, help_text="The action's status now.")


class ActionFilter(list_filters.ActionFilter):
    item = IdFilter(field_name="item_id")
    mine = filters.BooleanFilter(method="owned", help_text="true: only actions the client's agency owns")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lt")

    def owned(self, rows, name, value):
        return rows.filter(owner_agency_id=self.request.user.agency_id) if value else rows


class ActionsViewSet(RecordViewSet):
    """Actions the client's agency owns, and those of meetings and items it may see."""

    resource = "actions"
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    queryset = Action.objects.none()

    def rows(self, user):
        return selectors.actions_api(user)

    def record(self, user, pk):
        return selectors.action_api_for(user, pk)

    @extend_schema(request=ProgressSerializer, responses={200: ActionSerializer}, parameters=[
        OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True,
                         description="The action's ETag, as last read.")])
    @route(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def progress(self, request, pk=None):
        """Report progress on an action the client's agency owns: what has happened, and its status now."""
        action = self.get_object()
        expected = if_match(request, action)
        given = ProgressSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            lock_at(action, expected)
            services.action_report(actor=request.user, action=action, **given.validated_data)
        return self.respond(selectors.action_api_for(request.user, action.pk))


ROUTES = [("meetings", MeetingsViewSet), ("agenda-items", AgendaItemsViewSet), ("actions", ActionsViewSet)]
