"""Every API endpoint's query count, pinned, and the same however many rows there are.

Each list and record endpoint is called as the lead authority's client (it sees every record of the world) on the
world of tests/security/world.py, then again after more records of every kind are added (tests/security/world.py's
planted records, and a second meeting, action, assessment, contribution request and referral): the counts must not
move. What each query is:

- a list: the client with its account and agency; the account's role permissions (the door asks whether the role
  opens records); the page (one query, its related rows joined); the audit row of the read (insert);
- a record: the client; the role's permissions; the record (its related rows joined), with what the agency may do
  to it; the audit row.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Framework
from cases import services as case_services
from panels import services as panel_services
from tests.conftest import LAWFUL, LAWFUL_FORM
from tests.security import world as world_module

from .conftest import register

pytestmark = pytest.mark.django_db

# Every list and every record: the client, the role's permissions, the page or the record, the audit row.
PINNED = {f"{resource}-{kind}": 4 for resource in world_module.API_PK for kind in ("list", "detail")}


def _counts(caller, urls) -> dict:
    counts = {}
    for url in urls:
        caller.get(url.path)  # the first call reads what a process keeps (permission ids, content types)
        with CaptureQueriesContext(connection) as queries:
            response = caller.get(url.path)
        assert response.status_code == 200, (url.path, response.content[:300])
        counts[url.name] = (len(queries), [q["sql"] for q in queries.captured_queries])
    return counts


def _more(cast, agencies, world):
    """One more of every kind the plant does not add."""
    colin, alice, pete = cast["colin"], cast["alice"], cast["pete"]
    meeting = panel_services.meeting_schedule(actor=colin, panel=world["panel"],
                                              starts_at=timezone.now() + timedelta(days=14))
    item = panel_services.agenda_item_add(actor=colin, meeting=meeting, subject=world["person"], reason="Again")
    panel_services.action_add(actor=colin, item=item, description="Another action", owner_agency=agencies["la"],
                              due_on=timezone.localdate() + timedelta(days=20))
    assessment = assessment_services.assessment_start(actor=alice, subject=world["group"],
                                                      framework=Framework.objects.get(key="peer-group"))
    assessment_services.contribution_request(actor=alice, assessment=assessment, agency=agencies["police"],
                                             question="Who are the riders?", due_on=timezone.localdate(), basis=LAWFUL)
    case_services.referral_create(
        actor=pete, first_name="Another", last_name="Referral", date_of_birth=timezone.localdate() - timedelta(
            days=5200), postcode="B2 2BB", concerns="Seen with older men", harm_types=["cce"], family_knows="Mum",
        young_person_agreed="agreed", lawful_basis="public_task", special_category="safeguarding")


def test_every_endpoint_makes_the_same_few_queries_however_many_rows(cast, agencies, shipped_frameworks):
    world, _ = world_module.build(cast, agencies)
    urls = [url for url in world_module.api_urls(world)[0] if "get" in url.methods]
    la = register(agencies["la"])
    before = _counts(la, urls)
    planted, _ = world_module.plant(cast, agencies, world)
    _more(cast, agencies, world)
    after = _counts(la, urls)
    moved = {name: (before[name][0], after[name][0]) for name in before if before[name][0] != after[name][0]}
    assert not moved, f"query counts grew with the rows: {moved}"
    wrong = {name: (count, PINNED.get(name), sql) for name, (count, sql) in after.items() if count != PINNED.get(name)}
    assert not wrong, "\n\n".join(f"{name}: {count} queries, {pinned} pinned\n" + "\n".join(
        f"  {i + 1}. {q[:300]}" for i, q in enumerate(sql)) for name, (count, pinned, sql) in wrong.items())


# The writes: the client and role; the service's reads, locks, insert or update, history and audit rows. An answer
# also checks and records its lawful basis (the agreement in force between the agencies, the Disclosure row).
# The answer's 27, read off on 2026-12-05: the client, its role's permissions, the request (3); three savepoints
# (the API's, the service's, the Disclosure's) and their releases (6); the assessment and the request locked, the two
# agencies, the agreement in force (5); Django's full_clean probing that each foreign key exists, four for the request
# and four for the Disclosure (8), and the Disclosure's check constraint (1); the update, the Disclosure and the audit
# row (3, the history rows by trigger); the request read back for the response (1).
PINNED_WRITES = {"chronology-entries-create": 11, "contribution-requests-answer": 27, "actions-progress": 13}


def _write_counts(cast, agencies, world, police, school) -> dict:
    from assessments.models import ContributionRequest
    from panels.models import Action

    counts = {}
    body = {"case": world["case"].pk, "kind": "note", "occurred_at": "2026-10-14T16:30:00+01:00", "text": "Seen"}
    police.post(reverse("api:chronology-entries-list"), body)  # the first call reads what a process keeps
    with CaptureQueriesContext(connection) as queries:
        assert police.post(reverse("api:chronology-entries-list"), body).status_code == 201
    counts["chronology-entries-create"] = len(queries)
    contribution = ContributionRequest.objects.filter(agency=agencies["school"], status="requested").first()
    with CaptureQueriesContext(connection) as queries:
        response = school.post(reverse("api:contribution-requests-answer", args=[contribution.pk]),
                               {"response": "Pupils avoid it", **LAWFUL_FORM},
                               headers={"If-Match": f'"{contribution.version}"'})
    assert response.status_code == 200, response.content
    counts["contribution-requests-answer"] = len(queries)
    action = Action.objects.filter(owner_agency=agencies["police"]).order_by("pk").last()
    with CaptureQueriesContext(connection) as queries:
        response = police.post(reverse("api:actions-progress", args=[action.pk]), {"text": "Booked",
                               "status": "in_progress"}, headers={"If-Match": f'"{action.version}"'})
    assert response.status_code == 200, response.content
    counts["actions-progress"] = len(queries)
    return counts


def test_every_write_makes_the_same_queries_however_many_rows(cast, agencies, shipped_frameworks):
    from assessments.models import Assessment

    world, _ = world_module.build(cast, agencies)
    from safeguarding import access

    access.share(actor=cast["alice"], obj=world["case"], agency=agencies["police"], level=access.CONTRIBUTE,
                 basis=LAWFUL)
    police, school = register(agencies["police"]), register(agencies["school"])
    before = _write_counts(cast, agencies, world, police, school)
    world_module.plant(cast, agencies, world)
    _more(cast, agencies, world)
    second = Assessment.objects.filter(peer_group=world["group"]).latest("pk")  # _more's
    assessment_services.contribution_request(actor=cast["alice"], assessment=second, agency=agencies["school"],
                                             question="And now?", due_on=timezone.localdate(), basis=LAWFUL)
    panel_services.action_add(actor=cast["colin"], item=world["item"], description="Another for the police",
                              owner_agency=agencies["police"], due_on=timezone.localdate() + timedelta(days=20))
    after = _write_counts(cast, agencies, world, police, school)
    assert before == after, f"write query counts grew with the rows: {before} then {after}"
    assert after == PINNED_WRITES, after
