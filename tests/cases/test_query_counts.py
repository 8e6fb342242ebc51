"""Every list and detail page makes the same number of queries for 5 rows as for 50.

Each page is measured with 5 of everything, then again after growing to 50; both times it must make the queries
PINNED describes, one description a query. A change that adds a query per row fails here, showing the SQL of every
query; a deliberate change updates PINNED.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import EntryKind
from safeguarding import access
from safeguarding import services as kernel_services
from tests.conftest import LAWFUL

from ..conftest import assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

# What each page reads, one line a query, for the person named, whatever the number of rows.
PINNED: dict[str, list[str]] = {
    # The search as a list (safeguarding.lists): the matches counted at most to 10,001, then a page of them.
    "search": [
        "session",
        "user and agency",
        "role permissions",
        "count of the young people matching the words that the reader can see (capped at 10,001)",
        "audit row (search, with that count)",
        "a page of them (25), best match first, with the open cases the reader can see of each",
    ],
    "young_person": [
        "session",
        "user and agency",
        "the young person through the access door, with owning agency",
        "their trusted adults (prefetch)",
        "audit row (view)",
        "role permissions",
        "their cases the reader can see, with agency and lead",
        "their voice entries (latest 10), with recorder and agency",
    ],
    "case": [
        "session",
        "user and agency",
        "the case through the access door, with the reader's levels, agency, young person and lead",
        "audit row (view)",
        "count of the chronology entries the reader can see (capped at 10,001)",
        "role permissions",
        "why each current share was lawful (disclosures, with their agreement and who shared)",
        "agencies it is shared with (grants other than the owner's)",
        "the case's missing episodes the reader can see, with their return home interviews and who offered them",
        "the case's NRM referrals the reader can see",
        "count of the reader's active colleagues (restricted-to choices)",
        "the reader's active colleagues (restricted-to choices, through a cursor)",
        "a page of the chronology entries the reader can see (25), with author and agency",
        "who each entry is restricted to (prefetch)",
        "documents attached to the case the reader can see, with uploader and agency",
        "agreements in force the owning agency is party to (the share form's choices)",
    ],
    "case_as_partner": [
        "session",
        "user and agency",
        "the case through the access door, with the reader's levels, agency, young person and lead",
        "audit row (view)",
        "count of the chronology entries the reader can see (capped at 10,001)",
        "role permissions",
        "the case's missing episodes the reader can see, with their return home interviews and who offered them",
        "the case's NRM referrals the reader can see",
        "count of the reader's active colleagues (restricted-to choices)",
        "the reader's active colleagues (restricted-to choices, through a cursor)",
        "a page of the chronology entries the reader can see (25), with author and agency",
        "who each entry is restricted to (prefetch)",
        "documents attached to the case the reader can see, with uploader and agency",
    ],
    "cases": [
        "session",
        "user and agency",
        "count of cases the reader's agency can see (its view grants alone)",
        "role permissions",
        "the reader's agency's teams (the team filter's choices)",
        "the reader's active colleagues (the lead practitioner filter's choices)",
        "a page of those cases (25), with agency, young person and lead",
    ],
    "cases_as_partner": [
        "session",
        "user and agency",
        "count of cases the reader's agency can see (its view grants alone)",
        "role permissions",
        "the reader's agency's teams (the team filter's choices)",
        "the reader's active colleagues (the lead practitioner filter's choices)",
        "a page of those cases (25), with agency, young person and lead",
    ],
    "audit": [
        "session",
        "user and agency",
        "role permissions",
        "audit row (search of the audit log)",
        "count of matching events",
        "a page of them (50), with actor, agency and record type",
    ],
}
# A missing episode's page and an NRM referral's: the record through the door with its case, young person and
# interview, and what the reader may do to it, read in the same query (its case's levels are the same).
PINNED["missing_episode"] = [
    "session",
    "user and agency",
    "the episode through the access door, with the reader's levels, case, young person, interview and recorders",
    "audit row (view)",
    "role permissions",
]
PINNED["missing_episode_as_partner"] = PINNED["missing_episode"]
PINNED["nrm_referral"] = [
    "session",
    "user and agency",
    "the referral through the access door, with the reader's levels, case, young person and recorder",
    "audit row (view)",
    "role permissions",
]
# The dashboard's queries, for every role, are pinned in tests/safeguarding/test_dashboards.py.


class Borough:
    """A growing caseload: people with shared cases, a busy chronology, voices, trusted adults and views."""

    def __init__(self, alice, mandy, pete, agencies):
        self.alice, self.mandy, self.pete, self.agencies = alice, mandy, pete, agencies
        self.person = YoungPersonFactory(actor=alice, first_name="Jayden", last_name="Okafor")
        self.case = CaseFactory(actor=alice, young_person=self.person, lead_practitioner=alice,
                                next_review_on=timezone.localdate())
        access.share(actor=alice, obj=self.case, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
        self.size = 0

    def grow_to(self, n, client):
        for i in range(self.size, n):
            other = YoungPersonFactory(actor=self.alice, last_name="Okafor", known_as=[f"Okafor {i}"])
            case = CaseFactory(actor=self.alice, young_person=other, lead_practitioner=self.alice,
                               next_review_on=timezone.localdate() + timedelta(days=i % 10))
            access.share(actor=self.alice, obj=case, agency=self.agencies["police"], level=access.VIEW, basis=LAWFUL)
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
            kernel_services.document_upload(actor=author, record=self.case,
                                            upload=SimpleUploadedFile(f"Note {i}.txt", f"Note {i}".encode()))
            recorder = self.pete if i % 2 else self.alice
            episode = services.missing_episode_record(
                actor=recorder, case=self.case, missing_at=timezone.now() - timedelta(days=5, hours=i),
                reported_by="Carer", found_at=timezone.now() - timedelta(days=4, hours=i))
            if i % 3:
                services.return_interview_record(actor=self.alice, episode=episode, outcome="accepted",
                                                 offered_at=timezone.now() - timedelta(hours=i),
                                                 conducted_by=self.agencies["la"], words=f"Words {i}")
            services.nrm_referral_record(actor=recorder, case=self.case, first_responder="police",
                                         referred_on=timezone.localdate() - timedelta(days=i),
                                         exploitation_types=["criminal"])
            self.episode = episode
        self.size = n

    def pages(self):
        person, case = self.person.pk, self.case.pk
        return {
            "search": (self.alice, reverse("young-people") + "?q=okafor"),
            "young_person": (self.alice, reverse("young-person", args=[person])),
            "case": (self.alice, reverse("case", args=[case])),
            "case_as_partner": (self.pete, reverse("case", args=[case])),
            "cases": (self.alice, reverse("cases")),
            "cases_as_partner": (self.pete, reverse("cases")),
            "audit": (self.mandy, reverse("audit-search") + "?action=view"),
            "missing_episode": (self.alice, reverse("missing-episode", args=[self.episode.pk])),
            "missing_episode_as_partner": (self.pete, reverse("missing-episode", args=[self.episode.pk])),
            "nrm_referral": (self.alice, reverse("nrm-referral", args=[self.case.nrm_referrals.first().pk])),
        }



def test_query_counts_do_not_grow_with_rows(client, alice, mandy, pete, agencies, scanner):
    borough = Borough(alice, mandy, pete, agencies)
    for size in (5, 50):
        borough.grow_to(size, client)
        for name, (user, url) in borough.pages().items():
            assert_queries(client, user, url, PINNED[name])
