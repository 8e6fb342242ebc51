"""Meeting pages make the same number of queries for a short agenda as for a long one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import Meeting
from safeguarding import access
from tests.conftest import LAWFUL

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
LEVELS = "what the reader's agency may do to each young person on the agenda (asked by each item's rules)"
CHAIR = "is the reader one of the panel's chairs (exists)"
# For whoever runs the meeting: which panel agencies cannot see each item's record, and the panel's requests to share.
UNSEEN = [
    "the panel's member agencies and any agency invited",
    "for every item about a record, whether each of those agencies can see it (one query for all)",
    "the meeting's requests to share that the reader may see, with who decided",
    "the agencies each request asks for (prefetch)",
]
REQUEST = ("the request through the access door, with the reader's levels, meeting, panel, item, its subject, "
           "who asked (and their agency) and who decided")
PINNED = {
    "meeting": [
        "session",
        "user and agency",
        "role permissions",
        MEETING,
        "audit row (view)",
        *AGENDA,
        CHAIR,
        *UNSEEN,
        PACKS,
        LEVELS,
        "open actions from the panel's earlier meetings that the reader may see (none here, so no updates)",
        "attendance the reader may see, with person, agency and whom they deputise for",
        "documents attached to the meeting the reader can see, with uploader and agency",
    ],
    "meeting_as_partner": [
        "session",
        "user and agency",
        MEETING,
        "audit row (view)",
        *AGENDA,
        PACKS,
        "role permissions",
        LEVELS,
        "open actions from the panel's earlier meetings that the reader may see (none here, so no updates)",
        "attendance the reader may see, with person, agency and whom they deputise for",
        "documents attached to the meeting the reader can see, with uploader and agency",
    ],
    "live": [
        "session",
        "user and agency",
        MEETING,
        "role permissions",
        CHAIR,
        "audit row (view of the live page)",
        *AGENDA,
        *UNSEEN,
        PACKS,
        "open actions from the panel's earlier meetings that the reader may see (none here, so no updates)",
        "attendance the reader may see, with person, agency and whom they deputise for",
    ],
    "share_requests": [
        "session",
        "user and agency",
        "role permissions",
        "count of the requests to share records the reader may share (capped at 10,001)",
        "a page of them (25), waiting first, with meeting, panel, item, subject and who asked",
        "the agencies each asks for (prefetch)",
    ],
    "share_request": [
        "session",
        "user and agency",
        "role permissions",
        REQUEST,
        "the agencies it asks for (prefetch)",
        "the record to share: the young person's latest open case held by the agency that recorded them",
        "may the reader see that case (can_share)",
        "does the reader's agency manage it (can_share)",
        "agreements in force the holding agency is party to, each with whether every agency asked for is too "
        "(the approve form's choices)",
    ],
    "share_request_new": [
        "session",
        "user and agency",
        "role permissions",
        "the item, if the reader may see it and its subject, with meeting, panel and subject",
        "may the reader see the meeting (can_run_meeting)",
        "does the reader's agency manage it (can_run_meeting)",
        CHAIR,
        "may the reader see the item's young person (can_ask_to_share)",
        "the panel's member agencies and any agency invited",
        "whether each of them can see the item's record (one query)",
        "the record to share (the young person's open case), to name who holds it",
        "the agency holding it",
        "count of the agencies that cannot see it (choices)",
        "those agencies (choices, through a cursor)",
    ],
    "actions_as_partner": [
        "session",
        "user and agency",
        "count of the open actions owned by the reader's agency that they may see (capped at 10,001)",
        "role permissions",
        "a page of them (25), soonest due first, with owner, item, meeting and panel",
        "their updates, with author and agency (prefetch)",
    ],
    # The meetings as one list (safeguarding.lists): upcoming by default, counted at most to 10,001.
    "panels": [
        "session",
        "user and agency",
        "role permissions",
        "count of the upcoming meetings the reader may see (capped at 10,001)",
        "panels with a meeting the reader may see (the panel filter's choices, through a cursor)",
        "a page of those meetings (25), soonest first, with panel",
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
                             level=access.VIEW, basis=LAWFUL)
            item = services.agenda_item_add(actor=self.colin, meeting=self.meeting, subject=person,
                                            reason=f"Reason {self.count}")
            for owner in ("police", "la") if self.count % 2 else ("la",):  # the police only where they can see
                action = services.action_add(actor=self.colin, item=item, description=f"Action {self.count}",
                                             owner_agency=self.agencies[owner],
                                             due_on=timezone.localdate(self.meeting.starts_at) + timedelta(days=9))
                services.action_report(actor=self.colin, action=action, text="Started", status="in_progress")

    def ask(self):
        """The chair asks for item 2 (not shared with the police) to be shared with the police and the school."""
        item = self.meeting.items.get(position=2)
        self.request = services.share_request_ask(actor=self.colin, item=item, reason="Needed for the meeting",
                                                  agencies=[self.agencies["police"], self.agencies["school"]])

    def pages(self):
        m = self.meeting.pk
        return {"share_requests": (self.alice, reverse("share-requests")),
                "share_request": (self.alice, reverse("share-request", args=[self.request.pk])),
                "share_request_new": (self.colin, reverse("share-request-new", args=[self.request.item_id])),
                "meeting": (self.colin, reverse("meeting", args=[m])),
                "meeting_as_partner": (self.pete, reverse("meeting", args=[m])),
                "live": (self.colin, reverse("meeting-live", args=[m])),
                "actions_as_partner": (self.pete, reverse("actions")),
                "panels": (self.pete, reverse("panels")),
                "packs_status": (self.colin, reverse("packs-status", args=[m]))}



def test_meeting_query_counts_do_not_grow_with_the_agenda(client, alice, colin, pete, agencies, meeting):
    agenda = Agenda(alice, colin, pete, agencies, meeting)
    agenda.grow_to(2)
    agenda.ask()
    services.packs_request(actor=colin, meeting=meeting)
    for name, (user, url) in agenda.pages().items():
        assert_queries(client, user, url, PINNED[name])
    agenda.grow_to(12)
    # Approved minutes name who approved them: read with the meeting, not one more query.
    Meeting.objects.filter(pk=meeting.pk).update(minutes_approved_by=colin, minutes_approved_at=timezone.now())
    for name, (user, url) in agenda.pages().items():
        assert_queries(client, user, url, PINNED[name])


def test_adding_an_action_in_place_makes_the_same_queries_however_many_the_item_has(client, colin, meeting, agenda,
                                                                                    agencies):
    """The live page's htmx response to an action added: bounded, whatever the item already holds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..conftest import client_for

    item, due = agenda[0], timezone.localdate(meeting.starts_at) + timedelta(days=7)
    client_for(client, colin)

    def add(n: int) -> int:
        data = {f"action-{item.pk}-description": f"Visit {n}", f"action-{item.pk}-owner_agency": agencies["police"].pk,
                f"action-{item.pk}-due_on_0": due.day, f"action-{item.pk}-due_on_1": due.month,
                f"action-{item.pk}-due_on_2": due.year}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("action-new", args=[item.pk]), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and b"Action added" in response.content
        return len(queries.captured_queries)

    add(0)  # the first reads what a process reads once
    few = add(1)
    for n in range(2, 7):
        add(n)
    assert add(7) == few


def test_the_meetings_list_makes_the_same_queries_for_3_meetings_as_for_30(client, colin, pete, panel):
    for target in (3, 30):
        while Meeting.objects.count() < target:
            services.meeting_schedule(actor=colin, panel=panel,
                                      starts_at=timezone.now() + timedelta(days=Meeting.objects.count() + 1))
        assert_queries(client, pete, reverse("panels"), PINNED["panels"])
        assert_queries(client, pete, reverse("panels") + f"?when=any&panel={panel.pk}&sort=-panel", [
            *PINNED["panels"][:3], "count of the meetings the reader may see of the panel chosen (capped at 10,001)",
            "the panel chosen, among those with a meeting the reader may see (the filter's check)",
            *PINNED["panels"][4:]])
