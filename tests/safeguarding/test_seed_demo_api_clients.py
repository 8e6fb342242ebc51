"""The demo's API client: seed_demo registers the police records system once, keeps its credential for docs/api.md
(the demo only) and prints it; the credential works; running the seeder again adds nothing and prints the same."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from safeguarding.models import ApiClient

from ..api.conftest import Caller

pytestmark = pytest.mark.django_db


def test_it_seeds_a_working_police_client_once(settings, tmp_path):
    settings.DEMO_API_CREDENTIALS = tmp_path / "api-credentials.json"
    out = StringIO()
    call_command("seed_demo", only="safeguarding", force=True, stdout=out)
    saved = json.loads(settings.DEMO_API_CREDENTIALS.read_text())
    credential = saved["Northfield Constabulary records system"]
    assert credential in out.getvalue()
    client = ApiClient.objects.get(name="Northfield Constabulary records system")
    assert client.agency.name == "Northfield Constabulary" and client.scopes["chronology-entries"] == "write"
    assert Caller(credential).get(reverse("api:cases-list")).status_code == 200
    again = StringIO()
    call_command("seed_demo", only="safeguarding", force=True, stdout=again)
    assert ApiClient.objects.count() == 1 and credential in again.getvalue()
    settings.DEMO_API_CREDENTIALS.unlink()  # the file lost: its secret cannot be shown again, so a new one
    call_command("seed_demo", only="safeguarding", force=True, stdout=StringIO())
    assert ApiClient.objects.filter(revoked_at__isnull=True).count() == 1 and ApiClient.objects.count() == 2
