"""The outsider matrix: every URL of every app, filled with the ids of real records, as an agency shown nothing.

The URLs come from the URLconf (tests/security/world.py fills each parameter by its name and the route), so a new
URL is in the matrix the day it is added; one whose parameter cannot be filled fails here until it is mapped.

Signed in as oscar (housing), with whom nothing of the world is shared:
- a URL naming a record answers 404 to GET, to an htmx GET and to POST (or 405 to a GET of a POST-only URL, which
  is decided before any record is read), and nothing is written: no row of any model
  (domain, grants, change history) appears or goes, and the only audit rows are oscar's own views and searches;
- a URL naming no record (lists, dashboards, "new" forms) answers 200, 302, 403 or 405;
- no response names anything in the world.
"""

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from safeguarding.models import AuditAction, AuditEvent

from . import world as world_module

pytestmark = pytest.mark.django_db

AUDIT_ALLOWED = {AuditAction.VIEW, AuditAction.SEARCH}
# Pages that exist only once a document is made: a pack not yet built, the PDF of an assessment still a draft, an
# export (its owner's alone, and the owner test signs in as someone else), a transition plan's changes and handover
# (the world's case has no plan: 404 until one is opened; tests/cases/test_transitions.py walks them).
NOT_YET = {"pack-download", "assessment-pdf", "reports-export-download", "transition-edit", "transition-handover"}
# A person's own second factors (allauth's pages): 404 until they have set up the kind the page is about.
NOT_SET_UP = {"mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}


def test_every_url_parameter_can_be_filled():
    """A URL whose parameter the matrix cannot fill fails here: map it in tests/security/world.py."""
    everything = {key: _Fake() for key in {*world_module.PK.values(), *world_module.OTHER.values(),
                                             *(k for kinds in world_module.KINDS.values() for k in kinds.values())}}
    found, problems = world_module.urls(everything)
    assert not problems, "\n".join(problems)
    assert len(found) >= 80


class _Fake:
    pk = 1


def _counted_models():
    return [m for m in apps.get_models(include_auto_created=True)
            if m not in (AuditEvent, Session) and not m._meta.proxy and m._meta.managed]


def row_counts() -> dict:
    """How many rows every table holds, in one query."""
    models = _counted_models()
    sql = " UNION ALL ".join(
        f"SELECT %s, COUNT(*) FROM {connection.ops.quote_name(m._meta.db_table)}" for m in models)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [m._meta.label for m in models])
        return dict(cursor.fetchall())


def post_data(world, agencies):
    """A form that would change something on any page that let it through."""
    today = timezone.localdate()
    return {
        "kind": "note", "text": "Outsider wrote this", "agency": agencies["housing"].pk, "level": "view",
        "version": 1, "first_name": "Changed", "last_name": "Name", "name": "Changed", "relationship": "Aunt",
        "words": "Changed", "said_on": today.isoformat(), "reason": "nfa", "status": "done", "to": "minutes_drafted",
        "response": "Changed", "statement": "Changed", "met_when": "x", "measured_by": "y", "what": "Changed",
        "description": "Changed", "theme": "Changed", "question": "Changed", "approve": "1", "decision": "approve",
        "framework": world["framework"].pk, "role": "core", "nature": "friend", "reliability": "reported",
        "review_by": (today.replace(year=today.year + 1)).isoformat(), "place": world["place"].pk,
        "other": world["friend"].pk, "young_person": world["person"].pk, "person": world["attendee"].pk,
        "owner_agency": agencies["housing"].pk, "due_on": today.isoformat(), "topic": "x", "given_on": today,
        "minutes": "Changed", "decisions": "Changed", "location": "x", "agency_search": "x",
    }


def test_an_outsider_gets_404_on_every_record_url_and_learns_nothing_anywhere(client, cast, agencies):
    world, secrets = world_module.build(cast, agencies)
    world.update(world_module.documents(cast, world))
    found, problems = world_module.urls(world)
    assert not problems, "\n".join(problems)
    oscar = cast["oscar"]
    client.force_login(oscar)
    data = post_data(world, agencies)
    failures = []
    requests = [(u, method) for u in found for method in ("get", "htmx", "post")]
    for url, method in requests:
        counts, last_event = row_counts(), AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        if method == "post":
            response = client.post(url.path, data)
        else:
            response = client.get(url.path, headers={"HX-Request": "true"} if method == "htmx" else {})
        where = f"{method.upper()} {url.path} ({url.name})"
        body = b"".join(response) if response.streaming else response.content
        if url.secret:
            # 405 to a GET of a POST-only URL comes before any record is read: it is the same for every id.
            if response.status_code != 404 and not (method != "post" and response.status_code == 405):
                failures.append(f"{where}: {response.status_code}, not 404 (it names {', '.join(url.secret)})")
            changed = {k: (v, counts[k]) for k, v in row_counts().items() if counts[k] != v}
            if changed:
                failures.append(f"{where}: wrote rows {changed}")
            new = AuditEvent.objects.filter(pk__gt=last_event or 0)
            for event in new:
                if event.actor_id != oscar.pk or event.action not in AUDIT_ALLOWED:
                    failures.append(f"{where}: wrote an audit event {event.action} by {event.actor_id}")
                elif event.target_id and event.target_id in {str(world[k].pk) for k in url.secret}:
                    failures.append(f"{where}: logged a {event.action} of a record it may not see")
        elif response.status_code not in (200, 302, 403, 405) and not (
                response.status_code == 404 and url.name in NOT_SET_UP):
            failures.append(f"{where}: {response.status_code}")
        text = body.decode(errors="replace")
        failures += [f"{where}: the response names {secret!r}" for secret in secrets if secret in text]
    assert not failures, f"{len(failures)} of {len(requests)} requests failed:\n" + "\n".join(failures)
    assert len(found) >= 80


def test_the_owner_reaches_every_record_url_its_roles_allow(client, cast, agencies):
    """The same world as the lead authority: no page that names its records is missing or broken (no 404/500)."""
    world, _ = world_module.build(cast, agencies)
    world.update(world_module.documents(cast, world))
    found, _ = world_module.urls(world)
    client.force_login(cast["alice"])
    failures = []
    for url in found:
        if not url.secret or url.name in world_module.SKIP:
            continue
        status = client.get(url.path).status_code
        # 409: reached, and refused for the record's state (feedback to a young person before their meeting has met)
        if status not in (200, 302, 403, 405, 409) and not (status == 404 and url.name in NOT_YET):
            failures.append(f"GET {url.path} ({url.name}): {status}")
    assert not failures, "\n".join(failures)
