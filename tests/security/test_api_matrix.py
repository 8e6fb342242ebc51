"""The partner API's matrix: every API route (found from the URLconf, tests/security/world.py ``api_urls``), filled
with the world's records, called as an API client.

- As the outsider agency's client (housing, with every scope at write; nothing is shared with housing): every route
  naming a record answers 404 (problem+json) to GET and to POST, whatever was sent, and nothing is written (no row of
  any model; the only audit rows are the client's own reads); every list answers 200 with nothing in it; no answer
  names anything of the world.
- Without a credential, or with a wrong, revoked or expired one: 401, nothing read.
- Scopes: a client with no scope on a resource gets 403 on each of its routes; one with read only gets 403 on every
  write, and nothing is written.
- The owner's client (the lead authority) reaches every record route (no 404, no 5xx).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguarding import services
from safeguarding.apiclients import READ, RESOURCES
from safeguarding.models import AuditAction, AuditEvent

from ..api.conftest import EVERYTHING, Caller, register
from ..conftest import SYSTEM
from . import world as world_module
from .test_outsider_matrix import row_counts

pytestmark = pytest.mark.django_db

READS = {AuditAction.VIEW, AuditAction.SEARCH}


def _body(world, agencies):
    """What a write would carry, on any route that let it through."""
    return {"case": world["case"].pk, "kind": "note", "occurred_at": timezone.now().isoformat(),
            "text": "Outsider wrote this", "response": "Outsider answered", "status": "done"}


def _call(caller, url, method, body, headers=None):
    if method == "get":
        return caller.get(url.path, headers=headers)
    return caller.post(url.path, body, headers={"If-Match": '"1"', "Idempotency-Key": f"k-{url.path}",
                                                **(headers or {})})


def test_every_api_route_can_be_filled():
    everything = {key: type("Fake", (), {"pk": 1}) for key in world_module.API_PK.values()}
    found, problems = world_module.api_urls(everything)
    assert not problems, "\n".join(problems)
    names = {url.name for url in found}
    assert {f"{resource}-list" for resource in RESOURCES} <= names
    assert {f"{resource}-detail" for resource in RESOURCES} <= names
    assert {"chronology-entries-list", "contribution-requests-answer", "actions-progress"} <= names


def test_the_outsiders_client_gets_404_on_every_record_and_learns_nothing(cast, agencies):
    world, secrets = world_module.build(cast, agencies)
    found, problems = world_module.api_urls(world)
    assert not problems, "\n".join(problems)
    housing = register(agencies["housing"])
    body, failures, calls = _body(world, agencies), [], 0
    for url in found:
        for method in url.methods:
            calls += 1
            counts = row_counts()
            last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            response = _call(housing, url, method, body)
            where = f"{method.upper()} {url.path} ({url.name})"
            text = response.content.decode(errors="replace")
            if url.secret:
                if response.status_code != 404 or response["Content-Type"] != "application/problem+json":
                    failures.append(f"{where}: {response.status_code}, not a 404 problem")
            elif method == "get" and (response.status_code != 200 or response.json()["results"]):
                failures.append(f"{where}: {response.status_code}, {text[:200]}")
            elif method == "post" and response.status_code != 404:  # a create names a record the client cannot see
                failures.append(f"{where}: {response.status_code}, {text[:200]}")
            changed = {k: (v, counts[k]) for k, v in row_counts().items() if counts[k] != v}
            if changed:
                failures.append(f"{where}: wrote rows {changed}")
            for event in AuditEvent.objects.filter(pk__gt=last):
                if event.actor_id != housing.client.user_id or event.action not in READS:
                    failures.append(f"{where}: wrote an audit event {event.action} by {event.actor_username}")
                elif event.detail.get("api_client") != housing.client.key_id:
                    failures.append(f"{where}: an audit event without the client: {event.detail}")
                elif event.target_id or event.detail.get("ids"):
                    failures.append(f"{where}: logged a read of a record it may not see: {event.detail}")
            failures += [f"{where}: the answer names {secret!r}" for secret in secrets if secret in text]
    assert not failures, f"{len(failures)} of {calls} calls failed:\n" + "\n".join(failures)
    assert calls >= 31  # 14 lists, 14 records, a create and two actions on a record


def test_the_owners_client_reaches_every_record(cast, agencies):
    world, _ = world_module.build(cast, agencies)
    found, _ = world_module.api_urls(world)
    la = register(agencies["la"])
    failures = [f"GET {url.path}: {status}" for url in found if "get" in url.methods
                and (status := la.get(url.path).status_code) != 200]
    assert not failures, "\n".join(failures)


def test_no_credential_or_a_bad_one_is_401(cast, agencies):
    world, _ = world_module.build(cast, agencies)
    found, _ = world_module.api_urls(world)
    good = register(agencies["la"])
    revoked = register(agencies["la"], name="Revoked system")
    services.api_client_revoke(actor=SYSTEM, client=revoked.client)
    expired = register(agencies["la"], name="Expired system", expires_at=timezone.now() + timedelta(seconds=1))
    type(expired.client).objects.filter(pk=expired.client.pk).update(expires_at=timezone.now() - timedelta(days=1))
    key_id = good.credential.split(".")[0]
    bad = [None, f"{key_id}.wrong-secret", "not-a-credential", revoked.credential, expired.credential]
    failures = []
    for url in found:
        for credential in bad:
            caller = Caller(credential) if credential else None
            for method in url.methods:
                if caller is None:
                    from django.test import Client
                    response = getattr(Client(), method)(url.path)
                else:
                    response = _call(caller, url, method, {})
                if response.status_code != 401 or response["Content-Type"] != "application/problem+json":
                    failures.append(f"{method.upper()} {url.path} with {credential!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    # Someone holding a real key id with the wrong secret, or a revoked or expired credential, is on the record.
    refused = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert {e.detail["reason"] for e in refused} == {"bad_credentials", "revoked", "expired"}


def test_scopes_are_enforced_before_any_record_is_read(cast, agencies):
    world, _ = world_module.build(cast, agencies)
    found, _ = world_module.api_urls(world)
    reader = register(agencies["la"], scopes=dict.fromkeys(RESOURCES, READ), name="Reader")
    nothing_of_cases = register(agencies["la"], scopes={k: v for k, v in EVERYTHING.items() if k != "cases"},
                                name="No cases")
    body, failures = _body(world, agencies), []
    for url in found:
        for method in url.methods:
            if method == "post":
                counts = row_counts()
                response = _call(reader, url, method, body)
                if response.status_code != 403:
                    failures.append(f"POST {url.path} read-only: {response.status_code}")
                if row_counts() != counts:
                    failures.append(f"POST {url.path} read-only wrote rows")
            elif reader.get(url.path).status_code != 200:
                failures.append(f"GET {url.path} read-only: not 200")
        if url.name.startswith("cases-"):
            response = nothing_of_cases.get(url.path)
            if response.status_code != 403 or "no read scope on cases" not in response.json()["detail"]:
                failures.append(f"GET {url.path} without a cases scope: {response.status_code}")
    assert not failures, "\n".join(failures)
