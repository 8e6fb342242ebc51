"""This app's section of a young person's subject access export (safeguarding.subject_access): the assessments of
them that the asking agency sees, with each answer as words."""

from safeguarding import access
from safeguarding import subject_access as sar

from .models import Assessment


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


def register() -> None:
    sar.register(sar.Section(key="assessments", title="Assessments", order=40, rows=assessments))
