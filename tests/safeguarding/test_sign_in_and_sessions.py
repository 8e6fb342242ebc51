"""Signing in and out, lockout, session lifetime, deactivation, health and deployment checks."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from safeguarding import services
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, username="alice", password=PASSWORD, ip="10.0.0.1"):
    return client.post(reverse("login"), {"login": username, "password": password}, REMOTE_ADDR=ip)


def test_a_person_signs_in_and_out(client, alice):
    assert sign_in(client).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # signing out is a POST, never a link
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_wrong_password_shows_a_gov_uk_error_summary(client, alice):
    page = sign_in(client, password="nope").content.decode()
    assert "govuk-error-summary" in page and "Enter a correct username and password" in page


def test_passwords_are_hashed_with_argon2(alice):
    assert alice.password.startswith("argon2")


def test_five_failures_lock_the_username_from_that_address(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="guess")
    locked = sign_in(client)  # even the right password
    assert locked.status_code == 429 and "Too many attempts to sign in" in locked.content.decode()
    assert sign_in(client, ip="10.0.0.2").status_code == 302  # keyed on username and address together
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, detail__reason="locked_out").exists()


def _age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_an_idle_session_is_signed_out_and_audited(client, alice):
    sign_in(client)
    _age_session(client, last_seen_at=settings.SESSION_IDLE_TIMEOUT.total_seconds() + 5)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url == reverse("login") + "?timeout=1"
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).detail["reason"] == "idle_timeout"
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_busy_session_still_ends_at_the_absolute_limit(client, alice):
    sign_in(client)
    _age_session(client, signed_in_at=settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() + 5, last_seen_at=1)
    assert client.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).detail["reason"] == "session_expired"


def test_an_htmx_request_after_timeout_is_sent_to_sign_in(client, alice):
    sign_in(client)
    _age_session(client, last_seen_at=settings.SESSION_IDLE_TIMEOUT.total_seconds() + 5)
    response = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("login") + "?timeout=1"


def test_deactivating_a_person_ends_their_sessions_at_once(client, alice, adam):
    sign_in(client)
    assert services.user_deactivate(actor=adam, user=alice) == 1
    assert client.get(reverse("dashboard")).status_code == 302
    # And they cannot sign in again: the right password only shows that the account is deactivated.
    again = sign_in(client)
    assert again.status_code == 302 and again.url == reverse("account_inactive")
    assert client.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.DEACTIVATE).detail == {"sessions_ended": 1}


def test_only_an_administrator_may_deactivate(alice, mandy):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=mandy, user=alice)


def test_healthz_reports_database_and_broker_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "migrations": "ok", "static": "ok"}


def test_healthz_reports_a_broker_that_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["broker"].startswith("error")


def test_the_admin_is_for_administrators_only(client, alice, adam):
    assert client_for(client, alice).get("/admin/").status_code == 302
    assert client_for(client, adam).get("/admin/").status_code == 200


def test_security_headers_are_sent(client, alice):
    response = client_for(client, alice).get(reverse("dashboard"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.get("Cache-Control", "")


def test_production_settings_pass_the_deployment_check():
    test_only = {"DEBUG", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(SECRET_KEY="x7#" + "k2v9q" * 12, ALLOWED_HOSTS="efh.example.gov.uk")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_each_session_row_names_its_user_so_it_can_be_ended_directly(client, alice):
    from safeguarding.models import UserSession

    sign_in(client)
    assert list(UserSession.objects.values_list("user__username", flat=True)) == ["alice"]
