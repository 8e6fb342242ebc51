"""The dashboard's sections about assessments (registered with safeguarding.dashboard)."""

from django.urls import reverse

from safeguarding.dashboard import Row, Section, register

from . import selectors
from .models import AssessmentStatus, RequestStatus


def _assessment_row(a, *, by: bool = False) -> Row:
    detail = f"AS-{a.pk}, {a.get_status_display().lower()}"
    if by:
        detail += f", by {a.lead_author}"
    tags = ((f"{a.overdue_requests} request{'s' if a.overdue_requests != 1 else ''} overdue", "red"),) \
        if a.overdue_requests else ()
    return Row(text=f"{a.framework_version.framework.name}: {a.subject}", href=reverse("assessment", args=[a.pk]),
               detail=detail, tags=tags)


def _drafts(user, limit):
    return [_assessment_row(a) for a in selectors.my_unfinished(user)[:limit]]


def _to_approve(user, limit):
    return [_assessment_row(a, by=True) for a in selectors.waiting_for_approval(user)[:limit]]


def _open_requests(user):
    return selectors.requests_to_my_agency(user).filter(status=RequestStatus.REQUESTED)


def _requests(user, limit):
    return [Row(text=f"{r.assessment.framework_version.framework.name}: {r.assessment.subject}",
                href=reverse("contribution", args=[r.pk]), detail=f"Asked by {r.assessment.owning_agency}",
                due_on=r.due_on, due_word="Respond")
            for r in _open_requests(user)[:limit]]


register(Section(
    key="my-drafts", title="Your unfinished assessments", rule="assessments.can_write_assessments", order=30,
    rows=_drafts, count=lambda user: selectors.my_unfinished(user).count(), noun="of your assessments",
    link="assessments", link_query="?mine=1", empty="You have no draft or returned assessments."))

register(Section(
    key="to-approve", title="Waiting for your approval", rule="assessments.can_approve_assessments", order=35,
    rows=_to_approve, count=lambda user: selectors.waiting_for_approval(user).count(),
    noun="assessments submitted", link="assessments", link_query=f"?status={AssessmentStatus.SUBMITTED}",
    empty="No assessment is waiting for your approval."))

register(Section(
    key="requests", title="Requests to your agency", rule="assessments.can_answer_contributions", order=60,
    rows=_requests, count=lambda user: _open_requests(user).count(), noun="open requests",
    link="contributions", empty="Nothing is waiting for your agency to answer."))
