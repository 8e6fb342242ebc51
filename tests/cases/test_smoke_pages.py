from django.urls import reverse

from tests.conftest import client_for


def test_it_renders_every_page_for_the_owner(client, alice, shared_case):
    c = client_for(client, alice)
    person = shared_case.young_person
    for url in [
        reverse("dashboard"), reverse("young-people") + "?q=jaden", reverse("young-person-new"),
        reverse("young-person", args=[person.pk]), reverse("young-person-edit", args=[person.pk]),
        reverse("trusted-adult-new", args=[person.pk]), reverse("voice-entry-new", args=[person.pk]),
        reverse("case-new", args=[person.pk]), reverse("cases"), reverse("case", args=[shared_case.pk]),
        reverse("case-edit", args=[shared_case.pk]),
    ]:
        response = c.get(url)
        assert response.status_code == 200, url
