"""This app's sections of a young person's subject access export (safeguarding.subject_access): the assessments of
them that the asking agency sees, with each answer as words; and their safety plan, goal by goal."""

from django.db.models import Prefetch

from safeguarding import access
from safeguarding import subject_access as sar

from .models import Assessment, Goal, Intervention


def _answer(question, value) -> str:
    if isinstance(value, list):  # risk and protective factors: what each says
        return "; ".join(str(v.get("description", "")) if isinstance(v, dict) else str(v) for v in value)
    return question.display(value) if question else str(value)


def assessments(reader, person, redact) -> list[sar.Row]:
    rows = []
    found = access.visible(reader, Assessment.objects.filter(young_person=person)).select_related(
        "framework_version__framework", "owning_agency", "lead_author__agency").prefetch_related(
        "lead_author__groups").order_by("created_at", "pk")
    for assessment in found:
        answers = []
        for section in assessment.framework_version.sections:
            for question in section.questions:
                value = (assessment.answers or {}).get(question.key)
                if value not in (None, "", []):
                    answers.append((question.label, _answer(question, value)))
        rows.append(sar.Row(f"{assessment.framework_version.framework.name} (AS-{assessment.pk})", [
            ("Status", assessment.get_status_display()), ("Started", assessment.created_at),
            ("Lead author", redact.practitioner(assessment.lead_author)), ("Agency", assessment.owning_agency.name),
            *answers, ("What must change first", assessment.priority), ("Why this first", assessment.priority_reason),
            ("Decided on", assessment.decided_at), ("Comments on the decision", assessment.decision_comments),
        ], assessment))
    return rows


def safety_plan(reader, person, redact) -> list[sar.Row]:
    """Each goal of their safety plan (if the asking agency sees it), with its interventions and who owns them."""
    interventions = Intervention.objects.select_related("owner_agency", "owner__agency").prefetch_related(
        "owner__groups")
    goals = access.visible(reader, Goal.objects.filter(plan__young_person=person)).prefetch_related(
        Prefetch("interventions", queryset=interventions)).order_by("created_at", "pk")
    rows = []
    for n, goal in enumerate(goals, 1):
        done = [(f"Intervention: {i.what}", f"{i.owner_agency.name}"
                 + (f" ({redact.practitioner(i.owner)})" if i.owner else "")
                 + f", due {i.due_on:%-d %B %Y}, {i.get_status_display().lower()}") for i in goal.interventions.all()]
        rows.append(sar.Row(f"Goal {n} (GO-{goal.pk}): {goal.statement}", [
            ("What would show it is met", goal.met_when), ("How we will know", goal.measured_by),
            ("Status", goal.get_status_display()), ("Added", goal.created_at), *done], goal))
    return rows


def register() -> None:
    sar.register(sar.Section(key="assessments", title="Assessments", order=40, rows=assessments))
    sar.register(sar.Section(key="safety_plan", title="Safety plan", order=45, rows=safety_plan))
