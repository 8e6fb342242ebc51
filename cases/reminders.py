"""Cases' reminders, run by the kernel's daily job (safeguarding.reminders): reviews due, and young people
from 17 with no transition plan (transitional safeguarding: plan the handover to adult services well ahead, sooner
where an NRM decision is awaited), and referrals overdue for
a decision at the front door."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from safeguarding import notifications
from safeguarding.reminders import Run, link, reminder
from safeguarding.roles import Perm

from . import referrals, transitions
from .models import (
    MAX_AGE_YEARS,
    Case,
    CaseStatus,
    ChronologyEntry,
    EntryKind,
    Referral,
    TransitionPlan,
)

# An NRM referral on the chronology: remind this long before 18 whatever TRANSITION_PLAN_FROM_AGE says.
NRM_TURNING_18_WITHIN = timedelta(days=100)
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
    """Lead practitioners of open cases with no transition plan whose young person is from
    ``TRANSITION_PLAN_FROM_AGE`` (17) to 25, and, sooner, of any who has an NRM referral on their chronology and turns
    18 within ``NRM_TURNING_18_WITHIN``: a National Referral Mechanism decision can take months, and one that comes
    after 18 changes who supports them, so their plan is needed now."""
    today = run.today
    nrm = ChronologyEntry.objects.filter(case=OuterRef("pk"), kind=EntryKind.NRM_REFERRAL)
    due = Q(young_person__date_of_birth__lte=transitions.years_before(today, transitions.plan_from_age()))
    nrm_due = Q(Exists(nrm), young_person__date_of_birth__lte=transitions.years_before(
        today + NRM_TURNING_18_WITHIN, 18))
    cases = (Case.objects.filter(status=CaseStatus.OPEN,
                                 young_person__date_of_birth__gt=transitions.years_before(today, MAX_AGE_YEARS + 1))
             .filter(due | nrm_due).exclude(Exists(TransitionPlan.objects.filter(case=OuterRef("pk"))))
             .annotate(has_nrm=Exists(nrm)).select_related("lead_practitioner", "young_person"))
    sent = 0
    for case in cases.iterator():
        born = case.young_person.date_of_birth
        birthday = born.replace(year=born.year + 18) if (born.month, born.day) != (2, 29) else born.replace(
            year=born.year + 18, day=28)
        when = f"turns 18 on {birthday:%-d %B %Y}" if birthday > today else f"is {transitions.age_on(born, today)}"
        nrm_note = (" There is an NRM referral on the chronology: a decision that comes after 18 changes who "
                    "supports them, so agree the plan now." if case.has_nrm else "")
        sent += run.remind("turning_18", case.pk, case.lead_practitioner, f"Transition planning: {case.reference}",
                           f"The young person on case {case.reference} {when} and has no transition plan. Plan the "
                           f"handover to adult services with them.{nrm_note}\n"
                           f"{link(reverse('transition', args=[case.pk]))}")
    return sent


@reminder
def referrals_overdue(run: Run) -> int:
    """A lead authority's team managers (those who triage), for every referral of any kind waiting past its
    decide-by date. The email names no one: the referral's reference and where to look."""
    sent, managers = 0, {}
    for kind in referrals.KINDS.values():
        waiting = kind.model.objects.filter(Referral.overdue(run.today))
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
