"""The filters of this app's lists, shared by the API and the HTML list pages (safeguarding.lists). They only narrow
the rows they are given: the access door's."""

from dataclasses import replace

from django.utils import timezone
from django_filters import rest_framework as filters

from safeguarding.lists import Column, ListSpec, date_range

from . import selectors
from .models import ActionStatus, MeetingStatus, Panel, ShareRequestStatus


class ActionFilter(filters.FilterSet):
    """The API's action filter on status, and the first of the actions page's."""

    status = filters.ChoiceFilter(choices=ActionStatus.choices, label="Status",
                                  empty_label="Outstanding (not started or in progress)")


class ActionListFilter(ActionFilter):
    due_from, due_to = date_range("due_on", "Due")


ACTIONS = ListSpec(
    filterset=ActionListFilter, default_sort="due", noun="action", tie=("id",),
    columns=[Column("due", "Due", ("due_on",)), Column("status", "Status", ("status",)),
             Column("description", "Action", ("description",))])


class MeetingFilter(filters.FilterSet):
    """The API's meeting filter on status, and the meetings list's."""

    status = filters.ChoiceFilter(choices=MeetingStatus.choices, label="Status", empty_label="Any status")


def _panels(request):
    if request is None or not request.user.is_authenticated:
        return Panel.objects.none()
    return selectors.meeting_panels(request.user)


# Unless another is chosen, the meetings list shows the upcoming ones (the view passes only those): no choice, no tag.
WHEN = [("past", "Past"), ("any", "Any time")]


class MeetingListFilter(MeetingFilter):
    """The meetings list's filters: the API's status, and the panel, upcoming or past, and the day it is held."""

    when = filters.ChoiceFilter(choices=WHEN, method="held", label="When", empty_label="Upcoming")
    panel = filters.ModelChoiceFilter(queryset=_panels, label="Panel", empty_label="Any panel")
    date_from, date_to = date_range("starts_at", "Held", of_datetime=True)

    def held(self, rows, name, value):
        return rows.filter(starts_at__lt=timezone.now()) if value == "past" else rows


# The past, and any time, newest first; upcoming (the default view) soonest first.
MEETINGS = ListSpec(
    filterset=MeetingListFilter, default_sort="-date", noun="meeting", tie=("id",),
    columns=[Column("panel", "Meeting", ("panel__name", "starts_at")),
             Column("date", "When", ("starts_at",), first="descending"), Column("status", "Status")])
UPCOMING_MEETINGS = replace(MEETINGS, default_sort="date")


class ShareRequestListFilter(filters.FilterSet):
    """Requests to share with panels: by status and the day a chair asked."""

    status = filters.ChoiceFilter(choices=ShareRequestStatus.choices, label="Status", empty_label="Any status")
    asked_from, asked_to = date_range("asked_at", "Asked", of_datetime=True)


SHARE_REQUESTS = ListSpec(
    filterset=ShareRequestListFilter, default_sort="status", noun="request", tie=("-id",),
    columns=[Column("record", "Record"),
             Column("meeting", "Panel meeting", ("meeting__starts_at",), first="descending"),
             Column("agencies", "Share with"), Column("asked", "Asked", ("asked_at",), first="descending"),
             # Waiting first, the newest asked first among them: the order a decision is made in.
             Column("status", "Status", ("-waiting", "-asked_at"))])
