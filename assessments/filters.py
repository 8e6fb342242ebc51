"""The filters of this app's lists, shared by the API and the HTML list pages (safeguarding.lists). They only narrow
the rows they are given: the access door's."""

from django.db.models import Case, IntegerField, Value, When
from django_filters import rest_framework as filters

from safeguarding.lists import CheckboxFilter, Column, ListSpec, date_range

from .models import AssessmentStatus, RequestStatus

SUBJECT_KINDS = [("young_person", "Young people"), ("place", "Places and schools"), ("peer_group", "Peer groups")]


class AssessmentFilter(filters.FilterSet):
    """The API's assessment filters, and the first of the list page's."""

    status = filters.ChoiceFilter(choices=AssessmentStatus.choices, label="Status", empty_label="Any status")


class AssessmentListFilter(AssessmentFilter):
    of = filters.ChoiceFilter(choices=SUBJECT_KINDS, method="of_kind", label="Assessments of", empty_label="Anything")
    mine = CheckboxFilter(method="led_by_me", label="Only assessments I lead")

    def of_kind(self, rows, name, value):
        return rows.filter(**{f"{value}__isnull": False})

    def led_by_me(self, rows, name, value):
        return rows.filter(lead_author=self.request.user) if value else rows


ASSESSMENTS = ListSpec(
    filterset=AssessmentListFilter, default_sort="-updated", noun="assessment", tie=("-id",),
    columns=[Column("started", "Assessment", ("created_at",), first="descending"), Column("of", "Of"),
             Column("lead", "Lead"), Column("status", "Status", ("status",)),
             Column("requests", "Requests to agencies"),
             Column("updated", "Last changed", ("updated_at",), first="descending")])


class ContributionRequestFilter(filters.FilterSet):
    """The API's request filters (status), and the first of the contributions page's."""

    status = filters.ChoiceFilter(choices=RequestStatus.choices, label="Status", empty_label="Any status")


class ContributionListFilter(ContributionRequestFilter):
    due_from, due_to = date_range("due_on", "Due")


REQUEST_ORDER = Case(When(status=RequestStatus.REQUESTED, then=Value(0)),
                     When(status=RequestStatus.ANSWERED, then=Value(1)), default=Value(2), output_field=IntegerField())

CONTRIBUTIONS = ListSpec(
    filterset=ContributionListFilter, default_sort="status", noun="request", tie=("due_on", "id"),
    columns=[Column("about", "About"), Column("asked_by", "Asked by"),
             Column("due", "Respond by", ("due_on",)), Column("status", "Status", (REQUEST_ORDER, "due_on"))])
