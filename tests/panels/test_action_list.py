"""My agency's actions (safeguarding.lists): outstanding by default, filtered by status and due date, sorted, paged."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panels import services

from ..conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(colin, agenda, agencies):
    today = timezone.localdate()
    rows = [services.action_add(actor=colin, item=agenda[0], description=f"Visit {i}", owner_agency=agencies["police"],
                                due_on=today + timedelta(days=10 - i)) for i in range(3)]
    return rows


def test_the_outstanding_actions_soonest_first_then_filtered_and_sorted(client, pete, actions):
    client_for(client, pete)
    page = client.get(reverse("actions")).content.decode()
    assert "Showing 1–3 of 3 actions" in page
    assert page.index("Visit 2") < page.index("Visit 1") < page.index("Visit 0")
    page = client.get(reverse("actions"), {"sort": "-due"}).content.decode()
    assert page.index("Visit 0") < page.index("Visit 1") < page.index("Visit 2")
    page = client.get(reverse("actions"), {"status": "done"}).content.decode()
    assert "No actions match" in page
    day = timezone.localdate() + timedelta(days=8)
    page = client.get(reverse("actions"), {"due_to_0": day.day, "due_to_1": day.month, "due_to_2": day.year}).content
    assert b"of 1 action" in page and b"Visit 2" in page


def test_hostile_input_and_the_outsider(client, pete, oscar, actions):
    client_for(client, pete)
    for params in ({"page": "abc"}, {"page": "999"}, {"sort": "owner__password"}, {"status": "x"}):
        assert client.get(reverse("actions"), params).status_code in (200, 400)
    page = client_for(client, oscar).get(reverse("actions")).content.decode()
    assert "Visit" not in page and "No outstanding actions" in page
