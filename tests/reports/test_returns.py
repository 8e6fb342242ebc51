"""The children in need census factors extract: the population (cases open in the period), the codes, the counts
against the rows themselves, names only for who may see them, and the queries pinned."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, ClosureReason, HarmType, Sex
from reports import returns, selectors

from ..conftest import assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(alice, mandy):
    today = timezone.localdate()
    mix = [([HarmType.CSE], "black_caribbean", Sex.FEMALE), ([HarmType.COUNTY_LINES], "white_british", Sex.MALE),
           ([HarmType.CCE, HarmType.MISSING], "white_gypsy_traveller", Sex.MALE),
           ([HarmType.HSB], "not_stated", Sex.NOT_KNOWN), ([HarmType.ONLINE], "asian_pakistani", Sex.FEMALE)]
    made = [CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice, ethnicity=ethnicity, sex=sex,
                                                                     la_person_id=f"LA{i:04d}"),
                        harm_types=harms, opened_on=today - timedelta(days=400)) for i, (harms, ethnicity, sex)
            in enumerate(mix)]
    old = made[-1]  # closed before this quarter: outside the period
    case_services.case_close(actor=mandy, case=old, expected_version=old.version, reason=ClosureReason.OTHER,
                             closed_on=today - timedelta(days=200), note="Moved away")
    return made


def test_the_extract_holds_the_cases_open_in_the_period_in_the_census_codes(cases, mandy):
    period = selectors.Period.this_quarter()
    rows = list(selectors.drilldown(mandy, "cin-factors", {}, period))
    assert sorted(c.pk for c in rows) == sorted(c.pk for c in cases[:4])
    kind = selectors.LISTS["cin-factors"]
    by_ref = {case.reference: dict(zip([h for h, _ in kind.columns], [cell(case) for _, cell in kind.columns],
                                       strict=True)) for case in rows}
    first, lines, both = (by_ref[c.reference] for c in cases[:3])
    assert (first["Sex"], first["Ethnicity"], first["Factors identified"]) == ("F", "BCRB", "11A")
    assert (lines["Ethnicity"], lines["Factors identified"]) == ("WBRI", "13A,24A")  # county lines: gangs and CCE
    assert (both["Ethnicity"], both["Factors identified"], both["LA child ID"]) == ("WROM", "10A,24A", "LA0002")
    assert by_ref[cases[3].reference]["Sex"] == "U" and by_ref[cases[3].reference]["Factors identified"] == "19B"


def test_every_ethnicity_recorded_has_a_census_code():
    from cases.models import ETHNICITY_CHOICES

    recorded = {code for _group, options in ETHNICITY_CHOICES for code, _label in options}
    assert recorded == set(returns.ETHNICITY_CODES)


def test_the_counts_match_the_rows_and_an_outsider_counts_nothing(cases, mandy, pete):
    period = selectors.Period.this_quarter()
    figures = selectors.census_factors(mandy, period)
    open_cases = [c for c in Case.objects.all() if c.closed_on is None or c.closed_on >= period.start]
    assert figures[0].count == len(open_cases) == 4
    for figure, (code, _label, _harms) in zip(figures[1:], returns.FACTORS, strict=True):
        assert figure.count == sum(code in returns.factors(c.harm_types) for c in open_cases), code
    assert all(figure.count == 0 for figure in selectors.census_factors(pete, period))


def test_a_manager_may_download_it_and_an_analyst_sees_suppressed_counts_only(cases, client, mandy, anna):
    client_for(client, mandy)
    page = client.get(reverse("reports-returns")).content.decode()
    assert 'value="cin-factors"' in page and "Annex A" in page and "list=cin-factors" in page
    client_for(client, anna)
    page = client.get(reverse("reports-returns")).content.decode()
    assert 'value="cin-factors"' not in page and "fewer than 5" in page
    assert client.post(reverse("reports-export-create"), {"what": "cin-factors", "format": "csv"}).status_code == 403
    assert client.get(reverse("reports-list") + "?list=cin-factors").status_code == 403


def test_the_census_year_starts_on_1_april():
    assert selectors.Period.census_year(date(2027, 3, 31)).start == date(2026, 4, 1)
    assert selectors.Period.census_year(date(2027, 4, 1)).start == date(2027, 4, 1)


def test_the_page_makes_the_same_queries_for_few_and_many_cases(client, alice, mandy):
    expected = ["session", "user and agency", "role permissions", "cases open in the period by factor: one aggregate",
                "missing episodes open in the period and their interviews (Annex A): one aggregate"]
    CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), harm_types=[HarmType.CSE])
    assert_queries(client, mandy, reverse("reports-returns"), expected)
    for _ in range(5):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), harm_types=[HarmType.CCE])
    assert_queries(client, mandy, reverse("reports-returns"), expected)
