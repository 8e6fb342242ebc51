"""The administration pages write through the services: audited, roles and agency group set, no deletion."""

import pytest
from django.urls import reverse

from safeguarding.models import AuditAction, AuditEvent, User
from safeguarding.roles import Role

from ..conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_person_with_a_role(client, adam, agencies):
    client_for(client, adam)
    response = client.post(reverse("admin:safeguarding_user_add"), {
        "username": "priya", "first_name": "Priya", "last_name": "Shah", "email": "priya@example.org",
        "agency": agencies["police"].pk, "job_title": "Detective Constable", "roles": [Role.PARTNER_PRACTITIONER],
        "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    priya = User.objects.get(username="priya")
    assert set(priya.groups.values_list("name", flat=True)) == {"Agency: Northfield Police",
                                                                 Role.PARTNER_PRACTITIONER.value}
    assert not priya.is_staff and priya.check_password("a-long-unusual-passphrase")
    created = AuditEvent.objects.get(action=AuditAction.CREATE, target_type__model="user", target_id=str(priya.pk))
    assert created.actor == adam


def test_a_weak_password_is_refused_in_the_admin(client, adam, agencies):
    client_for(client, adam)
    response = client.post(reverse("admin:safeguarding_user_add"), {
        "username": "weak", "agency": agencies["police"].pk, "roles": [Role.PARTNER_PRACTITIONER],
        "password1": "password", "password2": "password",
    })
    assert response.status_code == 200 and not User.objects.filter(username="weak").exists()


def test_deactivating_in_the_admin_ends_sessions_and_nothing_can_be_deleted(client, adam, alice):
    other = client.__class__()
    other.post(reverse("login"), {"login": "alice", "password": PASSWORD})
    client_for(client, adam)
    response = client.post(reverse("admin:safeguarding_user_changelist"),
                           {"action": "deactivate", "_selected_action": [alice.pk]})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert other.get(reverse("dashboard")).status_code == 302
    assert client.get(reverse("admin:safeguarding_user_delete", args=[alice.pk])).status_code == 403
    assert client.get(reverse("admin:safeguarding_agency_delete", args=[alice.agency_id])).status_code == 403
