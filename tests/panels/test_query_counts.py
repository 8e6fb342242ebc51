"""Meeting pages make the same number of queries for a short agenda as for a long one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import Meeting
from safeguarding import access

from ..conftest import assert_queries
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

# What each page reads, one line a query, whatever the length of the agenda. The agenda is read in one pass deciding
# what the reader may see, then the visible items in full, with their actions and updates as prefetches.
MEETING = "the meeting through the access door, with the reader's levels, agency, panel and minutes approver"
AGENDA = [
    "agenda item ids and positions, and whether the reader may see each one's subject",
    "the visible items, with subject and presenter",
    "their actions, with owner agency, owner, meeting and panel (prefetch)",
    "the actions' updates, with author and agency (prefetch)",
]
PACKS = "current packs the reader may have, with agency"
CHAIR = "is the reader one of the panel's chairs (exists)"
PINNED = {
    "meeting": [
        "session",
        "user and agency",
        MEETING,
        "audit row (view)",
        *AGENDA,
        PACKS,
        "role permissions",
        CHAIR,
        "open actions from the panel's earlier meetings that the reader may see (none here, so no updates)",
        "attendance the reader may see, with person, agency and whom they deputise for",
    ],
    "meeting_as_partner": [
        "session",
        "user and agency",
        MEETING,
        "audit row (view)",
        *AGENDA,
        PACKS,
        "role permissions",
        "open actions from the panel's earlier meetings that the reader may see (none here, so no updates)",
        "attendance the reader may see, with person, agency and whom they deputise for",
    ],
    "live": [
        "session",
        "user and agency",
        MEETING,
        "role permissions",
        CHAIR,
        "audit row (view of the live page)",
        *AGENDA,
        PACKS,
        "attendance the reader may see, with person, agency and whom they deputise for",
    ],
    "actions_as_partner": [
        "session",
        "user and agency",
        "role permissions",
        "all open actions owned by the reader's agency that they may see, with owner, item, meeting and panel",
        "their updates, with author and agency (prefetch)",
    ],
    "panels": [
        "session",
        "user and agency",
        "role permissions",
        "upcoming meetings the reader may see, with panel (first 20)",
        "past meetings the reader may see, with panel (latest 20)",
        "panels the reader's agency is a member of",
        "their chairs, with agency (prefetch)",
    ],
    "packs_status": [
        "session",
        "user and agency",
        MEETING,
        PACKS,
        "role permissions",
        CHAIR,
    ],
}


class Agenda:
    """Colin's agenda growing by young people Alice works with, every other one shared with the police."""

    def __init__(self, alice, colin, pete, agencies, meeting):
        self.alice, self.colin, self.pete, self.agencies, self.meeting = alice, colin, pete, agencies, meeting
        self.count = 0

    def grow_to(self, n):
        while self.count < n:
            self.count += 1
            person = YoungPersonFactory(actor=self.alice)
            case = CaseFactory(actor=self.alice, young_person=person)
            if self.count % 2:
                access.share(actor=self.alice, obj=case, agency=self.agencies["police"],
                             level=access.VIEW)
            item = services.agenda_item_add(actor=self.colin, meeting=self.meeting, subject=person,
                                            reason=f"Reason {self.count}")
            for owner in ("police", "la") if self.count % 2 else ("la",):  # the police only where they can see
                action = services.action_add(actor=self.colin, item=item, description=f"Action {self.count}",
                                             owner_agency=self.agencies[owner],
                                             due_on=timezone.localdate(self.meeting.starts_at) + timedelta(days=9))
                services.action_report(actor=self.colin, action=action, text="Started", status="in_progress")

    def pages(self):
        m = self.meeting.pk
        return {"meeting": (self.colin, reverse("meeting", args=[m])),
                "meeting_as_partner": (self.pete, reverse("meeting", args=[m])),
                "live": (self.colin, reverse("meeting-live", args=[m])),
                "actions_as_partner": (self.pete, reverse("actions")),
                "panels": (self.pete, reverse("panels")),
                "packs_status": (self.colin, reverse("packs-status", args=[m]))}



def test_meeting_query_counts_do_not_grow_with_the_agenda(client, alice, colin, pete, agencies, meeting):
    agenda = Agenda(alice, colin, pete, agencies, meeting)
    agenda.grow_to(2)
    services.packs_request(actor=colin, meeting=meeting)
    for name, (user, url) in agenda.pages().items():
        assert_queries(client, user, url, PINNED[name])
    agenda.grow_to(12)
    # Approved minutes name who approved them: read with the meeting, not one more query.
    Meeting.objects.filter(pk=meeting.pk).update(minutes_approved_by=colin, minutes_approved_at=timezone.now())
    for name, (user, url) in agenda.pages().items():
        assert_queries(client, user, url, PINNED[name])
