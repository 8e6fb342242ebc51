"""Writing, saving, submitting and approving an assessment: nothing typed is lost, and nothing is overwritten."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import frameworks, services
from assessments.models import Assessment, AssessmentStatus
from safeguarding.models import AuditAction, AuditEvent
from safeguarding.versioning import EditConflict

from ..conftest import client_for
from .conftest import approved, complete_answers, submitted

pytestmark = pytest.mark.django_db


def _post_data(form_answers: dict, version: int, action="save", **extra) -> dict:
    data = {"version": version, "action": action, "priority": "", "priority_reason": "", **extra}
    for key, value in form_answers.items():
        if isinstance(value, list):
            for i, row in enumerate(value):
                for part, text in row.items():
                    data[f"{key}-{i}-{part}"] = text
        else:
            data[key] = value
    return data


def test_a_part_done_draft_always_saves(alice, draft):
    saved = services.assessment_save(actor=alice, assessment=draft, expected_version=draft.version,
                                     answers={"voice_young_people": "They said the park feels safer by day."})
    assert saved.answers == {"voice_young_people": "They said the park feels safer by day."}
    assert saved.status == AssessmentStatus.DRAFT and saved.version == draft.version + 1


def test_answers_the_template_does_not_allow_are_refused_field_by_field_and_the_draft_is_kept(alice, draft):
    definition = draft.framework_version.definition
    scale = next(q for q in frameworks.questions(definition).values() if q.type == "scale")
    rag = next(q for q in frameworks.questions(definition).values() if q.type == "rag")
    factors = next(q for q in frameworks.questions(definition).values() if q.type == "factors")
    kept = services.assessment_save(actor=alice, assessment=draft, expected_version=draft.version,
                                    answers={rag.key: "green"})
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(actor=alice, assessment=kept, expected_version=kept.version, answers={
            scale.key: scale.scale[1] + 5, rag.key: "purple", "no_such_question": "x",
            factors.key: [{"kind": "rumour", "description": "", "evidence": "", "source": "x"}]})
    errors = refused.value.message_dict
    assert f"choose a number from {scale.scale[0]} to {scale.scale[1]}" in errors[scale.key][0]
    assert "choose one of the options" in errors[rag.key][0]
    assert "no_such_question" in errors
    assert f"{factors.key}-0-kind" in errors and f"{factors.key}-0-description" in errors
    kept.refresh_from_db()
    assert kept.answers == {rag.key: "green"}


def test_the_form_keeps_what_was_typed_when_an_answer_is_refused(client, alice, draft):
    definition = draft.framework_version.definition
    scale = next(q for q in frameworks.questions(definition).values() if q.type == "scale")
    text = next(q for q in frameworks.questions(definition).values() if q.type == "text")
    client_for(client, alice)
    url = reverse("assessment-edit", args=[draft.pk])
    response = client.post(url, {"version": draft.version, "action": "save", scale.key: "99",
                                 text.key: "Two older men were seen offering lifts."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Two older men were seen offering lifts." in page
    draft.refresh_from_db()
    assert draft.answers == {} and draft.version == 1


def test_submitting_needs_every_required_answer_and_the_weighting_but_saves_the_draft(client, alice, draft):
    client_for(client, alice)
    url = reverse("assessment-edit", args=[draft.pk])
    response = client.post(url, {"version": draft.version, "action": "submit",
                                 "voice_young_people": "They want the lights fixed."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter what must change first" in page and "Enter an answer to: What will be fed back" in page
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.answers == {"voice_young_people": "They want the lights fixed."}  # saved, not lost
    assert f'name="version" value="{draft.version}"' in page  # the next save continues from the saved draft


def test_a_complete_assessment_is_submitted_then_approved_by_a_team_manager(client, alice, mandy, draft):
    answers = complete_answers(draft.framework_version.definition)
    client_for(client, alice)
    response = client.post(reverse("assessment-edit", args=[draft.pk]), _post_data(
        answers, draft.version, action="submit", priority="Lighting and guardianship on the path",
        priority_reason="Young people are approached on the unlit path."))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED and draft.answers == answers
    with pytest.raises(ValidationError):  # no more edits once submitted
        services.assessment_save(actor=alice, assessment=draft, expected_version=draft.version, answers={})
    with pytest.raises(PermissionDenied):  # a social worker cannot approve
        services.assessment_decide(actor=alice, assessment=draft, expected_version=draft.version, approve=True)
    client_for(client, mandy)
    page = client.get(reverse("assessment", args=[draft.pk])).content.decode()
    assert "Approve or return" in page
    no_reason = client.post(reverse("assessment-decide", args=[draft.pk]),
                            {"version": draft.version, "decision": "return", "comments": ""})
    assert no_reason.status_code == 400 and "Say what needs to change" in no_reason.content.decode()
    assert client.post(reverse("assessment-decide", args=[draft.pk]),
                       {"version": draft.version, "decision": "approve"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.APPROVED and draft.decided_by == mandy
    actions = set(AuditEvent.objects.filter(target_id=str(draft.pk), target_type__model="assessment")
                  .values_list("action", flat=True))
    assert {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.SUBMIT, AuditAction.APPROVE} <= actions


def test_a_returned_assessment_goes_back_to_its_author_to_change(alice, mandy, draft):
    done = submitted(draft, alice)
    returned = services.assessment_decide(actor=mandy, assessment=done, expected_version=done.version,
                                          approve=False, comments="Add what the school said.")
    assert returned.status == AssessmentStatus.RETURNED and returned.is_editable
    again = services.assessment_save(actor=alice, assessment=returned, expected_version=returned.version,
                                     answers={**returned.answers, "voice_community": "The school's view: ..."})
    assert services.assessment_submit(actor=alice, assessment=again, expected_version=again.version).status == (
        AssessmentStatus.SUBMITTED)


def test_no_one_approves_their_own_assessment(mandy, park, neighbourhood):
    own = services.assessment_start(actor=mandy, subject=park, framework=neighbourhood)
    own = submitted(own, mandy)
    with pytest.raises(ValidationError, match="Someone other than the author"):
        services.assessment_decide(actor=mandy, assessment=own, expected_version=own.version, approve=True)


def test_two_people_editing_one_assessment_lose_nothing(client, alice, mandy, draft):
    first = services.assessment_save(actor=alice, assessment=draft, expected_version=1,
                                     answers={"voice_young_people": "Alice's notes"})
    with pytest.raises(EditConflict):
        services.assessment_save(actor=mandy, assessment=draft, expected_version=1,
                                 answers={"voice_young_people": "Mandy's notes"})
    client_for(client, mandy)
    response = client.post(reverse("assessment-edit", args=[draft.pk]),
                           {"version": 1, "action": "save", "voice_young_people": "Mandy's notes"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this record" in page and "Mandy&#x27;s notes" in page
    first.refresh_from_db()
    assert first.answers == {"voice_young_people": "Alice's notes"}


def test_an_assessment_must_fit_its_subject(alice, park, group, neighbourhood):
    from assessments.models import Framework

    with pytest.raises(ValidationError):
        services.assessment_start(actor=alice, subject=group, framework=neighbourhood)
    with pytest.raises(ValidationError):
        services.assessment_start(actor=alice, subject=park, framework=Framework.objects.get(key="school"))
    assert Assessment.objects.count() == 0


def test_measured_change_shows_domains_side_by_side_with_a_chart(client, alice, mandy, park, neighbourhood):
    first = approved(services.assessment_start(actor=alice, subject=park, framework=neighbourhood), alice, mandy,
                     rag="red", scale_at=0.0)
    Assessment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=180))
    second = approved(services.assessment_start(actor=alice, subject=park, framework=neighbourhood), alice, mandy,
                      rag="green", scale_at=1.0)
    definition = second.framework_version.definition
    assert all(score == 0 for score in frameworks.scores(definition, first.answers).values())
    assert all(score == 100 for score in frameworks.scores(definition, second.answers).values())
    client_for(client, alice)
    page = client.get(reverse("assessment-change", args=[second.pk])).content.decode()
    assert page.count("<polyline") == len(frameworks.scores(definition, second.answers))
    assert "Domain scores, side by side" in page and ">0<" in page and ">100<" in page


def test_an_approved_assessment_downloads_as_a_pdf_and_the_download_is_audited(client, alice, mandy, draft):
    from io import BytesIO

    from pypdf import PdfReader

    client_for(client, alice)
    assert client.get(reverse("assessment-pdf", args=[draft.pk])).status_code == 404  # drafts are not printed
    done = approved(draft, alice, mandy)
    response = client.get(reverse("assessment-pdf", args=[done.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "OFFICIAL-SENSITIVE" in text and "Eastgate Park" in text and "Page 1 of" in text
    assert "Guardianship at the park after dark" in text
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, target_id=str(done.pk)).count() == 1


def test_an_error_on_radios_links_to_the_first_option_which_exists(client, alice, park):
    client_for(client, alice)
    page = client.post(reverse("assessment-start", args=["place", park.pk]), {"framework": ""}).content.decode()
    assert 'href="#id_framework_1"' in page and 'id="id_framework_1"' in page
