"""The dashboard is a fixed number of aggregate queries, and a drill-down list and the exports page a fixed number
of queries, whatever the number of records (tests/conftest.py's ``assert_queries``: one description a query)."""

import pytest
from django.urls import reverse

from cases.models import Case

from ..conftest import _person, assert_queries
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

DRILLDOWN = [
    "session",
    "user and agency",
    "role permissions",
    "count of the open cases the reader may see (paginator)",
    "audit row (one search for the list, not a view per record)",
    "the page of those cases, with young person and lead",
]
EXPORTS = [
    "session",
    "user and agency",
    "role permissions",
    "the reader's own exports, newest 50",
]
DASHBOARD = [
    "session",
    "user and agency",
    "role permissions",
    "cases: every case figure (totals, harm, risk, age, sex, ethnicity) as conditional counts, one aggregate",
    "open cases by lead practitioner and their team (group by)",
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


def test_a_drilldown_list_and_the_exports_page_make_the_same_queries_for_few_and_many_records(client, alice, mandy):
    from reports import services

    for size in (2, 10):
        while Case.objects.count() < size:
            CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
            services.export_request(actor=mandy, what="dashboard", params={}, fmt="csv")
        assert_queries(client, mandy, reverse("reports-list") + "?list=cases&status=open", DRILLDOWN)
        assert_queries(client, mandy, reverse("reports-exports"), EXPORTS)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_figures_pages_read_on_the_replica(client, alice, mandy):
    """Committed data, as in service: the aggregates go to the replica (the mirror of the test database here); inside
    a transaction on the primary they would stay there, where that transaction's own writes are."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from ..conftest import client_for

    CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
    client_for(client, mandy)
    for name in ("reports", "reports-disproportionality", "reports-outcomes", "reports-returns"):
        with CaptureQueriesContext(connections["replica"]) as replica:
            assert client.get(reverse(name)).status_code == 200
        assert any("cases_case" in query["sql"] for query in replica.captured_queries), name
