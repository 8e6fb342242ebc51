"""Reads that depend on who asks: assessments, requests and plans, already narrowed by safeguarding.access."""

from django.db.models import Case, Count, Prefetch, Q, When
from django.utils import timezone

from contexts.selectors import current_links_q
from safeguarding import access, subjects

from .models import (
    Assessment,
    AssessmentStatus,
    ContributionRequest,
    Goal,
    GoalStatus,
    Intervention,
    InterventionUpdate,
    RequestStatus,
    SafetyPlan,
)


def _assessments(user):
    return access.visible(user, Assessment.objects.select_related(
        "framework_version__framework", "lead_author", "owning_agency", "decided_by", *subjects.related(Assessment)))


def _with_overdue(assessments):
    today = timezone.localdate()
    return assessments.annotate(
        overdue_requests=Count("requests", filter=Q(requests__status=RequestStatus.REQUESTED,
                                                    requests__due_on__lt=today)),
        open_requests=Count("requests", filter=Q(requests__status=RequestStatus.REQUESTED)),
    )


def assessment_for(user, pk: int) -> Assessment:
    """One assessment, with what the identity bar shows of a young person it is about (no query of its own)."""
    return access.get_visible_or_404(
        user, _assessments(user).select_related(*subjects.identified_related(Assessment)), pk=pk)


def assessment_requests(user, assessment: Assessment):
    return access.visible(user, assessment.requests.select_related("agency", "asked_by", "answered_by")).order_by(
        "created_at", "id")


def pending_requests(user, assessment: Assessment):
    """Its requests still waiting for an answer, soonest due first: listed when it is submitted or approved."""
    return assessment_requests(user, assessment).filter(status=RequestStatus.REQUESTED).order_by("due_on", "id")


def assessments_list(user, *, status: str = "", mine: bool = False):
    """The assessments I can see, newest first, with how many contribution requests are open or overdue."""
    rows = _with_overdue(_assessments(user))
    if status:
        rows = rows.filter(status=status)
    if mine:
        rows = rows.filter(lead_author=user)
    return rows.order_by("-updated_at", "-id")


def waiting_for_approval(user):
    """Submitted assessments the person's agency leads on (manage level), oldest first, not their own."""
    rows = access.visible(user, _assessments(user), access.MANAGE).filter(status=AssessmentStatus.SUBMITTED)
    return _with_overdue(rows.exclude(lead_author=user)).order_by("submitted_at", "id")


def my_unfinished(user):
    return assessments_list(user, mine=True).filter(status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED])


def subject_assessments(user, subject):
    return _with_overdue(_assessments(user).filter(**subjects.fields(subject))).order_by("-created_at", "-id")


def history(user, assessment: Assessment):
    """Every assessment of the same subject on the same framework (any version), oldest first."""
    return _assessments(user).filter(
        **subjects.fields(assessment.subject),
        framework_version__framework_id=assessment.framework_version.framework_id,
    ).exclude(~Q(pk=assessment.pk), status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED]).order_by(
        "created_at", "id")


def requests_to_my_agency(user):
    """What other agencies have asked my agency for, whatever became of it: open ones first, soonest due first."""
    rows = ContributionRequest.objects.filter(agency_id=user.agency_id).select_related(
        "assessment__framework_version__framework", "assessment__owning_agency", "assessment__lead_author",
        "assessment__decided_by", "asked_by", *subjects.related(Assessment, "assessment__"))
    # Open first (soonest due first), then answered, then withdrawn: a partner sees what became of every request.
    order = Case(When(status=RequestStatus.REQUESTED, then=0), When(status=RequestStatus.ANSWERED, then=1), default=2)
    return access.visible(user, rows).order_by(order, "due_on", "id")


def contribution_for(user, pk: int) -> ContributionRequest:
    rows = ContributionRequest.objects.select_related(
        "agency", "asked_by", "answered_by", "assessment__framework_version__framework", "assessment__owning_agency",
        "assessment__lead_author", "assessment__decided_by", *subjects.related(Assessment, "assessment__"))
    return access.get_visible_or_404(user, rows, pk=pk)


def plan_for(user, subject) -> SafetyPlan | None:
    """The safety plan of a young person, place or peer group, with its goals, interventions and their updates."""
    updates = InterventionUpdate.objects.select_related("author", "agency")
    interventions = Intervention.objects.select_related("owner_agency", "owner").prefetch_related(
        Prefetch("updates", queryset=updates))
    goals = Goal.objects.prefetch_related(Prefetch("interventions", queryset=interventions))
    plans = access.visible(user, SafetyPlan.objects.filter(**subjects.fields(subject))).prefetch_related(
        Prefetch("goals", queryset=goals))
    return plans.first()


def plan_summary(user, subject) -> SafetyPlan | None:
    """The safety plan of ``subject`` with how many goals it has (``goal_count``), for a link to it; one query."""
    return access.visible(user, SafetyPlan.objects.filter(**subjects.fields(subject))).annotate(
        goal_count=Count("goals")).first()


def linked_plans(user, subject) -> list[SafetyPlan]:
    """The safety plans on the other side of ``subject``'s current links that ``user`` may see: a young person's, the
    plans of their places and peer groups; a place's or group's, the plans of the young people linked to it. Each
    with its goals; a plan whose subject (or link) the user cannot see is left out, not counted. Two queries,
    however many links."""
    plans = access.visible(user, SafetyPlan.objects.filter(current_links_q(user, subject))).select_related(
        *subjects.related(SafetyPlan)).prefetch_related("goals")
    rows = list(plans)
    for plan in rows:
        goals = list(plan.goals.all())
        plan.goals_met = sum(goal.status == GoalStatus.MET for goal in goals)
        plan.goals_partly_met = sum(goal.status == GoalStatus.PARTLY_MET for goal in goals)
    return sorted(rows, key=lambda plan: (subjects.kind_of(plan).key != "young_person", str(plan.subject).lower()))


def goal_for(user, pk: int) -> Goal:
    return access.get_visible_or_404(user, Goal.objects.select_related(*subjects.related(SafetyPlan, "plan__")), pk=pk)


def intervention_for(user, pk: int) -> Intervention:
    return access.get_visible_or_404(
        user, Intervention.objects.select_related(*subjects.related(SafetyPlan, "goal__plan__"), "owner_agency"),
        pk=pk)


# --- The partner API (assessments/api.py) ---------------------------------------------------------------------------

def _assessments_api(user):
    """Without the subjects themselves: the API gives a subject's id and address, never reads the subject."""
    return access.visible(user, Assessment.objects.select_related(
        "framework_version__framework", "lead_author", "owning_agency"))


def assessments_api(user):
    return _assessments_api(user)


def assessment_api_for(user, pk: int) -> Assessment:
    return access.get_visible_or_404(user, _assessments_api(user), pk=pk)


def contributions_api(user):
    return access.visible(user, ContributionRequest.objects.select_related("agency", "asked_by"))
