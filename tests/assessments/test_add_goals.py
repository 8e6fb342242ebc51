"""Adding a safety plan's goals several at a time: MoJ add-another rows, saved together or not at all."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Goal
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import client_for

pytestmark = pytest.mark.django_db

LIGHTS = {"statement": "Young people feel safe on the lit path", "met_when": "No approaches reported for 3 months",
          "measured_by": "Police logs and the youth club survey"}
GUARDIANS = {"statement": "Adults look out at the shop", "met_when": "The owner knows the young people by name",
             "measured_by": "Youth worker's visit notes"}
SAFE_SPACE = {"statement": "The group has somewhere supervised to go", "met_when": "The youth club opens Fridays",
              "measured_by": "Youth club register"}


def rows(*goals, start: int = 0) -> dict:
    """The page's fields for ``goals``, from row ``start`` (a ``{}`` is a blank row)."""
    return {f"goals-{i}-{part}": goal.get(part, "") for i, goal in enumerate(goals, start)
            for part in ("statement", "met_when", "measured_by")}


@pytest.fixture
def url(park):
    return reverse("goal-new", args=["place", park.pk])


def test_it_saves_several_goals_from_one_post_in_order(client, alice, park, url):
    client_for(client, alice)
    page = client.get(url).content.decode()
    assert 'data-module="moj-add-another"' in page and 'data-name="goals-%index%-statement"' in page
    assert 'name="goals-0-statement"' in page and 'name="goals-1-statement"' not in page  # one row to start
    assert "Add another goal" in page and "Remove goal" not in page
    response = client.post(url, rows(LIGHTS, GUARDIANS, SAFE_SPACE))
    assert response.status_code == 302 and response.url == reverse("safety-plan", args=["place", park.pk])
    goals = list(Goal.objects.filter(plan__place=park))
    assert [goal.statement for goal in goals] == [LIGHTS["statement"], GUARDIANS["statement"], SAFE_SPACE["statement"]]
    assert goals[1].met_when == GUARDIANS["met_when"] and goals[2].measured_by == SAFE_SPACE["measured_by"]
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, target_label__startswith="GO-")
    assert created.count() == 3  # each through goal_add, which audits
    assert "3 goals added to the safety plan." in client.get(response.url).content.decode()


def test_blank_rows_are_left_out(client, alice, park, url):
    client_for(client, alice)
    response = client.post(url, rows({}, LIGHTS, {}, GUARDIANS, {"statement": "  "}))
    assert response.status_code == 302
    assert [g.statement for g in Goal.objects.all()] == [LIGHTS["statement"], GUARDIANS["statement"]]


def test_a_row_begun_and_not_finished_saves_none_and_says_where(client, alice, park, url):
    client_for(client, alice)
    response = client.post(url, rows(LIGHTS, {"statement": "Adults look out at the shop"}, SAFE_SPACE))
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "<title>Error: " in page
    assert 'href="#id_goals-1-met_when"' in page and 'href="#id_goals-1-measured_by"' in page
    assert 'href="#id_goals-0-' not in page and 'href="#id_goals-2-' not in page
    assert page.count("Enter what would show the goal is met (goal 2)") == 2  # in the summary, and at the row
    assert LIGHTS["statement"] in page and SAFE_SPACE["measured_by"] in page  # what was typed is still there
    assert not Goal.objects.exists()


def test_nothing_typed_asks_for_a_goal(client, alice, park, url):
    client_for(client, alice)
    page = client.post(url, rows({})).content.decode()
    assert 'href="#id_goals-0-statement"' in page and "Enter the goal" in page
    assert not Goal.objects.exists()


def test_a_refused_goal_rolls_back_the_ones_before_it(alice, park):
    unfinished = {**GUARDIANS, "met_when": ""}  # as the API or a job might send it: the model refuses it
    with pytest.raises(ValidationError) as refused:
        services.goals_add(actor=alice, subject=park, goals=[LIGHTS, unfinished])
    assert "1-met_when" in refused.value.message_dict
    assert not Goal.objects.exists()


def test_add_another_without_javascript_gives_a_row_more_and_keeps_what_was_typed(client, alice, park, url):
    client_for(client, alice)
    response = client.post(url, {**rows({"statement": LIGHTS["statement"]}), "add": "goals"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="goals-1-statement"' in page and 'name="goals-2-statement"' not in page
    assert LIGHTS["statement"] in page and "govuk-error-summary" not in page  # half a row is not an error yet
    assert "Goal 2 of 2" in page and 'name="remove" value="goals-1"' in page
    assert not Goal.objects.exists()


def test_remove_without_javascript_takes_the_row_out_and_moves_the_rest_up(client, alice, park, url):
    client_for(client, alice)
    page = client.post(url, {**rows(LIGHTS, GUARDIANS, SAFE_SPACE), "remove": "goals-1"}).content.decode()
    assert 'name="goals-2-statement"' not in page and GUARDIANS["statement"] not in page
    assert LIGHTS["statement"] in page and SAFE_SPACE["statement"] in page
    assert page.index(LIGHTS["statement"]) < page.index(SAFE_SPACE["statement"])
    assert not Goal.objects.exists()


def test_an_outsider_gets_404_and_saves_nothing(client, oscar, park, url):
    client_for(client, oscar)
    assert client.get(url).status_code == 404
    assert client.post(url, rows(LIGHTS)).status_code == 404
    assert client.post(url, {**rows(LIGHTS), "add": "goals"}).status_code == 404
    assert not Goal.objects.exists()


def test_changing_one_goal_is_still_one_goal_with_its_status(client, alice, park):
    goal = services.goal_add(actor=alice, subject=park, **LIGHTS)
    client_for(client, alice)
    url = reverse("goal-edit", args=[goal.pk])
    assert 'name="statement"' in client.get(url).content.decode()
    response = client.post(url, {**LIGHTS, "status": "partly_met", "version": goal.version})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "partly_met"
