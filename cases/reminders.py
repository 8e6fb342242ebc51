"""Cases' reminders, run by the kernel's daily job (safeguarding.reminders): reviews due, and young people
approaching 18 (transitional safeguarding: plan the handover to adult services well ahead), and referrals overdue for
a decision at the front door."""

from datetime import timedelta

from django.urls import reverse

from safeguarding import notifications
from safeguarding.reminders import Run, link, reminder
from safeguarding.roles import Perm

from . import referrals
from .models import Case, CaseStatus, ReferralStatus

TURNING_18_WITHIN = timedelta(days=183)
REVIEW_AHEAD = timedelta(days=7)


@reminder
def reviews_due(run: Run) -> int:
    """Lead practitioners of open cases whose review is due within a week (or overdue)."""
    sent = 0
    cases = Case.objects.filter(status=CaseStatus.OPEN, next_review_on__lte=run.today + REVIEW_AHEAD).select_related(
        "lead_practitioner")
    for case in cases.iterator():
        sent += run.remind("case_review", case.pk, case.lead_practitioner, f"Review due: {case.reference}",
                           f"The review of case {case.reference} is due on {case.next_review_on:%-d %B %Y}.\n"
                           f"{link(reverse('case', args=[case.pk]))}")
    return sent


@reminder
def turning_18(run: Run) -> int:
    """Lead practitioners of open cases whose young person turns 18 within six months: plan the transition."""
    today = run.today
    sent, horizon = 0, today + TURNING_18_WITHIN
    born_after = today.replace(year=today.year - 18)
    born_before = horizon.replace(year=horizon.year - 18) if not (horizon.month == 2 and horizon.day == 29) else (
        horizon.replace(year=horizon.year - 18, day=28))
    cases = Case.objects.filter(status=CaseStatus.OPEN, young_person__date_of_birth__gt=born_after,
                                young_person__date_of_birth__lte=born_before).select_related(
        "lead_practitioner", "young_person")
    for case in cases.iterator():
        birthday = case.young_person.date_of_birth.replace(year=case.young_person.date_of_birth.year + 18)
        sent += run.remind("turning_18", case.pk, case.lead_practitioner, f"Transition planning: {case.reference}",
                           f"The young person on case {case.reference} turns 18 on {birthday:%-d %B %Y}. Plan the "
                           f"handover to adult services with them.\n{link(reverse('case', args=[case.pk]))}")
    return sent


@reminder
def referrals_overdue(run: Run) -> int:
    """A lead authority's team managers (those who triage), for every referral of any kind waiting past its
    decide-by date. The email names no one: the referral's reference and where to look."""
    sent, managers = 0, {}
    for kind in referrals.KINDS.values():
        waiting = kind.model.objects.filter(status=ReferralStatus.WAITING, decide_by__lt=run.today)
        for referral in waiting.select_related("to_agency").iterator():
            agency = referral.to_agency
            if agency.pk not in managers:
                managers[agency.pk] = notifications.recipients(agency=agency, perm=Perm.TRIAGE)
            for manager in managers[agency.pk]:
                sent += run.remind("referral_overdue", referral.audit_label, manager,
                                   f"Referral overdue for a decision: {referral.audit_label}",
                                   f"Referral {referral.audit_label} was due a decision by "
                                   f"{referral.decide_by:%-d %B %Y}.\n{link(referrals.url(referral))}")
    return sent
