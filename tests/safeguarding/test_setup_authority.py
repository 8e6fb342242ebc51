import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from safeguarding.models import Agency, User

pytestmark = pytest.mark.django_db
ARGS = ["--agency", "Eastmoor Council", "--username", "jo.admin", "--email", "jo@example.org",
        "--first-name", "Jo", "--last-name", "Admin", "--password-env", "EFH_TEST_PASSWORD"]


def test_a_new_installation_gets_its_lead_authority_and_first_administrator(monkeypatch):
    monkeypatch.setenv("EFH_TEST_PASSWORD", "a-long-and-unusual-passphrase")
    call_command("setup_authority", *ARGS)
    user = User.objects.get(username="jo.admin")
    assert user.agency.is_lead_authority and user.is_staff and not user.is_superuser
    assert authenticate(RequestFactory().post("/"), username="jo.admin", password="a-long-and-unusual-passphrase")
    with pytest.raises(CommandError, match="already exists"):
        call_command("setup_authority", *ARGS)


def test_a_weak_password_is_refused_and_nothing_is_created(monkeypatch):
    monkeypatch.setenv("EFH_TEST_PASSWORD", "password")
    with pytest.raises(CommandError, match="too short|too common"):
        call_command("setup_authority", *ARGS)
    assert not Agency.objects.exists() and not User.objects.exists()
