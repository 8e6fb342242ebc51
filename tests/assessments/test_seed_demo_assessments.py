"""The demo's assessments, contributions and safety plans: added once, through the services, and never twice.

The borough is seeded once for the module, inside a transaction rolled back at the end (as tests/cases does).
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments import frameworks
from assessments.models import (
    Assessment,
    AssessmentStatus,
    ContributionRequest,
    Goal,
    Intervention,
    InterventionUpdate,
    RequestStatus,
    SafetyPlan,
)
from contexts.models import PlaceKind
from safeguarding import access, language
from safeguarding.models import AuditEvent, User

pytestmark = pytest.mark.django_db

COUNTED = [Assessment, ContributionRequest, SafetyPlan, Goal, Intervention, InterventionUpdate, AuditEvent]


def counts():
    return [model.objects.count() for model in COUNTED]


def texts(assessment: Assessment) -> list[str]:
    """Every piece of text an assessment holds, factors included."""
    found = [assessment.priority, assessment.priority_reason, assessment.decision_comments]
    for value in assessment.answers.values():
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found += [part for row in value for part in row.values()]
    return found


def test_assessments_need_the_borough_first():
    assert not Assessment.objects.exists()
    with pytest.raises(CommandError, match="Run seed_demo first"):
        call_command("seed_demo", only="assessments", force=True)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", young_people=30, force=True, stdout=out)  # every app's demo data
        yield out.getvalue()
        transaction.set_rollback(True)


def test_the_demo_assessments_are_seeded_once_and_seen_by_the_right_agencies(seeded):
    assert "Added Northfield's assessments and safety plans" in seeded
    assessments = Assessment.objects.select_related("framework_version__framework", "place")
    assert {a.framework_version.framework.key for a in assessments} == {
        "neighbourhood", "school", "peer-group", "individual-screening"}
    assert set(assessments.values_list("status", flat=True)) == set(AssessmentStatus.values)
    assert all(a.place.kind == PlaceKind.SCHOOL for a in assessments.filter(framework_version__framework__key="school"))
    assert not assessments.filter(decided_by=F("lead_author")).exists()
    requests = ContributionRequest.objects.all()
    assert requests.filter(status=RequestStatus.ANSWERED).exists()
    assert requests.filter(status=RequestStatus.REQUESTED, due_on__gte=timezone.localdate()).exists()
    assert any(request.is_overdue for request in requests)
    assert SafetyPlan.objects.filter(peer_group__isnull=False).exists() and SafetyPlan.objects.count() >= 3
    assert InterventionUpdate.objects.exists() and any(i.is_overdue for i in Intervention.objects.all())

    before = counts()
    out = StringIO()
    call_command("seed_demo", only="assessments", force=True, stdout=out)
    assert counts() == before
    assert "nothing to add" in out.getvalue()

    social_worker, police = User.objects.get(username="sw.demo"), User.objects.get(username="police.demo")
    seen_by_police = access.visible(police, Assessment.objects.all()).count()
    assert 0 < seen_by_police < access.visible(social_worker, Assessment.objects.all()).count()
    assert not [(a.pk, text) for a in assessments for text in texts(a) if language.check(text)]


def test_one_place_is_reassessed_and_its_domain_scores_improved(seeded):
    approved = Assessment.objects.filter(status=AssessmentStatus.APPROVED).select_related(
        "framework_version__framework").order_by("created_at", "pk")
    by_subject = {}
    for assessment in approved:
        key = (assessment.framework_version.framework_id, assessment.subject_kind, assessment.subject.pk)
        by_subject.setdefault(key, []).append(assessment)
    assessed_again = [rows for rows in by_subject.values() if len(rows) >= 2]
    assert len(assessed_again) == 1
    first, latest = assessed_again[0][0], assessed_again[0][-1]
    assert (latest.created_at - first.created_at).days > 150  # about six months apart
    before = frameworks.scores(first.framework_version.definition, first.answers)
    after = frameworks.scores(latest.framework_version.definition, latest.answers)
    assert before.keys() == after.keys() and None not in before.values()
    assert all(after[domain] > before[domain] for domain in before), (before, after)


def test_the_story_young_person_has_a_plan_linked_both_ways_to_her_place_and_group(seeded):
    from assessments import selectors
    from cases.demo import STORY_PERSON_ID
    from cases.models import YoungPerson
    from contexts.models import Place

    person = YoungPerson.objects.get(la_person_id=STORY_PERSON_ID)
    plan = SafetyPlan.objects.get(young_person=person)
    assert plan.goals.count() == 2 and Intervention.objects.filter(goal__plan=plan).count() == 3
    social_worker = User.objects.get(username="sw.demo")
    linked = {str(other.subject) for other in selectors.linked_plans(social_worker, person)}
    assert {"Eastgate Park", "Group seen at Eastgate Park"} <= linked
    park = Place.objects.get(name="Eastgate Park")
    assert person in [other.subject for other in selectors.linked_plans(social_worker, park)]
    assert not [goal.pk for goal in plan.goals.all() if language.check(goal.statement)]
