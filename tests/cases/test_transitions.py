"""Transitional safeguarding (cases.transitions): a case's plan for the move to adult services, the board of young
people from 17 to 25, and the reminder that a plan is needed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import services, transitions
from cases.models import EntryKind, TransitionPlan, TransitionStatus
from cases.reminders import turning_18
from safeguarding import access
from safeguarding import services as kernel_services
from safeguarding.models import AgencyKind, AuditAction, AuditEvent, ReminderSent
from safeguarding.reminders import Run
from safeguarding.versioning import EditConflict
from tests.conftest import LAWFUL

from ..conftest import SYSTEM, assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0, today: date | None = None) -> date:
    return transitions.years_before(today or timezone.localdate(), years) - timedelta(days=days)


@pytest.fixture
def adult_care(db):
    return kernel_services.agency_create(actor=SYSTEM, name="Northfield Adult Social Care",
                                         kind=AgencyKind.ADULT_SOCIAL_CARE)


def case_aged(alice, years: int, days: int = 0, **person):
    young = YoungPersonFactory(actor=alice, date_of_birth=years_ago(years, days), **person)
    return CaseFactory(actor=alice, young_person=young, lead_practitioner=alice)


def open_plan(alice, case, agency, **extra):
    return transitions.transition_plan_open(
        actor=alice, case=case, adult_agency=agency, adult_worker="Priya Chaudhry",
        adult_worker_contact="priya.chaudhry@example.org", continues="Youth worker sessions until 21",
        handover_on=timezone.localdate() + timedelta(days=120), **extra)


def test_it_opens_a_plan_from_17_and_earlier_only_with_a_reason(alice, adult_care):
    seventeen = case_aged(alice, 17, days=3)
    plan = open_plan(alice, seventeen, adult_care)
    assert plan.status == TransitionStatus.PLANNING and plan.opened_by == alice
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_label=plan.audit_label).exists()

    sixteen = case_aged(alice, 16)
    with pytest.raises(ValidationError) as refused:
        open_plan(alice, sixteen, adult_care)
    assert "early_reason" in refused.value.message_dict
    early = open_plan(alice, sixteen, adult_care, early_reason="An NRM decision may come after 18")
    assert early.early_reason.startswith("An NRM")


def test_the_age_plans_start_is_a_setting(alice, adult_care, settings):
    settings.TRANSITION_PLAN_FROM_AGE = 16
    assert open_plan(alice, case_aged(alice, 16, days=1), adult_care).pk


def test_it_hands_over_only_to_adult_services(alice, agencies):
    with pytest.raises(ValidationError) as refused:
        open_plan(alice, case_aged(alice, 17), agencies["police"])
    assert "adult_agency" in refused.value.message_dict


def test_a_case_has_one_open_plan_and_the_database_says_so(alice, adult_care):
    case = case_aged(alice, 17)
    plan = open_plan(alice, case, adult_care)
    with pytest.raises(ValidationError):
        open_plan(alice, case, adult_care)
    with pytest.raises(IntegrityError), transaction.atomic():
        TransitionPlan.objects.create(case=case, adult_agency=adult_care, continues="x", opened_by=alice,
                                      handover_on=plan.handover_on)


def test_it_walks_from_planning_to_agreed_to_handed_over_and_a_new_plan_may_follow(alice, mandy, adult_care):
    case = case_aged(alice, 17)
    plan = open_plan(alice, case, adult_care)
    with pytest.raises(ValidationError):  # not agreed yet
        transitions.transition_plan_handover(actor=mandy, plan=plan, expected_version=plan.version)
    plan = transitions.transition_plan_update(actor=alice, plan=plan, expected_version=plan.version, agreed=True,
                                              meeting_on=timezone.localdate() + timedelta(days=60))
    assert plan.status == TransitionStatus.AGREED
    with pytest.raises(EditConflict):
        transitions.transition_plan_update(actor=mandy, plan=plan, expected_version=plan.version - 1, notes="Old")
    done = transitions.transition_plan_handover(actor=mandy, plan=plan, expected_version=plan.version)
    assert done.status == TransitionStatus.HANDED_OVER and done.handed_over_by == mandy and done.handed_over_at
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER, target_label=done.audit_label).exists()
    with pytest.raises(ValidationError):  # a handed-over plan is finished
        transitions.transition_plan_update(actor=alice, plan=done, expected_version=done.version, notes="More")
    case.refresh_from_db()
    assert case.is_open  # the case stays open alongside adult services
    assert open_plan(alice, case, adult_care).pk  # and a new plan can start if support needs planning again


def test_the_meeting_comes_before_the_handover(alice, adult_care):
    with pytest.raises(ValidationError) as refused:
        open_plan(alice, case_aged(alice, 17), adult_care, meeting_on=timezone.localdate() + timedelta(days=365))
    assert "meeting_on" in refused.value.message_dict


def test_only_who_may_change_the_case_plans_its_transition(alice, pete, oscar, agencies, adult_care):
    case = case_aged(alice, 17)
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    with pytest.raises(PermissionDenied):
        open_plan(pete, case, adult_care)
    with pytest.raises(Http404):
        open_plan(oscar, case, adult_care)
    plan = open_plan(alice, case, adult_care)
    with pytest.raises(PermissionDenied):
        transitions.transition_plan_update(actor=pete, plan=plan, expected_version=plan.version, notes="x")


def test_it_walks_the_pages_from_the_case_to_the_handover(client, alice, adult_care):
    case = case_aged(alice, 17, first_name="Keira", last_name="Maddox")
    client_for(client, alice)
    assert reverse("transition", args=[case.pk]) in client.get(reverse("case", args=[case.pk])).content.decode()
    page = client.get(reverse("transition", args=[case.pk])).content.decode()
    assert "There is no transition plan yet" in page and reverse("transition-new", args=[case.pk]) in page
    handover = timezone.localdate() + timedelta(days=90)
    form = {"adult_agency": adult_care.pk, "adult_worker": "Tom Ellery", "adult_worker_contact": "07700 900123",
            "continues": "Her youth worker stays until 21", "handover_on_0": handover.day,
            "handover_on_1": handover.month, "handover_on_2": handover.year, "notes": ""}
    missing = client.post(reverse("transition-new", args=[case.pk]), {**form, "continues": ""})
    assert missing.status_code == 200 and "<title>Error: " in missing.content.decode()
    assert client.post(reverse("transition-new", args=[case.pk]), form).status_code == 302
    plan = TransitionPlan.objects.get(case=case)
    edited = client.post(reverse("transition-edit", args=[case.pk]), {**form, "agreed": "yes", "version": 1})
    assert edited.status_code == 302
    confirm = client.post(reverse("transition-handover", args=[case.pk]), {"version": 2})
    assert "<title>Error: " in confirm.content.decode()
    assert client.post(reverse("transition-handover", args=[case.pk]), {"version": 2, "confirmed": "on"}
                       ).status_code == 302
    plan.refresh_from_db()
    assert plan.status == TransitionStatus.HANDED_OVER and plan.handed_over_by == alice
    page = client.get(reverse("transition", args=[case.pk])).content.decode()
    assert "Handed over" in page and "Tom Ellery" in page
    # Handed over: no more changes, a 409 that says why.
    assert client.get(reverse("transition-edit", args=[case.pk])).status_code == 409


def test_the_board_shows_17_to_25_year_olds_by_transition_status(client, alice, pete, agencies, adult_care):
    none = case_aged(alice, 17, first_name="Noplan")
    planning = case_aged(alice, 19, first_name="Planning")
    open_plan(alice, planning, adult_care)
    case_aged(alice, 15, first_name="Tooyoung")
    client_for(client, alice)
    page = client.get(reverse("transitions")).content.decode()
    assert "Noplan" in page and "Planning" in page and "Tooyoung" not in page
    only_none = client.get(reverse("transitions"), {"status": "none"}).content.decode()
    assert "Noplan" in only_none and "Planning " not in only_none
    assert transitions.board_counts(alice) == {"none": 1, "planning": 1, "agreed": 0, "handed_over": 0}
    # A partner sees only what is shared with them.
    access.share(actor=alice, obj=none, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert transitions.board_counts(pete) == {"none": 1, "planning": 0, "agreed": 0, "handed_over": 0}
    assert reverse("transitions") in client.get(reverse("cases")).content.decode()


PINNED_BOARD = [
    "session",
    "user and agency",
    "role permissions",
    "count of the board's cases (open, visible, 17 to 25, this status)",
    "audit row (search)",
    "counts by status in one aggregate",
    "the page of cases (first 50) with young person, lead and their latest plan's status",
]
PINNED_PLAN = [
    "session",
    "user and agency",
    "the case through the access door, with the reader's levels, agency, young person and lead",
    "audit row (view)",
    "the case's plans, visible, with adult agency, opener and who handed over",
    "role permissions",
]


def test_the_board_and_the_plan_page_make_the_same_queries_for_5_as_for_50(client, alice, adult_care):
    first = None
    for size in (5, 50):
        while TransitionPlan.objects.count() < size:
            case = case_aged(alice, 17 + TransitionPlan.objects.count() % 8)
            first = first or case
            open_plan(alice, case, adult_care)
            case_aged(alice, 18)  # and one without a plan
        assert_queries(client, alice, reverse("transitions"), PINNED_BOARD)
        assert_queries(client, alice, reverse("transitions") + "?status=planning", PINNED_BOARD)
        assert_queries(client, alice, reverse("transition", args=[first.pk]), PINNED_PLAN)


# --- The reminder, on fixed days ------------------------------------------------------------------------------------

DAY = date(2026, 6, 1)


def run_on(day: date) -> Run:
    return Run(actor=access.system("tests"), today=day, now=datetime(day.year, day.month, day.day, 7, tzinfo=UTC))


def test_a_young_person_from_17_without_a_plan_reminds_the_lead_practitioner(alice, adult_care):
    seventeen = CaseFactory(actor=alice, lead_practitioner=alice, young_person=YoungPersonFactory(
        actor=alice, date_of_birth=date(2009, 5, 31)))  # 17 on 31 May 2026
    CaseFactory(actor=alice, lead_practitioner=alice, young_person=YoungPersonFactory(
        actor=alice, date_of_birth=date(2009, 6, 2)))  # 17 tomorrow
    assert turning_18(run_on(DAY)) == 1 and turning_18(run_on(DAY)) == 0  # once a day
    sent = ReminderSent.objects.get()
    assert sent.key == str(seventeen.pk) and sent.person == alice
    open_plan(alice, seventeen, adult_care)
    assert turning_18(run_on(DAY + timedelta(days=1))) == 1  # a plan: no more; the other has turned 17
    assert not ReminderSent.objects.filter(key=str(seventeen.pk), day=DAY + timedelta(days=1)).exists()


def test_an_nrm_referral_brings_the_reminder_forward_to_100_days_before_18(alice, settings):
    settings.TRANSITION_PLAN_FROM_AGE = 18  # an authority that plans late: the NRM timing still reminds early
    nrm, plain = (CaseFactory(actor=alice, lead_practitioner=alice, young_person=YoungPersonFactory(
        actor=alice, date_of_birth=date(2008, 9, 1))) for _ in range(2))  # 18 on 1 September 2026: in 92 days
    early = CaseFactory(actor=alice, lead_practitioner=alice, young_person=YoungPersonFactory(
        actor=alice, date_of_birth=date(2008, 9, 20)))  # 18 in 111 days
    for case in (nrm, early):
        services.chronology_add(actor=alice, case=case, kind=EntryKind.NRM_REFERRAL, text="NRM referral made",
                                occurred_at=datetime(2026, 5, 1, 10, tzinfo=UTC))
    assert turning_18(run_on(DAY)) == 1
    assert ReminderSent.objects.get().key == str(nrm.pk)
    assert turning_18(run_on(date(2026, 6, 20))) == 2  # now the other NRM case is within 100 days too
    assert not ReminderSent.objects.filter(key=str(plain.pk)).exists()
