"""Who sees an assessment, a request and a plan: through the subject's access; an asked agency sees its request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import ContributionRequest, Goal, RequestStatus
from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent
from tests.conftest import LAWFUL, LAWFUL_FORM, REFERRAL_LAWFUL

from ..conftest import client_for
from .conftest import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(alice, draft, agencies):
    """The police are asked about the park, which is not shared with them."""
    return services.contribution_request(actor=alice, assessment=draft, agency=agencies["police"],
                                         question="What do your patrols see at the park after 8pm?",
                                         due_on=timezone.localdate() + timedelta(days=7), basis=LAWFUL)


@pytest.fixture
def plan_goal(alice, park, agencies):
    goal = services.goal_add(actor=alice, subject=park, statement="Young people feel safe crossing the park",
                             met_when="No reports of approaches for three months",
                             measured_by="Police logs and a survey at the youth club")
    services.intervention_add(actor=alice, goal=goal, what="Detached youth work on Friday evenings",
                              owner_agency=agencies["police"], due_on=timezone.localdate() + timedelta(days=30))
    return goal


def _every_page(assessment, request, goal, park):
    intervention = goal.interventions.get()
    return [
        reverse("assessment", args=[assessment.pk]), reverse("assessment-edit", args=[assessment.pk]),
        reverse("assessment-change", args=[assessment.pk]), reverse("assessment-pdf", args=[assessment.pk]),
        reverse("contribution-new", args=[assessment.pk]), reverse("contribution", args=[request.pk]),
        reverse("subject-assessments", args=["place", park.pk]), reverse("assessment-start", args=["place", park.pk]),
        reverse("safety-plan", args=["place", park.pk]), reverse("goal-new", args=["place", park.pk]),
        reverse("goal-edit", args=[goal.pk]), reverse("intervention-new", args=[goal.pk]),
        reverse("intervention-update", args=[intervention.pk]),
    ]


def test_a_partner_asked_to_contribute_sees_only_the_request(client, pete, alice, asked, plan_goal, park):
    client_for(client, pete)
    inbox = client.get(reverse("contributions")).content.decode()
    assert "Eastgate Park" in inbox and "Waiting for you" in inbox
    page = client.get(reverse("contribution", args=[asked.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "What do your patrols see" in text and "has not been shared with your agency" in text
    own_intervention = reverse("intervention-update", args=[plan_goal.interventions.get().pk])  # police own it
    for url in _every_page(asked.assessment, asked, plan_goal, park):
        if url not in (reverse("contribution", args=[asked.pk]), own_intervention):
            assert client.get(url).status_code == 404, url
    assert client.get(reverse("place", args=[park.pk])).status_code == 404
    answered = client.post(reverse("contribution", args=[asked.pk]), {
        "version": asked.version, "response": "Two patrols a week; older males seen on Friday nights.", **LAWFUL_FORM})
    assert answered.status_code == 302
    asked.refresh_from_db()
    assert asked.status == RequestStatus.ANSWERED and asked.answered_by == pete
    client_for(client, alice)
    lead_view = client.get(reverse("assessment", args=[asked.assessment_id])).content.decode()
    assert "Two patrols a week" in lead_view and "Northfield Police" in lead_view


def test_sharing_the_subject_shows_the_partner_the_assessment_but_they_cannot_edit_it(
        client, pete, alice, draft, park, agencies):
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    client_for(client, pete)
    assert client.get(reverse("assessment", args=[draft.pk])).status_code == 200
    assert client.get(reverse("assessment-edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("assessment-decide", args=[draft.pk]), {}).status_code == 403


def test_overdue_requests_are_shown_to_the_lead(client, alice, asked):
    ContributionRequest.objects.filter(pk=asked.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    client_for(client, alice)
    assert "Overdue" in client.get(reverse("assessment", args=[asked.assessment_id])).content.decode()
    listing = client.get(reverse("assessments")).content.decode()
    assert "1 overdue" in listing


def test_bad_requests_are_refused_with_reasons_and_nothing_is_written(client, alice, draft, agencies, asked):
    client_for(client, alice)
    url = reverse("contribution-new", args=[draft.pk])
    past = timezone.localdate() - timedelta(days=1)
    response = client.post(url, {"agency": agencies["police"].pk, "question": "Again?", "due_on_0": past.day,
                                 "due_on_1": past.month, "due_on_2": past.year, **LAWFUL_FORM})
    page = response.content.decode()
    assert "must be today or in the future" in page
    future = timezone.localdate() + timedelta(days=3)
    response = client.post(url, {"agency": agencies["police"].pk, "question": "Again?", "due_on_0": future.day,
                                 "due_on_1": future.month, "due_on_2": future.year, **LAWFUL_FORM})
    assert "already been asked" in response.content.decode()
    assert ContributionRequest.objects.count() == 1


def test_asking_an_agency_is_audited_as_sharing(asked):
    event = AuditEvent.objects.get(action=AuditAction.SHARE, target_id=str(asked.pk))
    assert event.detail["rule"] == "asked to contribute to an assessment"


def test_the_owning_agency_updates_its_intervention_without_seeing_more_than_that(
        client, pete, oscar, alice, plan_goal, park, agencies):
    intervention = plan_goal.interventions.get()
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    client_for(client, pete)
    page = client.get(reverse("safety-plan", args=["place", park.pk])).content.decode()
    assert "Detached youth work" in page and "Add a goal" not in page
    assert client.get(reverse("goal-new", args=["place", park.pk])).status_code == 403
    response = client.post(reverse("intervention-update", args=[intervention.pk]),
                           {"text": "First session held; eight young people came.", "status": "in_progress"})
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.status == "in_progress" and intervention.updates.get().agency == agencies["police"]


def test_plan_bad_input_is_refused(client, alice, plan_goal, agencies, sam):
    client_for(client, alice)
    due = timezone.localdate() + timedelta(days=10)
    response = client.post(reverse("intervention-new", args=[plan_goal.pk]), {
        "what": "Licensing conversation", "owner_agency": agencies["police"].pk, "owner": sam.pk,
        "due_on_0": due.day, "due_on_1": due.month, "due_on_2": due.year})
    # The form refuses a person outside the chosen agency (the picker is narrowed to it); the service would too.
    assert "Choose a person in Northfield Police" in response.content.decode()
    assert plan_goal.interventions.count() == 1
    empty = client.post(reverse("goal-new", args=["place", plan_goal.plan.place_id]), {"statement": ""})
    assert "govuk-error-summary" in empty.content.decode()
    assert Goal.objects.count() == 1


def test_the_dashboard_shows_each_person_what_waits_for_them(client, alice, mandy, pete, oscar, asked):
    from .conftest import submitted

    done = submitted(asked.assessment, alice)
    client_for(client, mandy)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Waiting for your approval" in page and f"AS-{done.pk}" in page
    client_for(client, pete)
    assert "Eastgate Park" in client.get(reverse("dashboard")).content.decode()  # the request
    client_for(client, oscar)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Eastgate Park" not in page and "AS-" not in page


def test_a_place_a_partner_referred_is_assessed_and_approved_by_the_lead_authority(alice, mandy, pete, neighbourhood):
    from contexts import services as context_services
    from contexts.models import Place, PlaceKind

    own = context_services.context_create(actor=pete, model=Place, name="Bus station", kind=PlaceKind.TRANSPORT)
    referral = context_services.context_referral_create(actor=pete, record=own, concerns="Approaches at night",
                                                        harm_types=["cce"], **REFERRAL_LAWFUL)
    referred = context_services.context_referral_accept(actor=mandy, referral=referral, expected_version=1).place
    assert access.can(alice, referred, access.MANAGE) and access.can(pete, referred)
    done = approved(services.assessment_start(actor=alice, subject=referred, framework=neighbourhood), alice, mandy)
    assert done.is_approved


def test_an_agency_owning_an_intervention_reports_on_it_without_the_place_being_shared(
        client, oscar, alice, plan_goal, park, agencies):
    mine = services.intervention_add(actor=alice, goal=plan_goal, what="Housing officer visits the flats",
                                     owner_agency=agencies["housing"],
                                     due_on=timezone.localdate() + timedelta(days=14))
    client_for(client, oscar)
    assert client.get(reverse("safety-plan", args=["place", park.pk])).status_code == 404
    page = client.get(reverse("intervention-update", args=[mine.pk])).content.decode()
    assert "Housing officer visits" in page and reverse("safety-plan", args=["place", park.pk]) not in page
    reported = client.post(reverse("intervention-update", args=[mine.pk]),
                           {"text": "Visited; residents report fewer gatherings.", "status": "done"})
    assert reported.status_code == 302 and reported["Location"] == reverse("intervention-update", args=[mine.pk])
    other = plan_goal.interventions.exclude(pk=mine.pk).get()
    assert client.get(reverse("intervention-update", args=[other.pk])).status_code == 404

