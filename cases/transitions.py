"""Transitional safeguarding: a case's plan for the move to adult services, and who aged 17 to 25 has one.

Harm does not stop at 18. From ``TRANSITION_PLAN_FROM_AGE`` (17 unless configured; earlier with a reason, such as a
National Referral Mechanism decision that may come after 18) the lead practitioner opens a plan: which adult services
agency, the named worker there, what continues past 18, the handover meeting and date. It is agreed, then handed over;
the case can stay open to 25 alongside adult services. The writes here follow ``cases.services``: keyword-only,
atomic, checked by the named rules in ``cases.policies``, audited.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from safeguarding import access, audit
from safeguarding.edits import changed, only
from safeguarding.models import AgencyKind, AuditAction
from safeguarding.versioning import lock_current

from . import policies
from .models import MAX_AGE_YEARS, Case, CaseStatus, TransitionPlan, TransitionStatus

PLAN_FIELDS = {"adult_agency", "adult_worker", "adult_worker_contact", "continues", "handover_on", "meeting_on",
               "notes"}
NO_PLAN = "none"
# The board's columns: no plan yet, then each stage of a plan.
BOARD_STATUSES = [(NO_PLAN, "No plan"), *TransitionStatus.choices]


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February becomes the 28th): born on or before it, one is ``years`` old."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def plan_from_age() -> int:
    return settings.TRANSITION_PLAN_FROM_AGE


def _check(plan: TransitionPlan):
    plan.full_clean()
    if plan.adult_agency.kind not in AgencyKind.adult_services() or not plan.adult_agency.is_active:
        raise ValidationError({"adult_agency": "Choose an active adult services agency."})


@transaction.atomic
def transition_plan_open(*, actor, case: Case, early_reason: str = "", **fields) -> TransitionPlan:
    """Open the case's transition plan. Before ``TRANSITION_PLAN_FROM_AGE`` only with a reason (say why now)."""
    policies.can_open_transition_plan.ensure(actor, case)
    case = Case.objects.select_for_update().select_related("young_person").get(pk=case.pk)
    if TransitionPlan.objects.filter(case=case).exclude(status=TransitionStatus.HANDED_OVER).exists():
        raise ValidationError("This case already has an open transition plan.")
    early_reason = early_reason.strip()
    if age_on(case.young_person.date_of_birth, timezone.localdate()) < plan_from_age() and not early_reason:
        raise ValidationError({"early_reason": f"{case.young_person.first_name} is not yet {plan_from_age()}: say "
                                               f"why the plan starts now (for example, the timing of an NRM "
                                               f"decision)."})
    plan = TransitionPlan(case=case, opened_by=actor, early_reason=early_reason, **only(fields, PLAN_FIELDS))
    _check(plan)
    plan.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=plan, detail={"case": case.reference})
    return plan


@transaction.atomic
def transition_plan_update(*, actor, plan: TransitionPlan, expected_version: int, agreed: bool | None = None,
                           **fields) -> TransitionPlan:
    """Change the plan; ``agreed`` moves it between planning and agreed (with the young person and adult services)."""
    before = plan
    plan = lock_current(plan, expected_version)
    policies.can_change_transition_plan.ensure(actor, plan)
    for name, value in only(fields, PLAN_FIELDS).items():
        setattr(plan, name, value)
    if agreed is not None:
        plan.status = TransitionStatus.AGREED if agreed else TransitionStatus.PLANNING
    _check(plan)
    plan.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=plan,
                 detail={"case": plan.case.reference, "status": plan.status,
                         "fields": changed(before, plan, fields)})
    return plan


@transaction.atomic
def transition_plan_handover(*, actor, plan: TransitionPlan, expected_version: int) -> TransitionPlan:
    """Record that the young person's support has been handed over to adult services: by the actor, now."""
    plan = lock_current(plan, expected_version)
    policies.can_change_transition_plan.ensure(actor, plan)
    if plan.status != TransitionStatus.AGREED:
        raise ValidationError("Agree the plan with the young person and adult services before the handover.")
    plan.status = TransitionStatus.HANDED_OVER
    plan.handed_over_by, plan.handed_over_at = actor, timezone.now()
    _check(plan)
    plan.save()
    audit.record(actor=actor, action=AuditAction.TRANSFER, target=plan,
                 detail={"case": plan.case.reference, "handed_over_to": plan.adult_agency.name})
    return plan


# --- Reads through the door ----------------------------------------------------------------------------------------

def plans_of(user, case: Case) -> list[TransitionPlan]:
    """The case's plans, newest first, each holding ``case`` as read through the door (so asking what the reader
    may do with a plan reads nothing more)."""
    plans = list(access.visible(user, TransitionPlan.objects.filter(case=case).select_related(
        "adult_agency", "opened_by", "handed_over_by")))
    for plan in plans:
        plan.case = case
    return plans


def plan_for(user, case: Case) -> TransitionPlan | None:
    """The case's current plan: the open one, or else the latest handed over."""
    plans = sorted(plans_of(user, case), key=lambda plan: (plan.is_open, plan.opened_at), reverse=True)
    return plans[0] if plans else None


def _board(user):
    """Open cases the reader may see of young people aged from ``TRANSITION_PLAN_FROM_AGE`` to 25, each with the
    status of its latest plan (``none`` without one)."""
    today = timezone.localdate()
    latest = TransitionPlan.objects.filter(case=OuterRef("pk")).order_by("-opened_at", "-id").values("status")[:1]
    cases = access.visible(user, Case.objects.filter(
        status=CaseStatus.OPEN, young_person__date_of_birth__lte=years_before(today, plan_from_age()),
        young_person__date_of_birth__gt=years_before(today, MAX_AGE_YEARS + 1)))
    return cases.annotate(transition=Coalesce(Subquery(latest), Value(NO_PLAN)))


def board_counts(user) -> dict[str, int]:
    """How many of the board's cases are at each status, in one query."""
    counted = _board(user).order_by().aggregate(**{
        key: Count("pk", filter=Q(transition=key)) for key, _ in BOARD_STATUSES})
    return counted


def board_page(user, number, *, status: str = ""):
    """One page of the board (oldest first: the nearest the cliff edge, or past it), optionally one status."""
    cases = _board(user)
    if status:
        cases = cases.filter(transition=status)
    cases = cases.select_related("young_person", "lead_practitioner").order_by("young_person__date_of_birth", "id")
    return Paginator(cases, 50).get_page(number)
