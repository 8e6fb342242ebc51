"""Reading through the API: search and filters, cursor pages, ETags, dates with their zone, the audit of every read
with the client, the throttle, and the schema and its documentation page served from the app itself."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from cases.models import Case
from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent
from tests.conftest import LAWFUL

from ..factories import CaseFactory, YoungPersonFactory
from .conftest import register

pytestmark = pytest.mark.django_db


def test_it_finds_young_people_by_name_alias_and_date_of_birth(callers, alice):
    jayden = YoungPersonFactory(actor=alice, first_name="Jayden", last_name="Okafor", known_as=["JJ Smokes"])
    YoungPersonFactory(actor=alice, first_name="Amelia", last_name="Hughes")
    la, url = callers["la"], reverse("api:young-people-list")
    ids = lambda **q: [row["id"] for row in la.get(url, q).json()["results"]]  # noqa: E731
    assert ids(q="Jaden Okafur") == [jayden.pk]  # misspelt
    assert ids(q="smokes") == [jayden.pk]  # an alias
    assert ids(date_of_birth=jayden.date_of_birth.isoformat()) == [jayden.pk]
    assert ids(q=f"YP-{jayden.pk}") == [jayden.pk]
    assert callers["police"].get(url, {"q": "Jayden"}).json()["results"] == []  # nothing shared with the police
    bad = la.get(url, {"date_of_birth": "31/02/2010"})
    assert bad.status_code == 400 and "date_of_birth" in bad.json()["errors"]


def test_it_pages_by_cursor_and_filters(callers, alice, agencies):
    for _ in range(7):
        case = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), risk_level="high")
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), risk_level="high")  # not shared
    police, seen, url = callers["police"], [], reverse("api:cases-list") + "?page_size=3&risk_level=high"
    while url:
        page = police.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    shared = list(access.visible(police.client.user, Case.objects.all()).order_by("-pk").values_list("pk", flat=True))
    assert seen == shared and len(seen) == 7
    assert police.get(reverse("api:cases-list"), {"risk_level": "low"}).json()["results"] == []
    assert police.get(reverse("api:cases-list"), {"cursor": "not-a-cursor"}).status_code == 404


def test_every_read_is_audited_with_the_client(callers, shared_case):
    police = callers["police"]
    police.get(reverse("api:cases-list"))
    police.get(reverse("api:cases-detail", args=[shared_case.pk]))
    listed, viewed = AuditEvent.objects.filter(actor=police.client.user).order_by("pk")
    assert listed.action == AuditAction.SEARCH and listed.detail == {
        "api": "cases", "ids": [shared_case.pk], "filters": [], "api_client": police.client.key_id}
    assert viewed.action == AuditAction.VIEW and viewed.target_id == str(shared_case.pk)
    assert viewed.detail["api_client"] == police.client.key_id and viewed.agency_id == police.client.agency_id


def test_a_record_carries_its_version_as_etag_and_dates_with_their_zone(callers, shared_case):
    response = callers["police"].get(reverse("api:cases-detail", args=[shared_case.pk]))
    assert response["ETag"] == f'"{shared_case.version}"'
    created = response.json()["created_at"]
    assert created.endswith(("Z", "+00:00", "+01:00")) and "T" in created


def test_an_offset_postgresql_refuses_is_a_400_not_a_500(callers):
    response = callers["la"].get(reverse("api:meetings-list"), {"starts_before": "0292-09-01T17:25:07+21:53"})
    assert response.status_code == 400 and "starts_before" in response.json()["errors"]


def test_it_throttles_each_client_in_redis(callers, settings):
    settings.API_THROTTLE_RATE = "3/min"
    police, school = callers["police"], callers["school"]
    caches["api"].delete(f"throttle:{police.client.key_id}")
    statuses = [police.get(reverse("api:cases-list")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = police.get(reverse("api:cases-list"))
    assert refused["Content-Type"] == "application/problem+json" and int(refused["Retry-After"]) > 0
    assert school.get(reverse("api:cases-list")).status_code == 200  # its own count


def test_the_schema_and_its_documentation_page_are_served_from_the_app(client):
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/cases/{id}/" in paths and "/api/v1/actions/{id}/progress/" in paths
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in text and "cdn" not in text.lower()
    nonce = page["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in text and "<script>" not in text  # nothing inline the policy would refuse
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_a_client_acts_only_as_its_agency(agencies, shared_case):
    """The account behind a client belongs to its agency alone and holds the partner practitioner's role."""
    client = register(agencies["police"]).client
    assert client.user.agency == agencies["police"] and not client.user.is_staff
    assert set(client.user.groups.values_list("name", flat=True)) == {"Agency: Northfield Police",
                                                                       "Partner practitioner"}
