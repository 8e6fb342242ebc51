"""Outcomes for contexts, not only for children: domain scores of places reassessed, safety goals met, panel actions
completed; each against a count made here from the rows themselves, suppressed for analysts, nothing for outsiders."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import frameworks
from assessments import services as assessment_services
from assessments.models import Goal, GoalStatus
from contexts import services as context_services
from contexts.models import Place, PlaceKind
from panels import services as panel_services
from panels.models import Action, ActionStatus
from reports import selectors
from tests.conftest import LAWFUL

from ..assessments.conftest import approved, neighbourhood, park  # noqa: F401 (fixtures)
from ..conftest import client_for
from ..panels.conftest import agenda, meeting, panel, secret_person  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _assess(place, framework, alice, mandy, **answers):
    return approved(assessment_services.assessment_start(actor=alice, subject=place, framework=framework),
                    alice, mandy, **answers)


@pytest.fixture
def reassessed(alice, mandy, park, neighbourhood):  # noqa: F811
    shops = context_services.context_create(actor=alice, model=Place, name="Eastgate shops", kind=PlaceKind.SHOP,
                                            ward="Eastgate", postcode="B1 2AA")
    once = context_services.context_create(actor=alice, model=Place, name="Canal path", kind=PlaceKind.OTHER,
                                           ward="Eastgate", postcode="B1 3AA")
    runs = {park: [("red", 0.0), ("green", 1.0)], shops: [("amber", 0.5), ("amber", 0.5)], once: [("red", 0.0)]}
    made = {place: [_assess(place, neighbourhood, alice, mandy, rag=rag, scale_at=at) for rag, at in answers]
            for place, answers in runs.items()}
    return made


def test_each_domain_counts_the_places_that_got_safer_against_the_scores_themselves(reassessed, mandy):
    expected = {}
    for runs in reassessed.values():
        if len(runs) < 2:
            continue  # assessed once: nothing to compare
        definition = runs[-1].framework_version.definition
        first, latest = (frameworks.scores(definition, run.answers) for run in (runs[0], runs[-1]))
        titles = {s.key: s.title for s in frameworks.sections(definition)}
        for key, score in latest.items():
            if score is None or first[key] is None:
                continue
            tally = expected.setdefault(titles[key], {"n": 0, "safer": 0, "same": 0, "less": 0, "a": 0, "b": 0})
            tally["n"] += 1
            tally["a"] += first[key]
            tally["b"] += score
            tally["safer" if score > first[key] else "less" if score < first[key] else "same"] += 1
    rows = selectors.context_domain_change(mandy)
    assert {row.title for row in rows} == set(expected) and rows
    for row in rows:
        tally = expected[row.title]
        assert (row.contexts, row.safer, row.same, row.less_safe) == (tally["n"], tally["safer"], tally["same"],
                                                                       tally["less"])
        assert (row.first_mean, row.latest_mean) == (round(tally["a"] / 2), round(tally["b"] / 2))
        assert row.contexts == 2 and row.safer == 1 and row.same == 1  # the park got safer; the shops stayed


def test_a_partner_counts_only_the_places_shared_with_it(reassessed, park, alice, pete, agencies):  # noqa: F811
    assert selectors.context_domain_change(pete) == []
    context_services.access.share(actor=alice, obj=park, agency=agencies["police"], level="view", basis=LAWFUL)
    [row, *_] = selectors.context_domain_change(pete)
    assert row.contexts == 1 and row.safer == 1


def test_goals_and_actions_match_the_rows(park, alice, mandy, colin, agenda, pete, agencies):  # noqa: F811
    for status in (GoalStatus.MET, GoalStatus.MET, GoalStatus.PARTLY_MET, GoalStatus.NOT_MET):
        goal = assessment_services.goal_add(actor=alice, subject=park, statement="Adults present after 8pm",
                                            met_when="Staff on site", measured_by="Visits")
        if status != GoalStatus.NOT_MET:
            assessment_services.goal_update(actor=alice, goal=goal, expected_version=goal.version, status=status)
    goals = {f.label: f.count for f in selectors.goals_by_status(mandy)}
    for key, label in GoalStatus.choices:
        assert goals[label] == Goal.objects.filter(status=key).count()

    today = timezone.localdate()
    add = panel_services.action_add
    made = [add(actor=colin, item=agenda[0], description=f"Action {i}", owner_agency=agencies["police"],
                due_on=today + timedelta(days=7)) for i in range(5)]
    panel_services.action_report(actor=pete, action=made[0], text="Done", status=ActionStatus.DONE)
    Action.objects.filter(pk=made[1].pk).update(due_on=today - timedelta(days=3))
    panel_services.action_report(actor=pete, action=Action.objects.get(pk=made[1].pk), text="Done late",
                                 status=ActionStatus.DONE)
    Action.objects.filter(pk=made[2].pk).update(due_on=today - timedelta(days=1))  # overdue
    panel_services.action_report(actor=pete, action=made[3], text="Not needed", status=ActionStatus.CANCELLED)
    figures = [f.count for f in selectors.actions_completed(mandy)]
    assert figures == [1, 1, 1, 1]  # on time, late, waiting in time (made[4]), overdue; the cancelled one aside


def test_the_page_shows_each_table_and_chart_and_suppresses_them_for_an_analyst(reassessed, client, mandy, anna):
    client_for(client, mandy)
    page = client.get(reverse("reports-outcomes")).content.decode()
    assert page.count("<svg") == 4 and "Domain scores of reassessed places and peer groups" in page
    assert "Safety goals for places and peer groups" in page and "Panel actions, cancelled ones aside" in page
    client_for(client, anna)
    page = client.get(reverse("reports-outcomes")).content.decode()
    assert "fewer than 5" in page and "suppressed" in page  # two places is too few to show their mean score
