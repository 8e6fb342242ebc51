"""Assessment pages make the same number of queries with a little history as with a lot."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from safeguarding import access

from ..conftest import SYSTEM, query_count
from .conftest import approved, submitted

pytestmark = pytest.mark.django_db

# Each page: session and user (2), the record through the access door (1), then what the page shows. The plan
# page's goals, interventions and updates are three prefetches whatever their number.
PINNED = {"assessment": 7, "assessment_as_partner": 7, "edit": 7, "change": 6, "plan": 9, "plan_as_partner": 9,
          "list": 5, "subject_assessments": 5, "contributions": 4, "contribution": 7, "my_work": 6}


class Work:
    """Eastgate Park assessed again and again, with requests to agencies and a growing safety plan."""

    def __init__(self, alice, mandy, pete, agencies, park, neighbourhood):
        self.alice, self.mandy, self.pete, self.agencies = alice, mandy, pete, agencies
        self.park, self.neighbourhood = park, neighbourhood
        access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW)
        self.assessments, self.goals = [], []
        self.current = services.assessment_start(actor=alice, subject=park, framework=neighbourhood)
        self.request = self._ask(agencies["police"])

    def _ask(self, agency):
        return services.contribution_request(actor=self.alice, assessment=self.current, agency=agency,
                                             question="What do you know?",
                                             due_on=timezone.localdate() + timedelta(days=5))

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
            "edit": (self.alice, reverse("assessment-edit", args=[a])),
            "change": (self.alice, reverse("assessment-change", args=[self.assessments[-1].pk])),
            "plan": (self.alice, reverse("safety-plan", args=["place", park])),
            "plan_as_partner": (self.pete, reverse("safety-plan", args=["place", park])),
            "list": (self.alice, reverse("assessments")),
            "subject_assessments": (self.alice, reverse("subject-assessments", args=["place", park])),
            "contributions": (self.pete, reverse("contributions")),
            "contribution": (self.pete, reverse("contribution", args=[self.request.pk])),
            "my_work": (self.mandy, reverse("my-assessment-work")),
        }



def test_assessment_query_counts_do_not_grow_with_history(client, alice, mandy, pete, agencies, park, neighbourhood):
    work = Work(alice, mandy, pete, agencies, park, neighbourhood)
    work.grow(2)
    small = {name: query_count(client, *page) for name, page in work.pages().items()}
    work.grow(8)
    large = {name: query_count(client, *page) for name, page in work.pages().items()}
    assert small == large
    assert large == PINNED
