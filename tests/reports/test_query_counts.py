"""The dashboard is a fixed number of aggregate queries, whatever the number of records (tests/conftest.py's
``assert_queries``: one description a query)."""

import pytest
from django.urls import reverse

from ..conftest import _person, assert_queries
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

DASHBOARD = [
    "session",
    "user and agency",
    "role permissions",
    "cases: every case figure (totals, harm, risk, age, sex, ethnicity) as conditional counts, one aggregate",
    "open cases by lead practitioner (group by)",
    "places by kind, status and ward (group by)",
    "peer groups by status (group by)",
    "links to places past review (count)",
    "memberships past review (count)",
    "associations past review (count)",
    "assessments by state (group by)",
    "contribution requests overdue by agency (group by)",
    "panel actions by agency: open, overdue, done, median days to done (group by)",
]


@pytest.mark.parametrize("role", ["manager", "analyst"])
def test_the_dashboard_makes_the_same_queries_for_few_and_many_records(client, alice, mandy, agencies, role):
    from safeguarding.roles import Role

    reader = mandy if role == "manager" else _person(agencies, "anna", "la", Role.ANALYST)
    for _ in range(2):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
    assert_queries(client, reader, reverse("reports"), DASHBOARD)
    for _ in range(8):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=mandy)
    assert_queries(client, reader, reverse("reports"), DASHBOARD)
