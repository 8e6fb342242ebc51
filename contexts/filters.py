"""The filters of this app's lists (safeguarding.lists). They only narrow the rows given: the access door's."""

import django_filters
from django.db.models import Q

from safeguarding.lists import CheckboxFilter, Column, GdsDateFilter, ListSpec, date_range

from . import selectors
from .models import ContextStatus, PlaceKind, Purpose, Reliability

LINK_KINDS = [("membership", "Peer group membership"), ("association", "Association between young people"),
              ("place-link", "Link to a place")]


class LinkFilter(django_filters.FilterSet):
    """Links (memberships, associations, place links) by kind, reliability, purpose and when review was due."""

    kind = django_filters.ChoiceFilter(choices=LINK_KINDS, method="of_kind", label="Kind of link",
                                       empty_label="Any kind")
    reliability = django_filters.ChoiceFilter(choices=Reliability.choices, label="Reliability",
                                              empty_label="Any reliability")
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices, label="Purpose", empty_label="Any purpose")
    due_from, due_to = date_range("review_by", "Review due")

    def of_kind(self, rows, name, value):
        return rows if rows.model.link_kind == value else rows.none()


TO_REVIEW = ListSpec(
    filterset=LinkFilter, default_sort="due", noun="link", tie=("recorded_at", "pk"), per_page=50,
    columns=[
        Column("select", "Select"),
        Column("link", "Link"),
        Column("reliability", "Reliability", ("reliability",)),
        Column("source", "Source"),
        Column("due", "Review was due", ("review_by", "recorded_at")),
        Column("actions", "Actions"),
    ])


class RecordListFilter(django_filters.FilterSet):
    """Places and peer groups: words in the name or description, status (as the API's), review due soon."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=200)
    status = django_filters.ChoiceFilter(choices=ContextStatus.choices, label="Status", empty_label="Any status")
    review_due = CheckboxFilter(method="due", label="Review due in the next two weeks or overdue")

    def search(self, rows, name, value):
        words = " ".join(value.split())
        return rows.filter(Q(name__icontains=words) | Q(description__icontains=words)) if words else rows

    def due(self, rows, name, value):
        return rows.filter(review_on__lte=selectors.review_horizon()) if value else rows


class PlaceListFilter(RecordListFilter):
    """The places list's and map's filters: also kind and ward (as the API's), and the postcode or address."""

    kind = django_filters.ChoiceFilter(choices=PlaceKind.choices, label="Kind", empty_label="Any kind")
    ward = django_filters.ChoiceFilter(choices=[], label="Neighbourhood or ward", empty_label="Any ward",
                                       field_name="ward", lookup_expr="iexact")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        wards = selectors.wards(user) if user is not None and user.is_authenticated else []
        self.filters["ward"].extra["choices"] = [(w, w) for w in wards]

    def search(self, rows, name, value):
        words = " ".join(value.split())
        if not words:
            return rows
        return rows.filter(Q(name__icontains=words) | Q(description__icontains=words) | Q(postcode__iexact=words)
                           | Q(address__icontains=words))


class PlaceMapFilter(PlaceListFilter):
    """The places map's filters: the places list's, and the dates of its incidents layer (which do not narrow the
    places: the view reads them for the incidents)."""

    incidents_from = GdsDateFilter(method="not_places", label="Incidents from", help_text="For example, 1 3 2026")
    incidents_to = GdsDateFilter(method="not_places", label="Incidents to", help_text="Blank for today")

    def not_places(self, rows, name, value):
        return rows


_RECORD_COLUMNS = [Column("review", "Review", ("review_on",)), Column("status", "Status", ("status",))]

PLACES = ListSpec(
    filterset=PlaceListFilter, default_sort="name", noun="place", tie=("id",),
    columns=[Column("name", "Place", ("name",)), Column("kind", "Kind", ("kind",)), Column("ward", "Ward", ("ward",)),
             *reversed(_RECORD_COLUMNS)])

PEER_GROUPS = ListSpec(
    filterset=RecordListFilter, default_sort="name", noun="peer group", tie=("id",),
    columns=[Column("name", "Working name", ("name",)), Column("lead", "Lead"), *reversed(_RECORD_COLUMNS)])
