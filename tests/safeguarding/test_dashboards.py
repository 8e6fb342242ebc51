"""The dashboard by what each person may do (safeguarding.dashboard): the sections each role sees, their order, their
links to the full lists, nothing from an agency it is not shared with, and the same queries for 1 row as for 10."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment, AssessmentStatus, Framework
from cases import services as case_services
from cases.models import Case
from panels import services as panel_services
from panels.models import PanelKind
from safeguarding import access
from safeguarding import services as kernel_services
from safeguarding.dashboard import SECTIONS, registered
from safeguarding.models import AgencyKind

from ..conftest import LAWFUL, REFERRAL_LAWFUL, SYSTEM, _person, assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db



def _sections(page: str) -> list[str]:
    return re.findall(r'aria-labelledby="dashboard-([\w-]+)"', page)


def _section(page: str, key: str) -> str:
    start = page.index(f'aria-labelledby="dashboard-{key}"')
    return page[start:page.index("</section>", start)]


def _world(n, *, alice, mandy, colin, pete, agencies):
    """``n`` records in every section of every role's dashboard, and a case in another authority that nobody here
    may see (overdue, led there)."""
    today = timezone.localdate()
    team = kernel_services.team_create(actor=SYSTEM, agency=agencies["la"], name="Exploitation team")
    for member in (alice, mandy):
        kernel_services.user_update(actor=SYSTEM, user=member, team=team)
    panel = panel_services.panel_create(actor=colin, name="Northfield MACE", kind=PanelKind.MACE,
                                        member_agencies=[agencies["la"], agencies["police"]], chairs=[colin])
    framework = Framework.objects.get(key="individual-screening")
    for i in range(n):
        person = YoungPersonFactory(actor=alice)
        case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
        Case.objects.filter(pk=case.pk).update(next_review_on=today + timedelta(days=i - n // 2 - 1))
        # new for the police
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
        draft = assessment_services.assessment_start(actor=alice, subject=person, framework=framework)
        assessment_services.contribution_request(actor=alice, assessment=draft, agency=agencies["police"],
                                                 question="What do you know?", due_on=today + timedelta(days=i),
                                                 basis=LAWFUL)
        if i % 2:
            Assessment.objects.filter(pk=draft.pk).update(status=AssessmentStatus.SUBMITTED,
                                                          submitted_at=timezone.now())
        meeting = panel_services.meeting_schedule(actor=colin, panel=panel,
                                                  starts_at=timezone.now() + timedelta(days=2, hours=i))
        panel_services.attendance_set(actor=colin, meeting=meeting, person=pete, status="invited")
        item = panel_services.agenda_item_add(actor=colin, meeting=meeting, theme=f"Theme {i}", reason="Reports")
        panel_services.action_add(actor=colin, item=item, description=f"Walk the route {i}",
                                  owner_agency=agencies["la"], owner=alice, due_on=today + timedelta(days=3 + i))
        panel_services.action_add(actor=colin, item=item, description=f"Patrol the park {i}",
                                  owner_agency=agencies["police"], due_on=today + timedelta(days=3 + i))
        panel_services.packs_request(actor=colin, meeting=meeting)
        case_services.referral_create(
            actor=pete, to_agency=agencies["la"], first_name=f"Referred{i}", last_name="Young",
            date_of_birth=today - timedelta(days=15 * 365), postcode="NF1 2AB", concerns="Seen at the station",
            harm_types=["cce"], urgency="routine", family_knows="Yes", young_person_agreed="agreed", **REFERRAL_LAWFUL)
    elsewhere = kernel_services.agency_create(actor=SYSTEM, name="Southfield Council", mfa_required=False,
                                              kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_lead_authority=True)
    stranger = _person({"south": elsewhere}, "sally", "south", "Social worker")
    secret = CaseFactory(actor=stranger, lead_practitioner=stranger, young_person=YoungPersonFactory(
        actor=stranger, first_name="Unshared", last_name="Elsewhere"))
    Case.objects.filter(pk=secret.pk).update(next_review_on=today - timedelta(days=30))
    return team


@pytest.fixture
def world(alice, mandy, colin, pete, agencies):
    return _world(3, alice=alice, mandy=mandy, colin=colin, pete=pete, agencies=agencies)


# --- Who sees which sections ------------------------------------------------------------------------------------

def test_each_role_sees_the_sections_its_policies_open(client, world, alice, mandy, colin, pete, anna):
    seen = {user.username: _sections(client_for(client, user).get(reverse("dashboard")).content.decode())
            for user in (alice, mandy, colin, pete, anna)}
    assert seen["alice"] == ["new-for-agency", "my-cases", "my-actions", "my-drafts", "requests", "meetings",
                             "recent"]
    assert seen["mandy"] == ["new-for-agency", "my-cases", "my-actions", "my-drafts", "to-approve", "team-caseload",
                             "team-overdue", "front-door", "requests", "meetings", "recent"]
    assert seen["colin"] == ["chaired-meetings", "new-for-agency", "my-actions", "requests", "meetings", "recent"]
    assert seen["pete"] == ["new-for-agency", "agency-actions", "my-drafts", "requests", "meetings", "recent"]
    assert seen["anna"] == ["new-for-agency"]  # an analyst: figures in reports, no records


def test_every_section_is_short_and_links_to_its_full_list(client, world, alice, mandy, colin, pete):
    team = f"&amp;team={mandy.team_id}"  # the team's sections open the case list narrowed to the reader's team
    lists = {"my-cases": "/cases/?status=open&amp;mine=on", "team-caseload": f"/cases/?status=open{team}",
             "team-overdue": f"/cases/?status=open&amp;overdue=on{team}", "front-door": "/referrals/",
             "my-drafts": "/assessments/?mine=1", "to-approve": "/assessments/?status=submitted",
             "requests": "/contributions/", "my-actions": "/actions/", "agency-actions": "/actions/",
             "meetings": "/panels/", "chaired-meetings": "/panels/", "new-for-agency": "/notifications/",
             "recent": "/young-people/"}
    assert set(lists) == set(SECTIONS)
    for user in (alice, mandy, colin, pete):
        page = client_for(client, user).get(reverse("dashboard")).content.decode()
        for key in _sections(page):
            assert f'href="{lists[key]}"' in _section(page, key), (user, key)
    assert all(1 <= section.limit <= 8 for section in registered())


def test_a_social_workers_cases_come_soonest_review_first_overdue_flagged(client, world, alice):
    page = _section(client_for(client, alice).get(reverse("dashboard")).content.decode(), "my-cases")
    dues = re.findall(r"(Overdue by \d+ days?|Review today|Review in \d+ days?)", page)
    assert dues == ["Overdue by 2 days", "Overdue by 1 day", "Review today"]
    assert "govuk-tag--red" in page and "View all 3 of your open cases" in page


def test_a_team_manager_sees_the_teams_caseload_approvals_and_front_door(client, world, mandy):
    page = client_for(client, mandy).get(reverse("dashboard")).content.decode()
    caseload = _section(page, "team-caseload")
    assert "Alice Test" in caseload and "3 open cases" in caseload and "2 overdue" in caseload
    assert "Mandy Test" in caseload and "0 open cases" in caseload
    assert "View all 2 overdue reviews in your team" in _section(page, "team-overdue")
    overdue = re.search(r'href="(/cases/\?[^"]*overdue=on[^"]*)"', _section(page, "team-overdue")).group(1)
    listed = client_for(client, mandy).get(overdue.replace("&amp;", "&")).content.decode()
    assert "Showing 1–2 of 2 cases" in listed  # the full list counts what the section counted
    assert "View all 1 assessments submitted" in _section(page, "to-approve")
    front = _section(page, "front-door")
    assert "Referral of Referred0 Young" in front and "View all 3 referrals waiting" in front


def test_a_chair_sees_how_ready_the_meetings_they_chair_are(client, world, colin):
    page = _section(client_for(client, colin).get(reverse("dashboard")).content.decode(), "chaired-meetings")
    assert page.count("Northfield MACE") == 3 and "1 item on the agenda" in page
    assert "Packs 0 of 2 ready" in page  # queued for the council and the police, not built in this test


def test_a_partner_sees_what_is_new_requests_their_agencys_actions_and_meetings(client, world, pete):
    page = client_for(client, pete).get(reverse("dashboard")).content.decode()
    assert "View all 9 unread" in _section(page, "new-for-agency")  # 3 shares, 3 requests, 3 actions
    assert "View all 3 open requests" in _section(page, "requests")
    actions = _section(page, "agency-actions")
    assert "Patrol the park 0" in actions and "Walk the route" not in actions  # the council's are not theirs
    assert _section(page, "meetings").count("Northfield MACE") == 3


def test_another_agencys_records_never_appear(client, world, alice, mandy, colin, pete, oscar):
    for user in (alice, mandy, colin, pete, oscar):
        page = client_for(client, user).get(reverse("dashboard")).content.decode()
        assert "Elsewhere" not in page and "Sally" not in page
    page = client_for(client, oscar).get(reverse("dashboard")).content.decode()  # housing: nothing shared
    assert "Northfield MACE" not in page and "Patrol the park" not in page and "Referred0" not in page


# --- The same queries for 1 row as for 10 ------------------------------------------------------------------------

PAGE = ["session", "user and agency", "role permissions"]
NEW = ["the reader's unread notifications of what is new for their agency (last 30 days, first 5)",
       "how many of them"]
RECENT = ["ids of the young people the reader viewed last (their view audit rows, latest 100)",
          "those young people, where the reader can still see them"]
MEETINGS = ["meetings in the next 30 days the agency is invited to or sits on the panel of, not chaired by the "
            "reader (first 5)", "how many"]
REQUESTS = ["open requests to the reader's agency through the door, soonest due (first 5), with assessment and "
            "subject", "how many"]
DRAFTS = ["the reader's draft or returned assessments (first 5), with framework, subject and request counts",
          "how many"]
MY_CASES = ["the open cases the reader leads, next review soonest (first 6), with young person, agency and lead (the "
            "slice's ids picked in a subquery)", "how many"]
MY_ACTIONS = ["outstanding panel actions the reader is named on (first 5), with meeting and panel",
              "outstanding interventions the reader is named on (first 5)"]

PINNED = {
    "alice": [*PAGE, *NEW, *MY_CASES, *MY_ACTIONS, *DRAFTS, *REQUESTS, *MEETINGS, *RECENT],
    "mandy": [*PAGE, *NEW, *MY_CASES, *MY_ACTIONS, *DRAFTS,
              "submitted assessments the agency leads, not the reader's (first 5)", "how many",
              "the team's active members with open cases and overdue reviews through the door (first 8)",
              "how many open cases the team leads",
              "the team's cases past review, longest overdue first (first 5), with young person, agency and lead",
              "how many",
              "young people's referrals waiting at the agency (first 5)",
              "places' and groups' referrals waiting (first 5)", "how many young people's", "how many contexts'",
              *REQUESTS, *MEETINGS, *RECENT],
    "colin": [*PAGE, "coming meetings of panels the reader chairs, with items, share requests and packs by status "
              "(first 5)", "how many", *NEW, *MY_ACTIONS, *REQUESTS, *MEETINGS, *RECENT],
    "pete": [*PAGE, *NEW, "the agency's outstanding panel actions (first 5)", "the agency's outstanding "
             "interventions (first 5)", "how many actions", "how many interventions", *DRAFTS, *REQUESTS,
             *MEETINGS, *RECENT],
}


@pytest.mark.parametrize("n", [1, 10])
def test_each_roles_dashboard_makes_the_same_queries_for_one_row_as_for_ten(client, alice, mandy, colin, pete,
                                                                          agencies, n):
    _world(n, alice=alice, mandy=mandy, colin=colin, pete=pete, agencies=agencies)
    failures = []
    for user in (alice, mandy, colin, pete):
        client_for(client, user).get(reverse("young-person", args=[Case.objects.filter(
            lead_practitioner=alice).first().young_person_id]))  # something recently viewed, where it may be
        try:
            assert_queries(client, user, reverse("dashboard"), PINNED[user.username])
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)
