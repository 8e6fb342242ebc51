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


def _section_of(definition, key):
    return next(s for s in frameworks.task_sections(definition) if any(q.key == key for q in s.questions))


def _section_data(section, values: dict, version: int, action="continue") -> dict:
    data = {"version": version, "action": action, "seen": frameworks.fingerprint(section, {})}
    data.update(_post_data({k: v for k, v in values.items() if any(q.key == k for q in section.questions)},
                           version, action))
    data.pop("priority", None), data.pop("priority_reason", None)
    if section is frameworks.OUTCOME:
        data.update({k: values[k] for k in ("priority", "priority_reason") if k in values})
    return data


def test_the_form_keeps_what_was_typed_when_an_answer_is_refused(client, alice, draft):
    definition = draft.framework_version.definition
    scale = next(q for q in frameworks.questions(definition).values() if q.type == "scale")
    section = _section_of(definition, scale.key)
    text = next(q for q in section.questions if q.type == "text")
    client_for(client, alice)
    url = reverse("assessment-section", args=[draft.pk, section.key])
    response = client.post(url, _section_data(section, {scale.key: "99", text.key: "Two older men were seen offering "
                                                        "lifts."}, draft.version))
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Two older men were seen offering lifts." in page
    draft.refresh_from_db()
    assert draft.answers == {} and draft.version == 1


def test_submitting_is_offered_only_once_every_required_question_is_answered(client, alice, draft):
    client_for(client, alice)
    voice = _section_of(draft.framework_version.definition, "voice_young_people")
    response = client.post(reverse("assessment-section", args=[draft.pk, "voice"]),
                           _section_data(voice, {"voice_young_people": "They want the lights fixed."}, draft.version,
                                         action="later"))
    assert response.status_code == 302 and response["Location"] == reverse("assessment-edit", args=[draft.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Submit for approval</button>" not in page and "1 required question unanswered" in page
    refused = client.post(reverse("assessment-edit", args=[draft.pk]), {"version": draft.version + 1})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "govuk-error-summary" in text
    assert f'href="{reverse("assessment-section", args=[draft.pk, "outcome"])}"' in text
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.answers == {"voice_young_people": "They want the lights fixed."}  # saved, not lost


def test_a_complete_assessment_is_submitted_then_approved_by_a_team_manager(client, alice, mandy, draft):
    definition = draft.framework_version.definition
    answers = complete_answers(definition)
    values = {**answers, "priority": "Lighting and guardianship on the path",
              "priority_reason": "Young people are approached on the unlit path."}
    client_for(client, alice)
    sections = frameworks.task_sections(definition)
    for i, section in enumerate(sections):
        draft.refresh_from_db()
        response = client.post(reverse("assessment-section", args=[draft.pk, section.key]),
                               _section_data(section, values, draft.version))
        assert response.status_code == 302, response.content.decode()
        following = sections[i + 1].key if i + 1 < len(sections) else None
        assert response["Location"] == (reverse("assessment-section", args=[draft.pk, following]) if following
                                        else reverse("assessment-edit", args=[draft.pk]))
    draft.refresh_from_db()
    page = client.get(reverse("assessment-edit", args=[draft.pk])).content.decode()
    assert f"{len(sections)} of {len(sections)} sections completed" in page and "Submit for approval</button>" in page
    response = client.post(reverse("assessment-edit", args=[draft.pk]), {"version": draft.version})
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
    voice = _section_of(draft.framework_version.definition, "voice_young_people")
    client_for(client, mandy)
    response = client.post(reverse("assessment-section", args=[draft.pk, "voice"]),
                           _section_data(voice, {"voice_young_people": "Mandy's notes"}, 1))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this record" in page and "Mandy&#x27;s notes" in page
    first.refresh_from_db()
    assert first.answers == {"voice_young_people": "Alice's notes"}


def test_saving_one_section_keeps_another_persons_edit_to_a_different_section(client, alice, mandy, draft):
    """Both opened the draft at version 1; Alice saves the outcome, then Mandy the voice section: both are kept."""
    definition = draft.framework_version.definition
    voice = _section_of(definition, "voice_young_people")
    client_for(client, alice)
    assert client.post(reverse("assessment-section", args=[draft.pk, "outcome"]), _section_data(
        frameworks.OUTCOME, {"priority": "The unlit path", "priority_reason": "Approaches happen there."}, 1,
        action="later")).status_code == 302
    client_for(client, mandy)
    assert client.post(reverse("assessment-section", args=[draft.pk, "voice"]), _section_data(
        voice, {"voice_young_people": "Mandy's notes"}, 1, action="later")).status_code == 302
    draft.refresh_from_db()
    assert draft.priority == "The unlit path" and draft.answers == {"voice_young_people": "Mandy's notes"}
    assert draft.version == 3


def test_a_section_that_does_not_exist_is_not_found_and_a_submitted_one_is_not_edited(client, alice, mandy, draft):
    client_for(client, alice)
    assert client.get(reverse("assessment-section", args=[draft.pk, "no_such_section"])).status_code == 404
    done = submitted(draft, alice)
    response = client.get(reverse("assessment-section", args=[done.pk, "voice"]))
    assert response.status_code == 302 and response["Location"] == reverse("assessment", args=[done.pk])


def test_the_task_list_shows_each_sections_state_and_progress(client, alice, draft):
    definition = draft.framework_version.definition
    answers = complete_answers(definition)
    first = frameworks.task_sections(definition)[0]
    some = {q.key: answers[q.key] for q in first.questions}
    services.assessment_save(actor=alice, assessment=draft, expected_version=1,
                             answers={**some, "voice_parents": "They worry about the park."})
    client_for(client, alice)
    page = client.get(reverse("assessment-edit", args=[draft.pk])).content.decode()
    total = len(frameworks.task_sections(definition))
    assert 'class="govuk-task-list"' in page and f"1 of {total} sections completed" in page
    assert "In progress" in page and "Not yet started" in page and "2 required questions unanswered" in page
    section = client.get(reverse("assessment-section", args=[draft.pk, "voice"])).content.decode()
    assert "What have young people said? (required)" in section and "Save and come back later" in section


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


def _factor_section(definition):
    return next(s for s in frameworks.task_sections(definition) if any(q.type == "factors" for q in s.questions))


def test_add_another_factor_without_javascript_sends_the_form_back_with_a_row_more_saving_nothing(client, alice,
                                                                                                  draft):
    section = _factor_section(draft.framework_version.definition)
    key = next(q.key for q in section.questions if q.type == "factors")
    client_for(client, alice)
    url = reverse("assessment-section", args=[draft.pk, section.key])
    page = client.get(url).content.decode()
    assert 'data-module="moj-add-another"' in page and f'data-name="{key}-%index%-kind"' in page
    assert f'name="{key}-0-kind"' in page and f'name="{key}-1-kind"' not in page  # one blank row to start
    data = _section_data(section, {}, draft.version)
    data.update({"add": key, f"{key}-0-kind": "risk", f"{key}-0-description": "Older men offer lifts at the gate"})
    page = client.post(url, data).content.decode()
    assert f'name="{key}-1-kind"' in page and "Older men offer lifts at the gate" in page
    assert "govuk-error-summary" not in page
    draft.refresh_from_db()
    assert draft.version == 1 and draft.answers == {}


def test_remove_a_factor_without_javascript_sends_the_form_back_without_it_saving_nothing(client, alice, draft):
    section = _factor_section(draft.framework_version.definition)
    key = next(q.key for q in section.questions if q.type == "factors")
    client_for(client, alice)
    url = reverse("assessment-section", args=[draft.pk, section.key])
    data = _section_data(section, {}, draft.version)
    data.update({f"{key}-0-kind": "risk", f"{key}-0-description": "Older men offer lifts at the gate",
                 f"{key}-1-kind": "guardian", f"{key}-1-description": "The shop owner looks out for them"})
    page = client.post(url, {**data, "add": key}).content.decode()
    assert f'name="remove" value="{key}-1"' in page  # a Remove button on each row when there are several
    page = client.post(url, {**data, "remove": f"{key}-0"}).content.decode()
    assert "Older men offer lifts" not in page and "The shop owner looks out for them" in page
    assert f'name="{key}-0-kind"' in page and "govuk-error-summary" not in page
    draft.refresh_from_db()
    assert draft.version == 1 and draft.answers == {}


def test_rows_added_in_the_page_are_saved_and_each_row_has_its_own_errors(client, alice, draft):
    section = _factor_section(draft.framework_version.definition)
    key = next(q.key for q in section.questions if q.type == "factors")
    client_for(client, alice)
    url = reverse("assessment-section", args=[draft.pk, section.key])
    data = _section_data(section, {}, draft.version)
    data.update({f"{key}-0-kind": "risk", f"{key}-0-description": "Older men offer lifts",
                 f"{key}-1-kind": "", f"{key}-1-description": "A shop owner who looks out for them"})
    refused = client.post(url, data)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f'href="#id_{key}-1-kind"' in page and f'href="#id_{key}-0-kind"' not in page
    assert page.count("Select whether the factor is a risk") == 2  # in the summary, and at the row
    data[f"{key}-1-kind"] = "guardian"
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert [row["kind"] for row in draft.answers[key]] == ["risk", "guardian"]
