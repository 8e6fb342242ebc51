"""Outcomes: risk at opening against the level now, against an independent count (the history rows read in plain
Python for the cases the agency's grants name), suppression for analysts, outsiders, and the queries pinned."""

from collections import Counter

import pytest
from django.apps import apps
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, CaseGroupObjectPermission, RiskLevel
from reports import selectors
from safeguarding.roles import Role

from ..conftest import _person, assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(alice):
    made = []
    moves = [(RiskLevel.HIGH, RiskLevel.MEDIUM)] * 6 + [(RiskLevel.HIGH, RiskLevel.HIGH)] * 2 \
        + [(RiskLevel.MEDIUM, RiskLevel.LOW)] * 5 + [(RiskLevel.LOW, RiskLevel.HIGH)]
    for start, end in moves:
        case = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), risk_level=start)
        if end != start:
            case = case_services.case_update(actor=alice, case=case, expected_version=case.version, risk_level=end)
        made.append(case)
    return made


def _independent(agency):
    granted = {row.content_object_id for row in CaseGroupObjectPermission.objects.filter(
        group=agency.group, permission__codename="view_case")}
    events = apps.get_model("cases", "CaseEvent").objects.order_by("pgh_id")
    first = {}
    for event in events:
        first.setdefault(event.pgh_obj_id, event.risk_level)
    order = [key for key, _ in RiskLevel.choices]
    opened, now, moved = Counter(), Counter(), Counter()
    for case in Case.objects.filter(pk__in=granted):
        start = first.get(case.pk, case.risk_level)
        opened[start] += 1
        now[case.risk_level] += 1
        step = order.index(case.risk_level) - order.index(start)
        moved[(start, "lower" if step < 0 else "higher" if step > 0 else "same")] += 1
    return opened, now, moved


def test_risk_movement_matches_an_independent_count(cases, mandy, anna, agencies):
    opened, now, moved = _independent(agencies["la"])
    assert opened[RiskLevel.HIGH] == 8 and now[RiskLevel.MEDIUM] == 6
    for reader in (mandy, anna):
        for row in selectors.risk_movement(reader):
            assert (row.opened, row.now) == (opened[row.key], now[row.key])
            assert (row.lower, row.same, row.higher) == tuple(moved[(row.key, m)] for m in ("lower", "same", "higher"))


def test_the_page_shows_a_chart_and_suppresses_for_an_analyst(cases, client, mandy, anna):
    client_for(client, mandy)
    page = client.get(reverse("reports-outcomes")).content.decode()
    assert "<svg" in page and "fewer than" not in page
    client_for(client, anna)
    page = client.get(reverse("reports-outcomes")).content.decode()
    assert "<svg" in page and "fewer than 5" in page  # two cases stayed high; one low went high


def test_an_outsider_sees_nothing(cases, client, pete, oscar, agencies):
    for person in (pete, oscar):
        client_for(client, person)
        assert client.get(reverse("reports-outcomes")).status_code == 403
    polly = _person(agencies, "polly", "police", Role.TEAM_MANAGER)
    assert all(row.opened == row.now == 0 for row in selectors.risk_movement(polly))


@pytest.mark.parametrize("role", ["manager", "analyst"])
def test_the_page_makes_the_same_queries_for_few_and_many_cases(client, alice, mandy, anna, role):
    reader = mandy if role == "manager" else anna
    expected = ["session", "user and agency", "role permissions",
                "cases by risk at opening (first history row) and now: one aggregate",
                "approved assessments of places and groups, oldest first (none here: no framework versions read)",
                "safety goals by status: one aggregate", "panel actions done and waiting: one aggregate"]
    CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice))
    assert_queries(client, reader, reverse("reports-outcomes"), expected)
    for _ in range(6):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), risk_level=RiskLevel.HIGH)
    assert_queries(client, reader, reverse("reports-outcomes"), expected)
