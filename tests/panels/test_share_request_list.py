"""Requests to share with panels as a list (safeguarding.lists): every request reachable, however many (it stopped at
50 before), with a total, filters by status and the day asked, sorting and pages; the agency asked decides, no one
else lists them."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contexts import services as context_services
from contexts.models import Place, PlaceKind
from panels import services
from panels.models import ShareRequest

from ..conftest import client_for

pytestmark = pytest.mark.django_db

MANY = 27  # more than a page of 25


@pytest.fixture
def requests_made(alice, colin, meeting, agencies):
    """``MANY`` places the council holds, each on the agenda and asked to be shared with the police; the first two
    declined, the rest waiting. The oldest was asked 40 days ago, each next one a day later."""
    made = []
    for i in range(MANY):
        place = context_services.context_create(actor=alice, model=Place, name=f"Place {i:02d}", kind=PlaceKind.PARK)
        item = services.agenda_item_add(actor=colin, meeting=meeting, subject=place, reason="Seen there")
        made.append(services.share_request_ask(actor=colin, item=item, agencies=[agencies["police"]],
                                               reason="The police will be given actions"))
    for i, request in enumerate(made):
        ShareRequest.objects.filter(pk=request.pk).update(asked_at=timezone.now() - timedelta(days=40 - i))
    for request in made[:2]:
        services.share_request_decline(actor=alice, share_request=request, reason="Not yet: a strategy meeting first")
    return made


def _rows(page: str) -> list[str]:
    return re.findall(r'href="/share-requests/\d+/">([^<]+)</a>', page)


def test_every_request_is_reachable_waiting_first_newest_asked_first(client, alice, requests_made):
    client_for(client, alice)
    first = client.get(reverse("share-requests"))
    assert first.status_code == 200
    page = first.content.decode()
    assert f"Showing 1–25 of {MANY} requests" in page
    assert _rows(page)[:3] == ["Place 26", "Place 25", "Place 24"]  # waiting, newest asked first
    second = client.get(reverse("share-requests") + "?page=2").content.decode()
    assert _rows(second) == ["Place 01", "Place 00"]  # the declined, after every waiting one


def test_filters_narrow_by_status_and_the_day_asked(client, alice, requests_made):
    client_for(client, alice)
    declined = client.get(reverse("share-requests") + "?status=declined").content.decode()
    assert "Showing 1–2 of 2 requests" in declined and _rows(declined) == ["Place 01", "Place 00"]
    day = timezone.localdate() - timedelta(days=20)  # Place 20 was asked then
    query = f"?asked_from_0={day.day}&asked_from_1={day.month}&asked_from_2={day.year}"
    recent = client.get(reverse("share-requests") + query).content.decode()
    assert f"Showing 1–{MANY - 20} of {MANY - 20} requests" in recent
    assert set(_rows(recent)) == {f"Place {i:02d}" for i in range(20, MANY)}


def test_it_sorts_by_the_day_asked_both_ways(client, alice, requests_made):
    client_for(client, alice)
    oldest = _rows(client.get(reverse("share-requests") + "?sort=asked").content.decode())
    assert oldest[:2] == ["Place 00", "Place 01"]
    newest = _rows(client.get(reverse("share-requests") + "?sort=-asked").content.decode())
    assert newest[:2] == ["Place 26", "Place 25"]


def test_hostile_input_is_an_error_or_ignored_never_a_failure(client, alice, requests_made):
    client_for(client, alice)
    impossible = client.get(reverse("share-requests") + "?asked_from_0=31&asked_from_1=2&asked_from_2=2026")
    assert impossible.status_code == 400
    page = impossible.content.decode()
    assert "<title>Error: " in page and "govuk-error-summary" in page and _rows(page) == []
    for query in ("?page=abc", "?page=99999", "?sort=nonsense", "?status=everything"):
        assert client.get(reverse("share-requests") + query).status_code in (200, 400), query


def test_only_those_who_may_share_the_records_list_them(client, colin, pete, requests_made):
    for outsider in (colin, pete):  # the chair who asked; the agency asked to be shared with
        page = client_for(client, outsider).get(reverse("share-requests")).content.decode()
        assert "No requests" in page and _rows(page) == []
