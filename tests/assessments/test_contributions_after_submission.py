"""Contributions cannot dead-end: submitting or approving lists the requests still waiting and asks to confirm; a
request still open afterwards can be answered, as an addendum the author and the approver are told of; the partner
always sees what became of the request and how to reach the people behind the assessment."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import frameworks, services
from assessments.models import AddedAfter, AssessmentStatus, ContributionRequest, RequestStatus
from safeguarding.models import AuditAction, AuditEvent, Notification, NotificationKind, OutboxJob
from safeguarding.tasks import email_send
from tests.conftest import LAWFUL, LAWFUL_FORM

from ..conftest import client_for
from .conftest import approved, complete_answers, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(alice, draft, agencies):
    """The police are asked about the park; the answer is due in a week."""
    return services.contribution_request(actor=alice, assessment=draft, agency=agencies["police"],
                                         question="What do your patrols see at the park after 8pm?",
                                         due_on=timezone.localdate() + timedelta(days=7), basis=LAWFUL)


@pytest.fixture
def overdue(alice, draft, agencies, asked):
    """The school was asked too, and its answer is overdue."""
    late = services.contribution_request(actor=alice, assessment=draft, agency=agencies["school"],
                                         question="Which pupils cross the park?",
                                         due_on=timezone.localdate() + timedelta(days=1), basis=LAWFUL)
    ContributionRequest.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    return late


def _complete(draft, alice):
    return services.assessment_save(actor=alice, assessment=draft, expected_version=draft.version,
                                    answers=complete_answers(draft.framework_version.definition),
                                    priority="Guardianship at the park after dark",
                                    priority_reason="Most incidents happen after 8pm when no adult is present.")


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


def test_submitting_with_requests_waiting_is_refused_naming_them_until_the_author_confirms(alice, draft, overdue):
    complete = _complete(draft, alice)
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(actor=alice, assessment=complete, expected_version=complete.version)
    message = refused.value.message_dict["pending_confirmed"][0]
    assert "Northfield Police (due" in message and "Northfield Academy (due" in message and "overdue" in message
    complete.refresh_from_db()
    assert complete.status == AssessmentStatus.DRAFT and complete.submitted_at is None
    done = services.assessment_submit(actor=alice, assessment=complete, expected_version=complete.version,
                                      pending_confirmed=True)
    assert done.status == AssessmentStatus.SUBMITTED
    event = AuditEvent.objects.get(action=AuditAction.SUBMIT, target_id=str(done.pk))
    assert len(event.detail["pending_requests"]) == 2


def test_the_edit_page_lists_the_requests_waiting_and_submits_only_once_confirmed(client, alice, draft, overdue):
    complete = _complete(draft, alice)
    client_for(client, alice)
    url = reverse("assessment-edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "2 agencies have not responded yet" in page
    assert "Northfield Police" in page and "Northfield Academy" in page and "Overdue" in page
    assert 'name="pending_confirmed"' in page
    refused = client.post(url, {"version": complete.version})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "govuk-error-summary" in text and "have not responded yet. Confirm that you want to submit" in text
    complete.refresh_from_db()
    assert complete.status == AssessmentStatus.DRAFT
    assert client.post(url, {"version": complete.version, "pending_confirmed": "on"}).status_code == 302
    complete.refresh_from_db()
    assert complete.status == AssessmentStatus.SUBMITTED


def test_approving_with_requests_waiting_is_refused_until_the_manager_confirms(client, alice, mandy, draft, asked):
    done = submitted(draft, alice)
    with pytest.raises(ValidationError, match="Northfield Police"):
        services.assessment_decide(actor=mandy, assessment=done, expected_version=done.version, approve=True)
    # Returning it needs no confirming: the author can wait for the answer before submitting again.
    client_for(client, mandy)
    url = reverse("assessment", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "1 agency has not responded yet" in page and "Approve without waiting for them" in page
    refused = client.post(reverse("assessment-decide", args=[draft.pk]), {"version": done.version,
                                                                            "decision": "approve"})
    assert refused.status_code == 400
    assert "Northfield Police (due" in refused.content.decode() and "Confirm that you want to approve" in (
        refused.content.decode())
    done.refresh_from_db()
    assert done.status == AssessmentStatus.SUBMITTED
    assert client.post(reverse("assessment-decide", args=[draft.pk]), {
        "version": done.version, "decision": "approve", "pending_confirmed": "on"}).status_code == 302
    done.refresh_from_db()
    assert done.status == AssessmentStatus.APPROVED


def test_nothing_waiting_needs_no_confirming(alice, mandy, draft):
    done = approved(draft, alice, mandy, pending_confirmed=False)
    assert done.status == AssessmentStatus.APPROVED


# --- Answers after submission or approval are addenda --------------------------------------------------------------

def test_an_answer_after_approval_is_an_addendum_on_the_page_and_in_the_pdf_and_the_author_and_approver_are_told(
        client, alice, mandy, pete, draft, asked):
    done = approved(draft, alice, mandy)
    answered = services.contribution_answer(actor=pete, contribution=asked, expected_version=asked.version,
                                            response="Older males were seen at the gate on three Fridays.",
                                                basis=LAWFUL)
    assert answered.status == RequestStatus.ANSWERED and answered.added_after == AddedAfter.APPROVED
    assert answered.added_after_at == done.decided_at
    label = f"Added after the assessment was approved on {timezone.localtime(done.decided_at):%-d %B %Y}"
    assert answered.addendum_label == label
    told = Notification.objects.filter(kind=NotificationKind.CONTRIBUTION_ADDED)
    assert sorted(n.recipient.username for n in told) == ["alice", "mandy"]
    assert all("Northfield Police" in n.title and f"AS-{done.pk}" in n.title for n in told)
    emails = OutboxJob.objects.filter(task=email_send.name, key__in=[f"notification:{n.pk}" for n in told])
    assert sorted(job.args[2][0] for job in emails) == ["alice@example.org", "mandy@example.org"]
    assert all("Eastgate Park" not in job.args[0] + job.args[1] for job in emails)  # an email names no record

    client_for(client, alice)
    page = client.get(reverse("assessment", args=[done.pk])).content.decode()
    assert label in page and "Answered as an addendum" in page and "Older males were seen at the gate" in page
    pdf = client.get(reverse("assessment-pdf", args=[done.pk]))
    text = _pdf_text(pdf.content)
    assert "Addenda: contributions added later" in text and label in text
    assert "Older males were seen at the gate on three Fridays." in text


def test_an_answer_after_submission_is_labelled_so_and_only_the_author_is_told(alice, pete, draft, asked):
    done = submitted(draft, alice)
    answered = services.contribution_answer(actor=pete, contribution=asked, expected_version=asked.version,
                                            response="Two patrols a week.", basis=LAWFUL)
    assert answered.added_after == AddedAfter.SUBMITTED and answered.added_after_at == done.submitted_at
    assert answered.addendum_label.startswith("Added after the assessment was submitted on ")
    told = Notification.objects.filter(kind=NotificationKind.CONTRIBUTION_ADDED)
    assert [n.recipient.username for n in told] == ["alice"]


def test_an_answer_while_the_assessment_is_written_is_no_addendum(alice, pete, draft, asked):
    answered = services.contribution_answer(actor=pete, contribution=asked, expected_version=asked.version,
                                            response="Two patrols a week.", basis=LAWFUL)
    assert not answered.is_addendum and answered.addendum_label == ""
    assert not Notification.objects.filter(kind=NotificationKind.CONTRIBUTION_ADDED).exists()


def test_a_withdrawn_request_cannot_be_answered(client, alice, pete, draft, asked):
    services.contribution_withdraw(actor=alice, contribution=asked)
    withdrawn = ContributionRequest.objects.get(pk=asked.pk)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.contribution_answer(actor=pete, contribution=withdrawn, expected_version=withdrawn.version,
                                     response="Too late", basis=LAWFUL)
    client_for(client, pete)
    page = client.get(reverse("contribution", args=[asked.pk])).content.decode()
    assert "Withdrawn" in page and 'name="response"' not in page and "mailto:alice@example.org" in page
    refused = client.post(reverse("contribution", args=[asked.pk]), {"version": withdrawn.version,
                                                                       "response": "Too late"})
    assert refused.status_code == 409
    withdrawn.refresh_from_db()
    assert withdrawn.status == RequestStatus.WITHDRAWN and withdrawn.response == ""
    listing = client.get(reverse("contributions")).content.decode()
    assert "Withdrawn" in listing  # what became of it, not a silent disappearance


# --- What the partner sees ---------------------------------------------------------------------------------------

def test_the_partner_sees_a_true_state_and_how_to_reach_the_author_and_approver(client, alice, mandy, pete, draft,
                                                                              asked):
    approved(draft, alice, mandy)
    client_for(client, pete)
    listing = client.get(reverse("contributions")).content.decode()
    assert "Waiting for you" in listing and "Assessment: Approved on" in listing
    assert 'href="mailto:alice@example.org"' in listing and 'href="mailto:mandy@example.org"' in listing
    page = client.get(reverse("contribution", args=[asked.pk])).content.decode()
    assert "no longer be added" not in page  # the old dead end
    assert 'href="mailto:alice@example.org"' in page and 'href="mailto:mandy@example.org"' in page
    assert "Approved by" in page and "added to it as an addendum" in page and 'name="response"' in page
    assert client.post(reverse("contribution", args=[asked.pk]), {
        "version": asked.version, "response": "Older males at the gate.", **LAWFUL_FORM}).status_code == 302
    page = client.get(reverse("contribution", args=[asked.pk])).content.decode()
    assert "Answered as an addendum" in page and "Added after the assessment was approved on" in page
    listing = client.get(reverse("contributions")).content.decode()
    assert "Answered as an addendum" in listing


# --- The PDF prints no empty section ------------------------------------------------------------------------------

def test_the_pdf_prints_no_empty_section(client, alice, mandy, draft):
    definition = draft.framework_version.definition
    optional = [q for q in frameworks.questions(definition).values() if not q.required]
    answers = {key: value for key, value in complete_answers(definition).items()
               if key not in {q.key for q in optional}}
    saved = services.assessment_save(actor=alice, assessment=draft, expected_version=draft.version, answers=answers,
                                     priority="Guardianship at the park after dark", priority_reason="After 8pm.")
    saved = services.assessment_submit(actor=alice, assessment=saved, expected_version=saved.version)
    done = services.assessment_decide(actor=mandy, assessment=saved, expected_version=saved.version, approve=True)
    client_for(client, alice)
    text = _pdf_text(client.get(reverse("assessment-pdf", args=[done.pk])).content)
    for empty in ("Contributions from agencies", "Addenda", "Requests not answered", "None asked for",
                  "Not answered", "None recorded", "Change over time", *(q.label for q in optional)):
        assert empty not in text, empty
    assert "Guardianship at the park after dark" in text


def test_a_section_with_nothing_answered_is_left_out_of_the_document(alice, draft):
    from assessments.views import _printed_rows

    first, *others = draft.framework_version.sections
    question = next(q for q in first.questions if q.type == "text")
    saved = services.assessment_save(actor=alice, assessment=draft, expected_version=draft.version,
                                     answers={question.key: "Seen by the youth workers."})
    printed = _printed_rows(saved)
    assert [block["section"].key for block in printed] == [first.key]
    assert [item["question"].key for item in printed[0]["items"]] == [question.key]


def test_the_pdf_lists_requests_never_answered(client, alice, mandy, pete, draft, asked, overdue):
    done = approved(draft, alice, mandy)
    services.contribution_answer(actor=pete, contribution=asked, expected_version=asked.version,
                                 response="Two patrols a week.", basis=LAWFUL)
    client_for(client, alice)
    text = _pdf_text(client.get(reverse("assessment-pdf", args=[done.pk])).content)
    assert "Requests not answered yet" in text and "Northfield Academy: asked" in text
    assert "Contributions from agencies" not in text  # the only answer came later: an addendum


def test_the_author_can_still_withdraw_a_request_no_longer_needed_after_submitting(client, alice, pete, draft, asked):
    done = submitted(draft, alice)
    client_for(client, alice)
    withdraw = reverse("contribution-withdraw", args=[asked.pk])
    assert withdraw in client.get(reverse("assessment", args=[done.pk])).content.decode()
    assert client.post(withdraw).status_code == 302
    asked.refresh_from_db()
    assert asked.status == RequestStatus.WITHDRAWN
    client_for(client, pete)
    assert "Withdrawn" in client.get(reverse("contribution", args=[asked.pk])).content.decode()


def test_an_incomplete_submission_says_what_is_missing_and_what_is_waiting_at_once(alice, draft, asked):
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(actor=alice, assessment=draft, expected_version=draft.version)
    errors = refused.value.message_dict
    assert "priority" in errors and "pending_confirmed" in errors
