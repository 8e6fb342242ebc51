"""A case's chronology on its page (safeguarding.lists, MoJ timeline): pages, filters by kind and date, newest or
oldest first; restricted entries still only for the people named."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import EntryKind
from safeguarding import access

from ..conftest import LAWFUL, client_for

pytestmark = pytest.mark.django_db


def _texts(page: str) -> list[str]:
    return re.findall(r"Entry (\d+)\b", page)


@pytest.fixture
def busy(alice, mandy, case):
    for i in range(30):
        services.chronology_add(actor=alice, case=case, kind=EntryKind.INCIDENT if i % 3 == 0 else EntryKind.NOTE,
                                occurred_at=timezone.now() - timedelta(days=i), text=f"Entry {i}",
                                restricted=(i == 1), restricted_to=[mandy] if i == 1 else ())
    return case


def test_it_shows_a_page_of_the_timeline_newest_first_with_the_total(client, alice, busy):
    page = client_for(client, alice).get(reverse("case", args=[busy.pk])).content.decode()
    assert "moj-timeline__item" in page and "moj-timeline__title" in page and "moj-timeline__date" in page
    assert "Showing 1–25 of 30 entries" in page  # entry 1 is restricted to mandy (and its author, alice)
    texts = _texts(page)
    assert texts[:3] == ["0", "1", "2"] and len(texts) == 25
    second = client.get(reverse("case", args=[busy.pk]), {"page": 2}).content.decode()
    assert _texts(second) == ["25", "26", "27", "28", "29"]
    assert f'href="/cases/{busy.pk}/?page=2#chronology"' in page


def test_the_restricted_entry_is_still_only_for_the_people_named(client, mandy, colin, busy):
    page = client_for(client, mandy).get(reverse("case", args=[busy.pk])).content.decode()
    assert "Showing 1–25 of 30 entries" in page and "1" in _texts(page) and "Restricted" in page
    page = client_for(client, colin).get(reverse("case", args=[busy.pk]), {"page": 2}).content.decode()
    assert "Showing 26–29 of 29 entries" in page and "1" not in _texts(page)


def test_it_filters_by_kind_and_dates_and_sorts_oldest_first(client, alice, busy):
    client_for(client, alice)
    page = client.get(reverse("case", args=[busy.pk]), {"c-kind": EntryKind.INCIDENT}).content.decode()
    assert _texts(page) == [str(i) for i in range(0, 30, 3)] and "of 10 entries" in page
    day = timezone.localdate() - timedelta(days=5)
    page = client.get(reverse("case", args=[busy.pk]), {
        "c-date_to_0": day.day, "c-date_to_1": day.month, "c-date_to_2": day.year, "sort": "occurred"}).content.decode()
    assert _texts(page)[0] == "29" and "5" not in _texts(page)[:1] and "moj-filter__tag" in page


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "999999"}, {"c-kind": "nonsense"}, {"sort": "text"},
                                    {"c-date_from_0": "32", "c-date_from_1": "13", "c-date_from_2": "2026"}])
def test_hostile_input_never_fails(client, alice, busy, params):
    response = client_for(client, alice).get(reverse("case", args=[busy.pk]), params)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "There is a problem" in response.content.decode()


def test_a_partner_sees_the_chronology_only_when_shared(client, alice, pete, busy, agencies):
    client_for(client, pete)
    assert client.get(reverse("case", args=[busy.pk])).status_code == 404
    access.share(actor=alice, obj=busy, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    page = client.get(reverse("case", args=[busy.pk]), {"c-kind": EntryKind.NOTE}).content.decode()
    assert "1" not in _texts(page) and "of 19 entries" in page
