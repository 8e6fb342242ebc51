"""The assessments list and the requests to my agency (safeguarding.lists): filters, sort, pages, total, outsider."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services

from ..conftest import LAWFUL, client_for

pytestmark = pytest.mark.django_db


def _ids(page: str, rows) -> list[int]:
    at = {row.pk: page.find(f'href="/assessments/{row.pk}/"') for row in rows}
    return [pk for pk, where in sorted(at.items(), key=lambda kv: kv[1]) if where >= 0]


@pytest.fixture
def several(alice, park, group, person, neighbourhood):
    return [services.assessment_start(actor=alice, subject=subject, framework=neighbourhood)
            for subject in (park, park, park)]


def test_the_list_is_counted_sorted_and_filtered(client, alice, mandy, several):
    client_for(client, alice)
    page = client.get(reverse("assessments")).content.decode()
    assert "Showing 1–3 of 3 assessments" in page
    assert _ids(page, several) == [a.pk for a in reversed(several)]  # last changed first
    page = client.get(reverse("assessments"), {"sort": "started"}).content.decode()
    assert _ids(page, several) == [a.pk for a in several] and 'aria-sort="ascending"' in page
    assert "of 3 assessments" in client.get(reverse("assessments"), {"of": "place", "mine": "1"}).content.decode()
    assert "No assessments" in client.get(reverse("assessments"), {"of": "peer_group"}).content.decode()
    client_for(client, mandy)
    assert "No assessments" in client.get(reverse("assessments"), {"mine": "1"}).content.decode()


def test_the_list_survives_hostile_input_and_hides_everything_from_an_outsider(client, alice, sam, several):
    client_for(client, alice)
    for params in ({"page": "abc"}, {"page": "99999"}, {"sort": "answers"}, {"status": "nope"}, {"of": "user"}):
        response = client.get(reverse("assessments"), params)
        assert response.status_code in (200, 400), params
    page = client_for(client, sam).get(reverse("assessments")).content.decode()
    assert _ids(page, several) == [] and "No assessments" in page


def test_requests_to_my_agency_are_listed_open_first_and_filtered(client, alice, pete, agencies, several):
    today = timezone.localdate()
    asked = [services.contribution_request(actor=alice, assessment=a, agency=agencies["police"],
                                           question="What do you know of the park?", due_on=today + timedelta(days=d),
                                           basis=LAWFUL)
             for a, d in zip(several, (9, 3, 6), strict=True)]
    client_for(client, pete)
    page = client.get(reverse("contributions")).content.decode()
    assert "Showing 1–3 of 3 requests" in page
    order = [page.index(f'href="/contributions/{r.pk}/"') for r in (asked[1], asked[2], asked[0])]
    assert order == sorted(order)
    soon = today + timedelta(days=5)
    page = client.get(reverse("contributions"), {"due_to_0": soon.day, "due_to_1": soon.month,
                                                 "due_to_2": soon.year}).content.decode()
    assert "of 1 request" in page and f'href="/contributions/{asked[1].pk}/"' in page
    assert client.get(reverse("contributions"), {"due_to_0": "99"}).status_code == 400
