"""A first look: a partner's client reads what is shared with its agency, and nothing else."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_lists_and_reads_a_shared_case(callers, shared_case):
    police = callers["police"]
    response = police.get(reverse("api:cases-list"))
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [shared_case.pk]
    response = police.get(reverse("api:cases-detail", args=[shared_case.pk]))
    assert response.status_code == 200
    assert response["ETag"] == f'"{shared_case.version}"'
    assert response.json()["reference"] == shared_case.reference


def test_it_hides_an_unshared_case(callers, case):
    response = callers["housing"].get(reverse("api:cases-detail", args=[case.pk]))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
