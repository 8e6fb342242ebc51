"""Writes through the API go through the services: a chronology entry (contribute level), an answer to a contribution
request, progress on an action. Each is audited as the client; a stale If-Match is 412 and changes nothing; a
missing one 428; a retried create with its Idempotency-Key creates once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import ContributionRequest, Framework
from cases.models import ChronologyEntry
from panels import services as panel_services
from panels.models import Action, ActionUpdate, PanelKind
from safeguarding import access
from safeguarding.lawful import MISSING
from safeguarding.models import AuditAction, AuditEvent, Disclosure, DisclosureCause
from tests.conftest import LAWFUL, LAWFUL_FORM

from .conftest import register

pytestmark = pytest.mark.django_db

ENTRIES = reverse("api:chronology-entries-list")


def _entry(case, **extra):
    return {"case": case.pk, "kind": "incident", "occurred_at": "2026-10-14T16:30:00+01:00",
            "text": "Stopped near the station at 4pm with two older males.", **extra}


def test_a_partner_adds_a_chronology_entry_as_its_agency(callers, shared_case, agencies):
    police = callers["police"]
    response = police.post(ENTRIES, _entry(shared_case))
    assert response.status_code == 201, response.content
    body = response.json()
    entry = ChronologyEntry.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/chronology-entries/{entry.pk}/" == body["url"]
    assert entry.agency == agencies["police"] and entry.author == police.client.user
    assert body["occurred_at"] == "2026-10-14T16:30:00+01:00"  # the service's zone, with its offset
    created = AuditEvent.objects.get(action=AuditAction.CREATE, target_type__model="chronologyentry",
                                     target_id=str(entry.pk))
    assert created.actor == police.client.user and created.detail["api_client"] == police.client.key_id


def test_a_retried_create_with_its_idempotency_key_creates_once(callers, shared_case):
    police = callers["police"]
    first = police.post(ENTRIES, _entry(shared_case), headers={"Idempotency-Key": "force-log-7781"})
    again = police.post(ENTRIES, _entry(shared_case), headers={"Idempotency-Key": "force-log-7781"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert ChronologyEntry.objects.filter(case=shared_case).count() == 1
    other = police.post(ENTRIES, _entry(shared_case, text="Something else"), headers={"Idempotency-Key":
                                                                                     "force-log-7781"})
    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    # Another client's key is its own.
    council = register(shared_case.owning_agency, name="Council system")
    assert council.post(ENTRIES, _entry(shared_case), headers={"Idempotency-Key": "force-log-7781"}).status_code == 201
    assert ChronologyEntry.objects.filter(case=shared_case).count() == 2


def test_a_failed_create_leaves_no_key_so_it_can_be_retried(callers, shared_case):
    police = callers["police"]
    refused = police.post(ENTRIES, _entry(shared_case, occurred_at="2099-01-01T00:00:00Z"),
                          headers={"Idempotency-Key": "retry-me"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"occurred_at": ["The date and time cannot be in the future."]}
    assert police.post(ENTRIES, _entry(shared_case), headers={"Idempotency-Key": "retry-me"}).status_code == 201


def test_refused_input_is_a_problem_with_a_field_map(callers, shared_case):
    response = callers["police"].post(ENTRIES, {"case": shared_case.pk, "kind": "séance", "occurred_at": "soon",
                                                "text": "bad\x00byte"})
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Bad Request" and problem["status"] == 400
    assert set(problem["errors"]) == {"kind", "occurred_at", "text"}
    naive = callers["police"].post(ENTRIES, _entry(shared_case, occurred_at="2026-10-14T16:30:00"))
    assert naive.status_code == 400 and "time zone" in naive.json()["errors"]["occurred_at"][0]
    assert not ChronologyEntry.objects.exists()


def test_a_view_only_partner_is_refused_403_and_an_outsider_404(callers, case, agencies):
    access.share(actor=case.created_by, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert callers["police"].post(ENTRIES, _entry(case)).status_code == 403
    assert callers["housing"].post(ENTRIES, _entry(case)).status_code == 404
    assert not ChronologyEntry.objects.exists()


@pytest.fixture
def contribution(alice, agencies, shipped_frameworks):
    from contexts import services as context_services
    from contexts.models import Place, PlaceKind

    place = context_services.context_create(actor=alice, model=Place, name="Eastgate Park", kind=PlaceKind.PARK)
    assessment = assessment_services.assessment_start(actor=alice, subject=place,
                                                      framework=Framework.objects.get(key="neighbourhood"))
    return assessment_services.contribution_request(
        actor=alice, assessment=assessment, agency=agencies["school"], question="What do pupils say?",
        due_on=timezone.localdate() + timedelta(days=7), basis=LAWFUL)


def test_the_agency_asked_answers_a_contribution_request_with_if_match(callers, contribution):
    school = callers["school"]
    url = reverse("api:contribution-requests-detail", args=[contribution.pk])
    answer = reverse("api:contribution-requests-answer", args=[contribution.pk])
    given = {"response": "Pupils avoid the park", **LAWFUL_FORM}
    etag = school.get(url)["ETag"]
    assert school.post(answer, given).status_code == 428
    assert school.post(answer, given, headers={"If-Match": '"99"'}).status_code == 412
    assert ContributionRequest.objects.get(pk=contribution.pk).response == ""
    done = school.post(answer, given, headers={"If-Match": etag})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "answered" and done["ETag"] != etag
    changed = {**given, "response": "Changed our mind"}
    again = school.post(answer, changed, headers={"If-Match": done["ETag"]})
    assert again.status_code == 409 and "already been answered" in again.json()["detail"]
    stale = school.post(answer, changed, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert ContributionRequest.objects.get(pk=contribution.pk).response == "Pupils avoid the park"
    # The police were not asked: they may not even see the request.
    assert callers["police"].post(answer, {"response": "x"}, headers={"If-Match": "*"}).status_code == 404


def test_an_answer_without_its_lawful_basis_is_refused_field_by_field(callers, contribution):
    """The answer discloses the school's information: the basis is required (the form's messages, as a problem's
    field errors), an agreement must be one in force between the two agencies, and nothing is written until it is."""
    school = callers["school"]
    answer = reverse("api:contribution-requests-answer", args=[contribution.pk])
    etag = f'"{contribution.version}"'
    refused = school.post(answer, {"response": "Pupils avoid the park"}, headers={"If-Match": etag})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    errors = refused.json()["errors"]
    assert set(errors) == {"lawful_basis", "special_category", "reason", "told"}
    assert errors["lawful_basis"] == [MISSING["lawful_basis"]]
    not_told = school.post(answer, {"response": "Pupils avoid the park", **LAWFUL_FORM, "told": "not_told"},
                           headers={"If-Match": etag})
    assert not_told.status_code == 400 and not_told.json()["errors"] == {"not_told_why": [MISSING["not_told_why"]]}
    unknown = school.post(answer, {"response": "Pupils avoid the park", **LAWFUL_FORM, "agreement": 987654},
                          headers={"If-Match": etag})
    assert unknown.status_code == 400 and set(unknown.json()["errors"]) == {"agreement"}
    wrong = school.post(answer, {"response": "Pupils avoid the park", **LAWFUL_FORM, "lawful_basis": "consent"},
                        headers={"If-Match": etag})
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"lawful_basis"}
    assert ContributionRequest.objects.get(pk=contribution.pk).response == ""
    assert not Disclosure.objects.filter(cause=DisclosureCause.CONTRIBUTION_ANSWER).exists()

    done = school.post(answer, {"response": "Pupils avoid the park", **LAWFUL_FORM}, headers={"If-Match": etag})
    assert done.status_code == 200, done.content
    recorded = Disclosure.objects.get(cause=DisclosureCause.CONTRIBUTION_ANSWER)
    assert (recorded.lawful_basis, recorded.told, recorded.reason) == (
        LAWFUL.lawful_basis, LAWFUL.told, LAWFUL.reason)
    assert recorded.from_agency == contribution.agency and recorded.made_by.api_client


def test_the_schema_shows_the_answer_s_lawful_basis(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    answer = schema["components"]["schemas"]["AnswerRequest"]
    assert {"response", "lawful_basis", "special_category", "reason", "told"} <= set(answer["required"])
    assert {"agreement", "not_told_why"} <= set(answer["properties"])


@pytest.fixture
def action(colin, pete, shared_case, agencies):
    panel = panel_services.panel_create(actor=colin, name="Northfield MACE", kind=PanelKind.MACE,
                                        member_agencies=[agencies["la"], agencies["police"]], chairs=[colin])
    meeting = panel_services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(days=3))
    item = panel_services.agenda_item_add(actor=colin, meeting=meeting, subject=shared_case.young_person,
                                           reason="Missing twice")
    return panel_services.action_add(actor=colin, item=item, description="Return home interview",
                                     owner_agency=agencies["police"], owner=pete,
                                     due_on=timezone.localdate() + timedelta(days=7))


def test_the_owning_agency_reports_progress_on_an_action(callers, action):
    police = callers["police"]
    url = reverse("api:actions-detail", args=[action.pk])
    progress = reverse("api:actions-progress", args=[action.pk])
    etag = police.get(url)["ETag"]
    assert police.post(progress, {"text": "Booked", "status": "in_progress"}).status_code == 428
    done = police.post(progress, {"text": "Booked for Tuesday", "status": "in_progress"}, headers={"If-Match": etag})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "in_progress" and done["ETag"] == '"2"'
    stale = police.post(progress, {"text": "Done", "status": "done"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert Action.objects.get(pk=action.pk).status == "in_progress"
    assert ActionUpdate.objects.filter(action=action).count() == 1
    assert callers["housing"].post(progress, {"text": "x", "status": "done"},
                                   headers={"If-Match": "*"}).status_code == 404
