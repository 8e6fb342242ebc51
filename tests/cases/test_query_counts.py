"""Every list and detail page makes the same number of queries for 5 rows as for 50.

Each page is measured with 5 of everything, then again after growing to 50; both counts must equal the pinned
figure. A change that adds a query per row fails here; a deliberate change updates PINNED.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import EntryKind
from safeguarding import access

from ..conftest import client_for, query_count
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

# Queries per page, for the person named, whatever the number of rows (includes session and user look-ups).
PINNED = {
    "dashboard": 7,
    "search": 5,
    "young_person": 8,
    "case": 11,
    "case_as_partner": 9,
    "cases": 5,
    "cases_as_partner": 5,
    "audit": 6,
}


class Borough:
    """A growing caseload: people with shared cases, a busy chronology, voices, trusted adults and views."""

    def __init__(self, alice, mandy, pete, agencies):
        self.alice, self.mandy, self.pete, self.agencies = alice, mandy, pete, agencies
        self.person = YoungPersonFactory(actor=alice, first_name="Jayden", last_name="Okafor")
        self.case = CaseFactory(actor=alice, young_person=self.person, lead_practitioner=alice,
                                next_review_on=timezone.localdate())
        access.share(actor=alice, obj=self.case, agency=agencies["police"], level=access.CONTRIBUTE)
        self.size = 0

    def grow_to(self, n, client):
        for i in range(self.size, n):
            other = YoungPersonFactory(actor=self.alice, last_name="Okafor", known_as=[f"Okafor {i}"])
            case = CaseFactory(actor=self.alice, young_person=other, lead_practitioner=self.alice,
                               next_review_on=timezone.localdate() + timedelta(days=i % 10))
            access.share(actor=self.alice, obj=case, agency=self.agencies["police"], level=access.VIEW)
            author = self.pete if i % 2 else self.alice
            services.chronology_add(actor=author, case=self.case, kind=EntryKind.CONTACT,
                                    occurred_at=timezone.now() - timedelta(hours=i), text=f"Contact {i}",
                                    restricted=(author == self.alice and i % 4 == 0),
                                    restricted_to=[self.mandy] if author == self.alice and i % 4 == 0 else ())
            services.voice_entry_add(actor=self.alice, young_person=self.person, said_on=timezone.localdate(),
                                     words=f"Words {i}")
            services.trusted_adult_add(actor=self.alice, young_person=self.person, name=f"Adult {i}",
                                       relationship="Aunt")
            client_for(client, self.alice).get(reverse("young-person", args=[other.pk]))
        self.size = n

    def pages(self):
        person, case = self.person.pk, self.case.pk
        return {
            "dashboard": (self.alice, reverse("dashboard")),
            "search": (self.alice, reverse("young-people") + "?q=okafor"),
            "young_person": (self.alice, reverse("young-person", args=[person])),
            "case": (self.alice, reverse("case", args=[case])),
            "case_as_partner": (self.pete, reverse("case", args=[case])),
            "cases": (self.alice, reverse("cases")),
            "cases_as_partner": (self.pete, reverse("cases")),
            "audit": (self.mandy, reverse("audit-search") + "?action=view"),
        }



def test_query_counts_do_not_grow_with_rows(client, alice, mandy, pete, agencies):
    borough = Borough(alice, mandy, pete, agencies)
    borough.grow_to(5, client)
    small = {name: query_count(client, *page) for name, page in borough.pages().items()}
    borough.grow_to(50, client)
    large = {name: query_count(client, *page) for name, page in borough.pages().items()}
    assert small == large
    assert large == PINNED
