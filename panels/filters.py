"""The filters of this app's lists, shared by the API and the HTML list pages (safeguarding.lists). They only narrow
the rows they are given: the access door's."""

from django_filters import rest_framework as filters

from safeguarding.lists import Column, GdsDateFilter, ListSpec

from .models import ActionStatus, MeetingStatus


class ActionFilter(filters.FilterSet):
    """The API's action filter on status, and the first of the actions page's."""

    status = filters.ChoiceFilter(choices=ActionStatus.choices, label="Status",
                                  empty_label="Outstanding (not started or in progress)")


class ActionListFilter(ActionFilter):
    due_from = GdsDateFilter(field_name="due_on", lookup_expr="gte", label="Due on or after",
                             help_text="For example, 1 9 2026")
    due_to = GdsDateFilter(field_name="due_on", lookup_expr="lte", label="Due on or before",
                           help_text="For example, 30 9 2026")


ACTIONS = ListSpec(
    filterset=ActionListFilter, default_sort="due", noun="action", tie=("id",),
    columns=[Column("due", "Due", ("due_on",)), Column("status", "Status", ("status",)),
             Column("description", "Action", ("description",))])


class MeetingFilter(filters.FilterSet):
    """The API's meeting filter on status, and the meetings list's."""

    status = filters.ChoiceFilter(choices=MeetingStatus.choices, label="Status", empty_label="Any status")
