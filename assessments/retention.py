"""This app's rows about a subject that is erased (safeguarding.retention): the assessments of an erased young person,
place or peer group keep their framework, dates and decision, and lose their answers and free text, and what the
agencies contributed to them; its safety plan keeps its goals' and interventions' statuses, owners and dates, and
loses what they say."""

from safeguarding import retention

from .models import Assessment, ContributionRequest, Goal, Intervention, InterventionUpdate


def subject_erase(field: str):
    def erase(record, disposal: retention.Disposal) -> None:
        assessments = Assessment.objects.filter(**{field: record})
        disposal.erase_all(assessments, answers={}, priority="", priority_reason=disposal.marker,
                           decision_comments="")
        disposal.erase_all(ContributionRequest.objects.filter(assessment__in=assessments), response="",
                           question=disposal.marker)
        goals = Goal.objects.filter(**{f"plan__{field}": record})
        disposal.erase_all(goals, statement=disposal.marker, met_when="", measured_by="")
        interventions = Intervention.objects.filter(goal__in=goals)
        disposal.erase_all(interventions, what=disposal.marker)
        disposal.erase_all(InterventionUpdate.objects.filter(intervention__in=interventions), text="")
    erase.__name__ = f"assessments_of_{field}_erase"
    return erase


def register() -> None:
    for label, field in (("cases.youngperson", "young_person"), ("contexts.place", "place"),
                         ("contexts.peergroup", "peer_group")):
        retention.on_erase(label, subject_erase(field))
