"""Finding a young person (/young-people/) as a list (safeguarding.lists): search first (no one listed without a name
or a date of birth), then the total, pages, sorting (best match, name, date of birth) and filters, each search
audited once with its count, through the access door."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus
from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import LAWFUL, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/young-people/(\d+)/"', page)]


def _born(age: int):
    today = timezone.localdate()
    return today.replace(year=today.year - age) - timedelta(days=40)


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.fixture
def okafors(alice, agencies):
    """Jayden (15, an open case), Amara (12, none), Chidi (19, a closed case), Tobi (16, an open case shared with the
    police), all Okafor; and Zara Clarke, who no search for Okafor finds."""
    people = [YoungPersonFactory(actor=alice, first_name=first, last_name="Okafor", date_of_birth=_born(age), sex=sex)
              for first, age, sex in [("Jayden", 15, "male"), ("Amara", 12, "female"), ("Chidi", 19, "male"),
                                      ("Tobi", 16, "male")]]
    YoungPersonFactory(actor=alice, first_name="Zara", last_name="Clarke", sex="female")
    CaseFactory(actor=alice, young_person=people[0])
    closed = CaseFactory(actor=alice, young_person=people[2])
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED, closed_on=timezone.localdate(),
                                             closure_reason="Support ended")
    shared = CaseFactory(actor=alice, young_person=people[3])
    access.share(actor=alice, obj=shared, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    return people


def _searches():
    return list(AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("pk").values_list("detail", flat=True))


def test_no_one_is_listed_or_counted_until_a_name_or_date_of_birth_is_given(client, alice, okafors):
    client_for(client, alice)
    for params in ({}, {"sex": "female"}, {"open_case": "any", "age": "16-17"}, {"q": "   "}, {"sort": "name"}):
        response = client.get(reverse("young-people"), params)
        page = response.content.decode()
        assert response.status_code == 200 and _ids(page) == []
        assert "No one is listed until you search" in page and "Showing" not in page
    assert _searches() == []


def test_a_search_shows_the_total_best_match_first_and_is_audited_once_with_its_count(client, alice, okafors):
    client_for(client, alice)
    page = client.get(reverse("young-people"), {"q": "okafor"}).content.decode()
    assert "Showing 1–4 of 4 young people" in page
    assert _ids(page) == [okafors[i].pk for i in (1, 2, 0, 3)]  # all as good a match: then by name
    assert _searches() == [{"results": 4, "by_date_of_birth": False}]
    page = client.get(reverse("young-people"), {"q": "jaden okafor"}).content.decode()
    assert _ids(page)[0] == okafors[0].pk
    assert _searches()[-1]["results"] == len(_ids(page))
    page = client.get(reverse("young-people"), _date("dob", okafors[2].date_of_birth)).content.decode()
    assert _ids(page) == [okafors[2].pk] and "Showing 1–1 of 1 young person" in page
    assert _searches()[-1] == {"results": 1, "by_date_of_birth": True}
    assert len(_searches()) == 3  # one a search


@pytest.mark.parametrize(("sort", "order"), [
    ("name", [1, 2, 0, 3]), ("-name", [3, 0, 2, 1]), ("dob", [2, 3, 0, 1]), ("-dob", [1, 0, 3, 2]),
    ("-match", [1, 2, 0, 3]), ("nonsense", [1, 2, 0, 3]),
])
def test_it_sorts_the_whole_result(client, alice, okafors, sort, order):
    page = client_for(client, alice).get(reverse("young-people"), {"q": "okafor", "sort": sort}).content.decode()
    assert _ids(page) == [okafors[i].pk for i in order]


@pytest.mark.parametrize(("params", "expected"), [
    ({"sex": "female"}, [1]),
    ({"age": "under-14"}, [1]),
    ({"age": "14-15"}, [0]),
    ({"age": "16-17"}, [3]),
    ({"age": "18-20"}, [2]),
    ({"open_case": "any"}, [0, 3]),
    ({"open_case": "mine"}, [0, 3]),
    ({"open_case": "none"}, [1, 2]),
    ({"sex": "male", "open_case": "none"}, [2]),
])
def test_filters_narrow_a_search(client, alice, okafors, params, expected):
    page = client_for(client, alice).get(reverse("young-people"), {"q": "okafor", **params}).content.decode()
    assert _ids(page) == [okafors[i].pk for i in expected]
    assert f"of {len(expected)} young " in page and "moj-filter__tag" in page
    assert _searches()[-1]["results"] == len(expected)


def test_it_pages_and_keeps_the_search_filters_and_sort_in_the_page_links(client, alice):
    made = [YoungPersonFactory(actor=alice, first_name=f"Ayo{chr(97 + i // 26)}{chr(97 + i % 26)}",
                               last_name="Adebayo", sex="female") for i in range(27)]
    client_for(client, alice)
    first = client.get(reverse("young-people"), {"q": "adebayo", "sex": "female", "sort": "name"}).content.decode()
    assert "Showing 1–25 of 27 young people" in first and _ids(first) == [p.pk for p in made[:25]]
    assert "q=adebayo&amp;sex=female&amp;sort=name&amp;page=2" in first
    second = client.get(reverse("young-people"), {"q": "adebayo", "sex": "female", "sort": "name", "page": 2})
    assert "Showing 26–27 of 27 young people" in second.content.decode()
    assert _ids(second.content.decode()) == [p.pk for p in made[25:]]


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "999999"}, {"page": "-1"}, {"sort": "nonsense"}, {"sort": "--name"},
    {"sort": "nhs_number"}, {"sex": "everything"}, {"age": "200"}, {"open_case": "theirs"}, {"q": "x" * 5000},
    {"dob_0": "31", "dob_1": "2", "dob_2": "2010"}, {"dob_0": "1", "dob_1": "1", "dob_2": "99999999999999999999"},
    {"q": "okafor%' OR 1=1 --"}, {"q": "\\"}, {"page": "1\x00"},
])
def test_hostile_input_never_fails(client, alice, okafors, params):
    response = client_for(client, alice).get(reverse("young-people"), {"q": "okafor", **params})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    if response.status_code == 400:
        assert "There is a problem" in page and "govuk-error-summary" in page and _ids(page) == []
        assert "<title>Error: " in page
        assert _searches() == []  # nothing was searched
    else:
        assert len(_searches()) == 1


def test_an_impossible_date_of_birth_is_a_gov_uk_error(client, alice, okafors):
    response = client_for(client, alice).get(reverse("young-people"), {"dob_0": "30", "dob_1": "2", "dob_2": "2012"})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and 'href="#id_dob' in page


def test_an_outsider_finds_no_one_and_a_partner_only_whom_it_was_shown(client, sam, pete, okafors):
    page = client_for(client, sam).get(reverse("young-people"), {"q": "okafor"}).content.decode()
    assert _ids(page) == [] and "No young people" in page
    assert _ids(client.get(reverse("young-people"), {"q": "okafor", "open_case": "any"}).content.decode()) == []
    assert _searches()[0] == {"results": 0, "by_date_of_birth": False}
    client_for(client, pete)
    page = client.get(reverse("young-people"), {"q": "okafor"}).content.decode()
    assert _ids(page) == [okafors[3].pk] and "Showing 1–1 of 1 young person" in page
    assert _ids(client.get(reverse("young-people"), {"q": "okafor", "open_case": "any"}).content.decode()) == [
        okafors[3].pk]
    assert _ids(client.get(reverse("young-people"), {"q": "okafor", "open_case": "mine"}).content.decode()) == []
