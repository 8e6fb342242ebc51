"""What operators rely on: /healthz says when pages cannot be served, logs name each request, Sentry gets no
personal data."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from safeguarding import views
from safeguarding.logs import RequestIdFilter, scrub_event, sentry_options
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import PASSWORD, client_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_healthz_reports_unapplied_migrations(client, monkeypatch):
    from django.db.migrations.recorder import MigrationRecorder

    monkeypatch.setattr(views, "_all_migrations_applied", False)
    applied = MigrationRecorder.applied_migrations
    # As if the newest migration of an app had not run. (The app's database role may only read django_migrations,
    # so the test cannot delete the row itself.)
    newest = max(key for key in applied(MigrationRecorder(connection)) if key[0] == "cases")
    monkeypatch.setattr(MigrationRecorder, "applied_migrations",
                        lambda self: {k: v for k, v in applied(self).items() if k != newest})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["migrations"] == "error: 1 unapplied (run manage.py migrate)"
    assert views._all_migrations_applied is False


def test_healthz_checks_migrations_once_they_are_applied(client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(views, "_all_migrations_applied", False)
    assert client.get("/healthz").json()["migrations"] == "ok"
    with django_assert_max_num_queries(1):  # SELECT 1, and no more: cheap for a probe every few seconds
        assert client.get("/healthz").status_code == 200


def test_healthz_reports_static_files_never_collected_which_would_make_every_page_a_500(client, alice, settings,
                                                                                         tmp_path):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    settings.STATIC_ROOT = tmp_path  # no staticfiles.json
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"].startswith("error: no static manifest entry for dist/app.css")
    client_for(client, alice)
    client.raise_request_exception = False
    assert client.get(reverse("dashboard")).status_code == 500  # what the probe now warns of


@pytest.fixture
def log_lines():
    """What the configured console handler writes (JSON in production settings, as in the tests)."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdFilter) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


def test_every_log_line_carries_the_request_id_of_the_response_and_the_audit_row(client, alice, log_lines):
    response = client.post(reverse("login"), {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).request_id == request_id
    [line] = [r for r in log_lines() if r["logger"] == "safeguarding.requests"]
    assert line["request_id"] == request_id
    assert line["path"] == "/sign-in/" and line["status"] == 302 and line["method"] == "POST"
    assert {"time", "level", "message", "duration_ms"} <= set(line)


def test_a_request_id_sent_by_the_proxy_is_kept_and_the_query_string_is_never_logged(client, alice, log_lines):
    client_for(client, alice)
    response = client.get(reverse("dashboard") + "?q=Jayden+Okafor", HTTP_X_REQUEST_ID="proxy-id-123")
    assert response["X-Request-ID"] == "proxy-id-123"
    [line] = [r for r in log_lines() if r["logger"] == "safeguarding.requests"]
    assert line["request_id"] == "proxy-id-123"
    assert "Jayden" not in json.dumps(log_lines())


def test_outside_a_request_the_request_id_is_empty(log_lines):
    logging.getLogger("safeguarding.jobs").warning("a job ran")
    [line] = [r for r in log_lines() if r["message"] == "a job ran"]
    assert line["request_id"] == ""


def test_sentry_is_sent_no_personal_data():
    options = sentry_options("https://key@sentry.example/1", environment="test")
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    event = {"request": {"url": "https://efh.example/young-people/7/", "method": "POST", "query_string": "q=Jayden",
                         "data": {"first_name": "Jayden"}, "cookies": {"sessionid": "x"}, "headers": {"A": "b"}},
             "user": {"id": 3, "username": "alice"}, "message": "boom"}
    scrubbed = scrub_event(event)
    assert scrubbed["request"] == {"url": "https://efh.example/young-people/7/", "method": "POST"}
    assert "user" not in scrubbed and scrubbed["message"] == "boom"


def _sentry_state(**env) -> dict:
    script = ("import json, django, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
              "print(json.dumps([c.is_active(), c.options.get('send_default_pii'), c.options.get('environment')]))")
    base = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,  # noqa: S603
                            env={**base, "DJANGO_SETTINGS_MODULE": "safeguarding.settings", **env}, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sentry_starts_only_when_a_dsn_is_set():
    assert _sentry_state()[0] is False
    assert _sentry_state(SENTRY_DSN="https://public@127.0.0.1:9/1", SENTRY_ENVIRONMENT="staging") == [
        True, False, "staging"]
