"""An administrator registers a partner system's API client in the admin pages, sees its credential once, and
revokes it; the credential works until then, and the client's account can never sign in."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from safeguarding.models import ApiClient, AuditAction, AuditEvent

from ..api.conftest import Caller
from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_registers_a_client_shows_the_credential_once_and_revokes_it(client, adam, agencies, shared_case):
    client_for(client, adam)
    scopes = {f"scope_{r}": "" for r in ("young-people", "chronology-entries")}
    response = client.post(reverse("admin:safeguarding_apiclient_add"), {
        "agency": agencies["police"].pk, "name": "Force records system", "expires_at": "",
        **scopes, "scope_cases": "read", "scope_chronology-entries": "write"}, follow=True)
    assert response.status_code == 200
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    credential = re.search(r"(efh_[0-9a-f]{16}\.\S+)", shown)[1]
    registered = ApiClient.objects.get(name="Force records system")
    assert registered.scopes == {"cases": "read", "chronology-entries": "write"}
    assert credential.split(".")[1] not in registered.secret_hash  # only its hash is kept
    assert not registered.user.has_usable_password() and registered.user.agency == agencies["police"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(registered.pk), actor=adam).exists()
    # Never shown again: the list and the client's own page name the key id only.
    for page in (reverse("admin:safeguarding_apiclient_changelist"),
                 reverse("admin:safeguarding_apiclient_change", args=[registered.pk])):
        text = client.get(page).content.decode()
        assert registered.key_id in text and credential.split(".")[1] not in text

    partner = Caller(credential)
    assert partner.get(reverse("api:cases-detail", args=[shared_case.pk])).status_code == 200
    signing_in = client.__class__().post(reverse("login"), {"username": registered.user.username, "password": "x"})
    assert signing_in.status_code == 200 and "_auth_user_id" not in signing_in.wsgi_request.session

    client.post(reverse("admin:safeguarding_apiclient_changelist"),
                {"action": "revoke", "_selected_action": [registered.pk]})
    registered.refresh_from_db()
    assert registered.revoked_at is not None and registered.revoked_by == adam
    assert partner.get(reverse("api:cases-detail", args=[shared_case.pk])).status_code == 401
