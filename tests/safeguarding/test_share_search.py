"""The share form at national scale: past ``OFFERED`` agencies it lists none until the person searches by name."""

import re

import pytest
from django.urls import reverse

from safeguarding import access, services, sharing
from safeguarding.models import AgencyKind, AuditAction, AuditEvent

from ..conftest import SYSTEM, client_for

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[str]:
    select = html[html.index('<select name="agency"'):]
    select = select[:select.index("</select>")]
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


def test_a_borough_lists_every_agency_and_asks_for_no_search(client, alice, case, agencies):
    client_for(client, alice)
    html = client.get(reverse("case", args=[case.pk])).content.decode()
    assert _options(html) == ["Choose an agency", "Northfield Academy", "Northfield Homes", "Northfield Police"]
    assert 'name="agency_q"' not in html


def test_past_the_limit_the_person_searches_and_any_agency_can_still_be_chosen(client, alice, case, agencies):
    for n in range(sharing.OFFERED + 5):
        services.agency_create(actor=SYSTEM, name=f"Youth Offending Team {n:03}", kind=AgencyKind.YOUTH_JUSTICE)
    client_for(client, alice)
    url = reverse("case", args=[case.pk])
    html = client.get(url).content.decode()
    assert _options(html) == ["Search for the agency first"]
    assert "There are too many agencies to list. Search for the one you want." in html
    found = client.get(url, {"agency_q": "  northfield   police "}).content.decode()
    assert _options(found) == ["Choose an agency", "Northfield Police"]
    broad = client.get(url, {"agency_q": "offending"}).content.decode()
    assert len(_options(broad)) == sharing.OFFERED + 1 and f"More than {sharing.OFFERED} agencies match" in broad
    none = client.get(url, {"agency_q": "Nowhere Trust"}).content.decode()
    assert _options(none) == ["No agency has that name"]
    # Posting is not limited to what was listed: the access door decides.
    response = client.post(reverse("case-share", args=[case.pk]), {"agency": agencies["school"].pk,
                                                                   "level": access.VIEW})
    # Sharing through the page is confirmed (it used to answer 400 with no message, as the share returned nothing).
    assert response.status_code == 302
    assert f"{case} shared with Northfield Academy." in client.get(response.url).content.decode()
    assert access.can(access.AgencyReader(agencies["school"]), case)
    assert AuditEvent.objects.filter(action=AuditAction.SHARE, target_id=str(case.pk)).count() == 1
