"""The case list (safeguarding.lists): filters, sorting by column, pages and the total, through the access door."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import HarmType, RiskLevel
from safeguarding import access
from safeguarding.models import Team

from ..conftest import LAWFUL, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _refs(page: str) -> list[str]:
    return re.findall(r'href="/cases/\d+/">([^<]+)</a>', page)


@pytest.fixture
def caseload(alice, mandy):
    today = timezone.localdate()
    rows = []
    for i, (last, risk, ethnicity) in enumerate([
            ("Adeyemi", RiskLevel.HIGH, "black_african"), ("Brown", RiskLevel.LOW, "white_british"),
            ("Clarke", RiskLevel.MEDIUM, "white_british"), ("Dunn", RiskLevel.HIGH, "not_known")]):
        person = YoungPersonFactory(actor=alice, last_name=last, ethnicity=ethnicity)
        rows.append(CaseFactory(actor=alice, young_person=person, risk_level=risk,
                                lead_practitioner=mandy if i == 3 else alice,
                                harm_types=[HarmType.CSE] if i == 1 else [HarmType.CCE],
                                opened_on=today - timedelta(days=10 * (i + 1)),
                                next_review_on=today + timedelta(days=4 - i)))
    return rows


def test_it_shows_the_total_and_newest_opened_first(client, alice, caseload):
    page = client_for(client, alice).get(reverse("cases")).content.decode()
    assert "Showing 1–4 of 4 cases" in page
    assert _refs(page) == [c.reference for c in caseload]
    assert 'aria-sort="descending"' in page and page.count('aria-sort="none"') == 4


@pytest.mark.parametrize(("sort", "order"), [
    ("name", [0, 1, 2, 3]), ("-name", [3, 2, 1, 0]), ("opened", [3, 2, 1, 0]), ("review", [3, 2, 1, 0]),
    ("-risk", [3, 0, 2, 1]), ("risk", [1, 2, 3, 0]),  # ties: newest case first
])
def test_it_sorts_the_whole_list_on_the_server(client, alice, caseload, sort, order):
    page = client_for(client, alice).get(reverse("cases"), {"sort": sort}).content.decode()
    assert _refs(page) == [caseload[i].reference for i in order]
    assert f'aria-sort="{"descending" if sort.startswith("-") else "ascending"}"' in page


@pytest.mark.parametrize(("params", "expected"), [
    ({"risk_level": "high"}, [0, 3]),
    ({"harm_type": HarmType.CSE}, [1]),
    ({"ethnicity": "white_british"}, [1, 2]),
    ({"status": "open", "ethnicity": "white_british", "risk_level": "low"}, [1]),
    ({"mine": "on"}, [0, 1, 2]),
])
def test_it_filters(client, alice, caseload, params, expected):
    page = client_for(client, alice).get(reverse("cases"), params).content.decode()
    assert _refs(page) == [caseload[i].reference for i in expected]
    assert f"of {len(expected)} case" in page
    assert "moj-filter__tag" in page  # the filters in use, each removable


def test_it_filters_by_opened_dates(client, alice, caseload):
    since = timezone.localdate() - timedelta(days=25)
    until = timezone.localdate() - timedelta(days=15)
    page = client_for(client, alice).get(reverse("cases"), {
        "opened_from_0": since.day, "opened_from_1": since.month, "opened_from_2": since.year,
        "opened_to_0": until.day, "opened_to_1": until.month, "opened_to_2": until.year}).content.decode()
    assert _refs(page) == [caseload[1].reference]


def test_it_filters_by_practitioner_and_team(client, alice, mandy, caseload, agencies):
    team = Team.objects.create(agency=agencies["la"], name="Exploitation team")
    type(mandy).objects.filter(pk=mandy.pk).update(team=team)
    client_for(client, alice)
    assert _refs(client.get(reverse("cases"), {"practitioner": mandy.pk}).content.decode()) == [
        caseload[3].reference]
    assert _refs(client.get(reverse("cases"), {"team": team.pk}).content.decode()) == [caseload[3].reference]


def test_it_pages_and_keeps_filters_and_sort_in_the_page_links(client, alice):
    people = [YoungPersonFactory(actor=alice) for _ in range(27)]
    for person in people:
        CaseFactory(actor=alice, young_person=person, risk_level=RiskLevel.HIGH)
    client_for(client, alice)
    first = client.get(reverse("cases"), {"risk_level": "high", "sort": "name"}).content.decode()
    assert "Showing 1–25 of 27 cases" in first and len(_refs(first)) == 25
    assert "risk_level=high&amp;sort=name&amp;page=2" in first
    second = client.get(reverse("cases"), {"risk_level": "high", "sort": "name", "page": 2}).content.decode()
    assert "Showing 26–27 of 27 cases" in second and len(_refs(second)) == 2


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "999999"}, {"page": "-1"}, {"sort": "password"}, {"sort": "--name"},
    {"sort": "young_person__nhs_number"}, {"risk_level": "everything"}, {"team": "abc"}, {"practitioner": "999999"},
    {"opened_from_0": "31", "opened_from_1": "2", "opened_from_2": "2026"},
    {"opened_from_0": "1", "opened_from_1": "1", "opened_from_2": "99999999999999999999"},
    {"ethnicity": "x" * 5000}, {"page": "1\x00"},
])
def test_hostile_input_never_fails(client, alice, caseload, params):
    response = client_for(client, alice).get(reverse("cases"), params)
    assert response.status_code in (200, 400)
    page = response.content.decode()
    if response.status_code == 400:
        assert "There is a problem" in page and "govuk-error-summary" in page
    else:
        assert _refs(page)  # the first or the last page, sorted by a known column


def test_an_outsider_sees_none_of_the_cases_and_filters_cannot_widen(client, alice, pete, sam, caseload, agencies):
    access.share(actor=alice, obj=caseload[2], agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, sam)
    page = client.get(reverse("cases")).content.decode()
    assert _refs(page) == [] and "No cases" in page
    page = client.get(reverse("cases"), {"practitioner": alice.pk, "status": "open"}).content.decode()
    assert _refs(page) == []
    client_for(client, pete)
    response = client.get(reverse("cases"), {"practitioner": alice.pk})
    assert response.status_code == 400  # alice is not pete's colleague: the choice is refused, nothing is shown
    assert _refs(response.content.decode()) == []
    assert _refs(client.get(reverse("cases")).content.decode()) == [caseload[2].reference]
    assert "Showing 1–1 of 1 case" in client.get(reverse("cases")).content.decode()
