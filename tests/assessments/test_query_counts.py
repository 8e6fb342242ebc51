"""Assessment pages make the same number of queries with a little history as with a lot."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from safeguarding import access
from tests.conftest import LAWFUL

from ..conftest import SYSTEM, assert_queries
from .conftest import approved, submitted

pytestmark = pytest.mark.django_db

# What each page reads, one line a query, whatever the history. The plan page's goals, interventions and updates
# are three prefetches whatever their number.
ASSESSMENT = ("the assessment through the access door (the view rule twice), with what the reader's agency may do to "
              "it, subject, framework, agency and lead")
LINKED = ("the safety plans on the other side of its current links (links and plans the reader may see), with their "
          "subjects: none here, so no prefetch of their goals")
PINNED = {
    "assessment": [
        "session",
        "user and agency",
        ASSESSMENT,
        "audit row (view)",
        "role permissions",
        "its contribution requests the reader may see, with agency, asker and answerer",
        "documents attached to the assessment the reader can see, with uploader and agency",
    ],
    "assessment_as_partner": [
        "session",
        "user and agency",
        ASSESSMENT,
        "audit row (view)",
        "role permissions",
        "its contribution requests the reader may see, with agency, asker and answerer",
        "documents attached to the assessment the reader can see, with uploader and agency",
    ],
    "edit": [
        "session",
        "user and agency",
        ASSESSMENT,
        "role permissions",
        "its requests still waiting, with agency (listed to confirm before submitting)",
        "audit row (view of the edit page)",
    ],
    "section": [
        "session",
        "user and agency",
        ASSESSMENT,
        "role permissions",
        "audit row (view of the section's page)",
    ],
    "change": [
        "session",
        "user and agency",
        ASSESSMENT,
        "the subject's assessments in the same framework the reader can see, but other drafts, oldest first",
        "audit row (view of the measured change)",
        "role permissions",
    ],
    "plan": [
        "session",
        "user and agency",
        "the place through the access door, with the reader's levels",
        "its safety plan",
        "its goals (prefetch)",
        "their interventions, with owner agency and owner (prefetch)",
        "their updates, with author and agency (prefetch)",
        LINKED,
        "audit row (view)",
        "role permissions",
    ],
    "plan_as_partner": [
        "session",
        "user and agency",
        "the place through the access door, with the reader's levels",
        "its safety plan",
        "its goals (prefetch)",
        "their interventions, with owner agency and owner (prefetch)",
        "their updates, with author and agency (prefetch)",
        LINKED,
        "audit row (view)",
        "role permissions",
    ],
    # The new-goal page's rows are built from the form alone: nothing is read for them, however long the plan is.
    "goal_new": [
        "session",
        "user and agency",
        "role permissions (may the reader change the plan)",
        "the place through the access door, with the reader's levels",
    ],
    "list": [
        "session",
        "user and agency",
        "count of assessments the reader can see (capped at 10,001)",
        "role permissions",
        "a page of them (25), with subject, framework, agency, lead and request counts",
    ],
    "subject_assessments": [
        "session",
        "user and agency",
        "the place through the access door, with the reader's levels",
        "role permissions",
        "its safety plan the reader can see, with its goal count",
        "all its assessments the reader can see, with framework, agency, lead and request counts",
    ],
    "assessment_to_decide": [
        "session",
        "user and agency",
        ASSESSMENT,
        "audit row (view)",
        "role permissions",
        "its contribution requests the reader may see, with agency, asker and answerer (the waiting ones listed to "
        "confirm before approving, from the same rows)",
        "documents attached to the assessment the reader can see, with uploader and agency",
    ],
    "contributions": [
        "session",
        "user and agency",
        "count of requests to the reader's agency, withdrawn ones too (capped at 10,001)",
        "role permissions",
        "a page of them (25), open first, with assessment, subject, framework, author and approver",
    ],
    "contribution": [
        "session",
        "user and agency",
        "the request through the access door, with agency, assessment, subject, framework, author and approver",
        "role permissions",
        "agreements in force the answering agency is party to, each with whether the asking agency is too (the "
        "answer form's choices)",
        "audit row (view)",
        "may the reader see the place assessed (exists)",
        "may the reader see the assessment (exists)",
        "why the request and its answer were lawful (disclosures, with agencies, agreement and who)",
    ],
}


class Work:
    """Eastgate Park assessed again and again, with requests to agencies and a growing safety plan."""

    def __init__(self, alice, mandy, pete, agencies, park, neighbourhood):
        self.alice, self.mandy, self.pete, self.agencies = alice, mandy, pete, agencies
        self.park, self.neighbourhood = park, neighbourhood
        access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
        self.assessments, self.goals = [], []
        self.current = services.assessment_start(actor=alice, subject=park, framework=neighbourhood)
        self.request = self._ask(agencies["police"])
        # Submitted while the police's answer is still waiting: Mandy's page lists it to confirm before approving.
        waiting = services.assessment_start(actor=alice, subject=park, framework=neighbourhood)
        services.contribution_request(actor=alice, assessment=waiting, agency=agencies["police"],
                                      question="Anything else?", due_on=timezone.localdate() + timedelta(days=5),
                                          basis=LAWFUL)
        self.waiting = submitted(waiting, alice)

    def _ask(self, agency):
        return services.contribution_request(actor=self.alice, assessment=self.current, agency=agency,
                                             question="What do you know?",
                                             due_on=timezone.localdate() + timedelta(days=5), basis=LAWFUL)

    def grow(self, n):
        from safeguarding import services as kernel

        while len(self.assessments) < n:
            i = len(self.assessments)
            self.assessments.append(approved(services.assessment_start(
                actor=self.alice, subject=self.park, framework=self.neighbourhood), self.alice, self.mandy))
            submitted(services.assessment_start(actor=self.alice, subject=self.park, framework=self.neighbourhood),
                      self.alice)  # waiting for Mandy
            agency = kernel.agency_create(actor=SYSTEM, name=f"Partner {i}", kind="voluntary_sector")
            self._ask(agency)
            goal = services.goal_add(actor=self.alice, subject=self.park, statement=f"Goal {i}", met_when="x",
                                     measured_by="y")
            for j in range(2):
                intervention = services.intervention_add(
                    actor=self.alice, goal=goal, what=f"Intervention {i}.{j}", owner_agency=self.agencies["police"],
                    due_on=timezone.localdate() + timedelta(days=20))
                services.intervention_report(actor=self.alice, intervention=intervention, text="Started",
                                             status="in_progress")

    def pages(self):
        a, park = self.current.pk, self.park.pk
        return {
            "assessment": (self.alice, reverse("assessment", args=[a])),
            "assessment_as_partner": (self.pete, reverse("assessment", args=[a])),
            "assessment_to_decide": (self.mandy, reverse("assessment", args=[self.waiting.pk])),
            "edit": (self.alice, reverse("assessment-edit", args=[a])),
            "section": (self.alice, reverse("assessment-section", args=[a, "voice"])),
            "change": (self.alice, reverse("assessment-change", args=[self.assessments[-1].pk])),
            "plan": (self.alice, reverse("safety-plan", args=["place", park])),
            "plan_as_partner": (self.pete, reverse("safety-plan", args=["place", park])),
            "goal_new": (self.alice, reverse("goal-new", args=["place", park])),
            "list": (self.alice, reverse("assessments")),
            "subject_assessments": (self.alice, reverse("subject-assessments", args=["place", park])),
            "contributions": (self.pete, reverse("contributions")),
            "contribution": (self.pete, reverse("contribution", args=[self.request.pk])),
        }



def test_assessment_query_counts_do_not_grow_with_history(client, alice, mandy, pete, agencies, park, neighbourhood):
    work = Work(alice, mandy, pete, agencies, park, neighbourhood)
    for size in (2, 8):
        work.grow(size)
        for name, (user, url) in work.pages().items():
            assert_queries(client, user, url, PINNED[name])


# A young person's plan and assessments carry the identity bar: the person is read with their agency in the query
# that opens the page (subjects.identified_with), so the bar costs nothing of its own.
PINNED_FOR_A_YOUNG_PERSON = {
    "plan": [
        "session",
        "user and agency",
        "role permissions",
        "the young person through the access door, with their agency (for the identity bar)",
        "their safety plan",
        "its goals (prefetch)",
        "their interventions, with owner agency and owner (prefetch)",
        "their updates, with author and agency (prefetch)",
        LINKED,
        "audit row (view)",
    ],
    "subject_assessments": [
        "session",
        "user and agency",
        "role permissions",
        "the young person through the access door, with their agency (for the identity bar)",
        "their safety plan the reader can see, with its goal count",
        "all their assessments the reader can see, with framework, agency, lead and request counts",
    ],
}


def test_a_young_persons_plan_and_assessments_make_the_same_queries_however_long_the_plan(client, alice, case):
    person, made = case.young_person, 0
    for size in (2, 8):
        while made < size:
            goal = services.goal_add(actor=alice, subject=person, statement=f"Goal {made}", met_when="x",
                                     measured_by="y")
            made += 1
        services.intervention_add(actor=alice, goal=goal, what="Youth work", owner_agency=alice.agency,
                                  due_on=timezone.localdate() + timedelta(days=20))
        assert_queries(client, alice, reverse("safety-plan", args=["young-person", person.pk]),
                       PINNED_FOR_A_YOUNG_PERSON["plan"])
        assert_queries(client, alice, reverse("subject-assessments", args=["young-person", person.pk]),
                       PINNED_FOR_A_YOUNG_PERSON["subject_assessments"])
