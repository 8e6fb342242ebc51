"""Meeting pages make the same number of queries for a short agenda as for a long one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panels import services
from panels.models import Meeting
from safeguarding import access

from ..conftest import query_count
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

# Per page: session and user, the meeting through the access door, then the agenda (ids with visibility, the
# visible items, their actions and updates as prefetches), attendance, outstanding actions and packs.
PINNED = {"meeting": 13, "meeting_as_partner": 12, "live": 17, "actions_as_partner": 5, "panels": 7, "packs_status": 6}


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
    small = {name: query_count(client, *page) for name, page in agenda.pages().items()}
    agenda.grow_to(12)
    # Approved minutes name who approved them: read with the meeting, not one more query.
    Meeting.objects.filter(pk=meeting.pk).update(minutes_approved_by=colin, minutes_approved_at=timezone.now())
    large = {name: query_count(client, *page) for name, page in agenda.pages().items()}
    assert small == large
    assert large == PINNED, large
