"""A young person's safety plan: the same plan as a place's or a group's, reached through the young person's case,
and linked both ways to the plans of the places and groups they are currently linked to."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services
from assessments.models import GoalStatus, SafetyPlan
from contexts import services as context_services
from contexts.models import MembershipRole, PeerGroup, Place, PlaceKind, PlaceLink, PlaceLinkNature
from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import LAWFUL, assert_queries, client_for
from ..contexts.conftest import evidence
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

GOAL = {"statement": "Jayden feels safe walking home from school", "met_when": "He says so at two reviews running",
        "measured_by": "His own words at each review, and school attendance"}


def plan_url(record):
    word = {"YoungPerson": "young-person", "Place": "place", "PeerGroup": "peer-group"}[type(record).__name__]
    return reverse("safety-plan", args=[word, record.pk])


@pytest.fixture
def linked(alice, case, person, park):
    """Jayden, with a case, frequenting Eastgate Park; both have a safety plan."""
    context_services.place_link_add(actor=alice, place=park, young_person=person, nature=PlaceLinkNature.FREQUENTS,
                                    **evidence())
    services.goal_add(actor=alice, subject=park, statement="No adults loitering at the park after dark",
                      met_when="Guardians report none for a month", measured_by="Guardian log")
    goal = services.goal_add(actor=alice, subject=person, **GOAL)
    return goal


# --- Services ------------------------------------------------------------------------------------------------------

def test_a_young_persons_plan_is_the_same_plan_with_goals_interventions_and_audit(alice, pete, agencies, case,
                                                                                   person):
    goal = services.goal_add(actor=alice, subject=person, **GOAL)
    plan = goal.plan
    assert plan.young_person == person and plan.place is None and plan.peer_group is None
    assert plan.subject == person and plan.url == reverse("safety-plan", args=["young-person", person.pk])
    intervention = services.intervention_add(actor=alice, goal=goal, what="Weekly mentoring after school",
                                             owner_agency=agencies["police"], owner=pete,
                                             due_on=timezone.localdate() + timedelta(days=14))
    services.goal_update(actor=alice, goal=goal, expected_version=goal.version, **{**GOAL, "status": "partly_met"})
    assert SafetyPlan.objects.get(young_person=person).goals.get().status == GoalStatus.PARTLY_MET
    created = set(AuditEvent.objects.filter(action=AuditAction.CREATE).values_list("target_label", flat=True))
    assert {plan.audit_label, goal.audit_label, intervention.audit_label} <= created
    # A second goal goes on the same plan: one plan for each young person.
    services.goal_add(actor=alice, subject=person, **{**GOAL, "statement": "Stays in education"})
    assert SafetyPlan.objects.filter(young_person=person).count() == 1


def test_a_plan_is_about_exactly_one_subject(alice, person, park):
    with pytest.raises(IntegrityError):
        SafetyPlan.objects.create(young_person=person, place=park, created_by=alice)


def test_an_agency_that_cannot_see_the_young_person_cannot_start_their_plan(oscar, case, person):
    with pytest.raises(Http404):
        services.goal_add(actor=oscar, subject=person, **GOAL)
    assert not SafetyPlan.objects.exists()


def test_linked_plans_follow_current_links_both_ways(alice, person, park, group, linked):
    services.goal_add(actor=alice, subject=group, statement="The group meets somewhere supervised",
                      met_when="Youth club reports it", measured_by="Youth club register")
    context_services.membership_add(actor=alice, peer_group=group, young_person=person, role=MembershipRole.CORE,
                                    **evidence())
    assert [plan.subject for plan in selectors.linked_plans(alice, person)] == [park, group]
    back = selectors.linked_plans(alice, park)
    assert [plan.subject for plan in back] == [person] and back[0].goals_met == 0
    # A link whose evidence has expired no longer counts, either way.
    long_ago = timezone.localdate() - timedelta(days=200)
    PlaceLink.objects.filter(place=park).update(last_reviewed_on=long_ago, review_by=long_ago)
    assert [plan.subject for plan in selectors.linked_plans(alice, person)] == [group]
    assert selectors.linked_plans(alice, park) == []


# --- Pages and access ----------------------------------------------------------------------------------------------

def test_the_young_persons_plan_page_lists_the_linked_place_plan_and_back(client, alice, person, park, linked):
    client_for(client, alice)
    page = client.get(plan_url(person)).content.decode()
    assert GOAL["statement"] in page and "Eastgate Park" in page and "No adults loitering" in page
    assert plan_url(park) in page and "Only current links count" in page
    back = client.get(plan_url(park)).content.decode()
    assert "Jayden Okafor" in back and plan_url(person) in back and GOAL["statement"] in back
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, target_label=f"SP-{linked.plan_id}").latest("pk")
    assert event.detail["linked"] == [SafetyPlan.objects.get(place=park).audit_label]


def test_the_case_page_fragment_offers_to_start_then_shows_the_plan(client, alice, case, person):
    client_for(client, alice)
    url = reverse("subject-assessments", args=["young-person", person.pk])
    assert "Start a safety plan" in client.get(url).content.decode()
    services.goal_add(actor=alice, subject=person, **GOAL)
    page = client.get(url).content.decode()
    assert "Safety plan (1 goal)" in page and "Start a safety plan" not in page


def test_an_outsider_agency_gets_404_on_the_young_persons_plan(client, oscar, person, linked):
    client_for(client, oscar)
    for url in (plan_url(person), reverse("goal-new", args=["young-person", person.pk]),
                reverse("goal-edit", args=[linked.pk]), reverse("intervention-new", args=[linked.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("goal-new", args=["young-person", person.pk]), GOAL).status_code == 404
    assert SafetyPlan.objects.get(young_person=person).goals.count() == 1


def test_a_partner_seeing_the_place_but_not_the_young_person_sees_nothing_of_them(client, alice, pete, agencies,
                                                                                  person, park, linked):
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    response = client.get(plan_url(park))
    page = response.content.decode()
    assert response.status_code == 200 and "No adults loitering" in page
    assert "Jayden" not in page and "Okafor" not in page and GOAL["statement"] not in page
    assert plan_url(person) not in page and "No young person linked to this place has a safety plan" in page
    assert client.get(plan_url(person)).status_code == 404


def test_a_partner_with_the_case_shared_sees_both(client, alice, pete, agencies, shared_case, person, park, linked):
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    assert GOAL["statement"] in client.get(plan_url(park)).content.decode()
    assert "No adults loitering" in client.get(plan_url(person)).content.decode()


def test_a_plan_of_a_young_person_with_an_unknown_kind_word_is_404(client, alice, person):
    client_for(client, alice)
    assert client.get(reverse("safety-plan", args=["young-people", person.pk])).status_code == 404


# --- Query counts: the same with one link as with five -------------------------------------------------------------

PERSON_PLAN = [
    "session",
    "user and agency",
    "role permissions",
    "the young person through the access door (through their case), with the reader's levels",
    "their safety plan",
    "its goals (prefetch)",
    "their interventions, with owner agency and owner (prefetch)",
    "their updates, with author and agency (prefetch)",
    "the plans of the places and groups they are currently linked to (links and plans the reader may see), with "
    "their subjects",
    "those plans' goals (prefetch)",
    "audit row (view, naming the linked plans)",
]
PLACE_PLAN = [
    "session",
    "user and agency",
    "role permissions",
    "the place through the access door, with the reader's levels",
    "its safety plan",
    "its goals (prefetch)",
    "their interventions, with owner agency and owner (prefetch)",
    "their updates, with author and agency (prefetch)",
    "the plans of the young people currently linked to it (links and plans the reader may see), with the young "
    "people",
    "those plans' goals (prefetch)",
    "audit row (view, naming the linked plans)",
]


def _goal(actor, subject, n):
    goal = services.goal_add(actor=actor, subject=subject, statement=f"Goal {n}", met_when="x", measured_by="y")
    services.intervention_add(actor=actor, goal=goal, what=f"Intervention {n}", owner_agency=actor.agency,
                              due_on=timezone.localdate() + timedelta(days=10))
    return goal


def test_plan_pages_make_the_same_queries_with_one_link_as_with_five(client, alice, case, person, park):
    _goal(alice, person, 0)
    _goal(alice, park, 0)
    others = []
    for size in (1, 5):
        while len(others) < size:
            n = len(others)
            if n % 2:
                group = PeerGroup.objects.get(pk=context_services.context_create(
                    actor=alice, model=PeerGroup, name=f"Group {n}").pk)
                context_services.membership_add(actor=alice, peer_group=group, young_person=person,
                                                role=MembershipRole.CORE, **evidence())
                _goal(alice, group, n)
            else:
                place = context_services.context_create(actor=alice, model=Place, name=f"Place {n}",
                                                        kind=PlaceKind.PARK, ward="Eastgate", postcode="B1 1AA")
                context_services.place_link_add(actor=alice, place=place, young_person=person,
                                                nature=PlaceLinkNature.FREQUENTS, **evidence())
                _goal(alice, place, n)
            peer = YoungPersonFactory(actor=alice)
            CaseFactory(actor=alice, young_person=peer, lead_practitioner=alice)
            context_services.place_link_add(actor=alice, place=park, young_person=peer,
                                            nature=PlaceLinkNature.ATTENDS, **evidence())
            _goal(alice, peer, n)
            others.append(peer)
        assert len(selectors.linked_plans(alice, person)) == size
        assert len(selectors.linked_plans(alice, park)) == size
        assert_queries(client, alice, plan_url(person), PERSON_PLAN)
        assert_queries(client, alice, plan_url(park), PLACE_PLAN)
