"""The front door: referring young people, places and groups, triage, and transfers between agencies."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import override_settings

from cases import referrals, selectors, services, transfers
from cases.models import CaseTransfer, ReferralStatus, TransferStatus, YoungPerson, YoungPersonReferral
from contexts import services as context_services
from contexts.models import ContextKind, ContextReferral, PeerGroup, Place, PlaceKind
from safeguarding import access, workdays
from safeguarding import services as kernel_services
from safeguarding.models import AgencyKind, AuditAction, AuditEvent, Notification, NotificationKind
from safeguarding.roles import Role
from safeguarding.versioning import EditConflict

from ..conftest import SYSTEM, _person
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

from tests.conftest import LAWFUL as SHARED  # noqa: E402

LAWFUL = {"lawful_basis": "public_task", "special_category": "safeguarding"}


def refer(actor, **extra):
    fields = {"first_name": "Kieran", "last_name": "Ashdown", "date_of_birth": date(2011, 4, 2),
              "postcode": "NF1 2AB", "concerns": "Seen with older males at the station late at night",
              "harm_types": ["cce"], "urgency": "urgent", "family_knows": "Mum knows we are referring",
              "young_person_agreed": "agreed", **LAWFUL, **extra}
    return services.referral_create(actor=actor, **fields)


@pytest.fixture
def southfield(agencies):
    """A second lead authority, whose area is the NF9 district."""
    agency = kernel_services.agency_create(actor=SYSTEM, name="Southfield Council", mfa_required=False,
                                           kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_lead_authority=True)
    return kernel_services.agency_update(actor=SYSTEM, agency=agency, postcode_districts=["NF9"])


@pytest.fixture
def sue(agencies, southfield):
    """A team manager in Southfield."""
    return _person({**agencies, "south": southfield}, "sue", "south", Role.TEAM_MANAGER)


def test_it_routes_to_the_only_lead_authority(pete, mandy, agencies):
    referral = refer(pete)
    assert referral.to_agency == agencies["la"] and referral.status == ReferralStatus.WAITING
    assert AuditEvent.objects.filter(action=AuditAction.REFER, target_id=str(referral.pk)).exists()
    # The front door's team managers are told; the social worker is not.
    told = Notification.objects.filter(kind=NotificationKind.REFERRAL_RECEIVED)
    assert [n.recipient for n in told] == [mandy]


def test_it_routes_by_postcode_and_the_referrer_may_choose(pete, agencies, southfield):
    kernel_services.agency_update(actor=SYSTEM, agency=agencies["la"], postcode_districts=["NF1", "NF2"])
    assert refer(pete, postcode="nf9 3xy").to_agency == southfield
    assert refer(pete, postcode="NF2 1AA").to_agency == agencies["la"]
    chosen = refer(pete, postcode="NF9 3XY", to_agency=agencies["la"])
    assert chosen.to_agency == agencies["la"] and chosen.routed_to == southfield
    with pytest.raises(ValidationError):  # an area nobody holds, and two authorities: the referrer must choose
        refer(pete, postcode="ZZ1 1ZZ")


def test_it_cannot_be_referred_to_a_partner_or_by_an_analyst(pete, anna, agencies):
    with pytest.raises(ValidationError):
        refer(pete, to_agency=agencies["school"])
    with pytest.raises(PermissionDenied):
        refer(anna)


def test_the_clock_counts_working_days():
    friday, saturday = date(2026, 12, 4), date(2026, 12, 5)
    assert workdays.add_working_days(friday, 1) == date(2026, 12, 7)  # Monday
    assert workdays.add_working_days(saturday, 1) == date(2026, 12, 7)
    assert workdays.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)  # Christmas, Boxing Day (28th)
    with override_settings(REFERRAL_DECISION_WORKING_DAYS=3):
        assert referrals.decide_by(friday) == date(2026, 12, 9)


def test_an_overdue_referral_is_shown_overdue(pete, mandy):
    referral = refer(pete)
    YoungPersonReferral.objects.filter(pk=referral.pk).update(decide_by=date.today() - timedelta(days=1))
    waiting = selectors.front_door(mandy)[referrals.KINDS["young-person"]]
    assert [r.pk for r in waiting] == [referral.pk] and waiting[0].is_overdue


def test_accepting_opens_a_case_for_a_new_young_person_the_referrer_can_open(pete, mandy, alice):
    referral = refer(pete)
    done = services.referral_accept(actor=mandy, referral=referral, expected_version=referral.version,
                                    lead_practitioner=alice)
    assert done.status == ReferralStatus.ACCEPTED and done.case.lead_practitioner == alice
    assert done.young_person.full_name == "Kieran Ashdown" and done.case.harm_types == ["cce"]
    assert access.can(pete, done.case) and not access.can(pete, done.case, access.CONTRIBUTE)
    assert access.can(pete, done.young_person)
    assert Notification.objects.filter(recipient=pete, kind=NotificationKind.REFERRAL_DECIDED).exists()


def test_accepting_for_an_existing_young_person_or_joining_their_open_case(pete, mandy, alice, person, case):
    first = refer(pete, first_name="Jaden", last_name="Okafur", date_of_birth=person.date_of_birth)
    assert person in selectors.referral_duplicates(mandy, first)  # trigram name and date of birth
    assert selectors.referral_duplicates(pete, first) == []  # the referrer is shown nobody
    done = services.referral_accept(actor=mandy, referral=first, expected_version=1, young_person=person)
    assert done.young_person == person and done.case != case and YoungPerson.objects.count() == 1
    second = refer(pete, first_name="Jayden", last_name="Okafor")
    joined = services.referral_accept(actor=mandy, referral=second, expected_version=1, case=case)
    assert joined.case == case and access.can(pete, case)


def test_declining_says_why_and_the_referrer_is_told(pete, mandy):
    referral = refer(pete)
    with pytest.raises(ValidationError):
        referrals.referral_decline(actor=mandy, referral=referral, expected_version=1, reason=" ")
    done = referrals.referral_decline(actor=mandy, referral=referral, expected_version=1,
                                      reason="Known to early help", advice="Talk to the school's early help lead")
    assert done.status == ReferralStatus.DECLINED and done.advice
    assert Notification.objects.filter(recipient=pete, kind=NotificationKind.REFERRAL_DECIDED).exists()
    with pytest.raises(ValidationError):  # decided already
        referrals.referral_decline(actor=mandy, referral=done, expected_version=done.version, reason="Again")


def test_more_information_goes_to_the_referrer_and_back_to_the_queue(pete, mandy, sam):
    referral = refer(pete)
    asked = referrals.referral_ask(actor=mandy, referral=referral, expected_version=1, question="Which school?")
    assert asked.status == ReferralStatus.MORE_INFORMATION
    assert Notification.objects.filter(recipient=pete, kind=NotificationKind.MORE_INFORMATION).exists()
    with pytest.raises(ValidationError):  # not decided while the question is out
        referrals.referral_decline(actor=mandy, referral=asked, expected_version=asked.version, reason="x")
    with pytest.raises(Http404):  # the school knows nothing of it
        referrals.referral_answer(actor=sam, referral=asked, expected_version=asked.version, answer="Northfield")
    with pytest.raises(PermissionDenied):
        referrals.referral_answer(actor=mandy, referral=asked, expected_version=asked.version, answer="x")
    answered = referrals.referral_answer(actor=pete, referral=asked, expected_version=asked.version,
                                         answer="Northfield Academy")
    assert answered.status == ReferralStatus.WAITING and "Northfield Academy" in answered.more_information_given
    assert [r.pk for r in selectors.front_door(mandy)[referrals.KINDS["young-person"]]] == [referral.pk]


def test_the_referrers_colleagues_see_it_and_an_outsider_does_not(pete, polly, oscar, mandy):
    referral = refer(pete)
    assert list(selectors.agency_referrals(polly)[referrals.KINDS["young-person"]]) == [referral]
    assert list(selectors.agency_referrals(oscar)[referrals.KINDS["young-person"]]) == []
    with pytest.raises(Http404):
        selectors.referral_for(oscar, "young-person", referral.pk)
    with pytest.raises(Http404):
        services.referral_accept(actor=oscar, referral=referral, expected_version=1)
    with pytest.raises(PermissionDenied):  # the police manager sees it but does not decide it
        referrals.referral_decline(actor=polly, referral=referral, expected_version=1, reason="x")


@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_once_cannot_both_win(pete, mandy, agencies):
    other = _person(agencies, "maria", "la", Role.TEAM_MANAGER)
    referral = refer(pete)
    results = []
    barrier = threading.Barrier(2)

    def decide(actor, how):
        try:
            barrier.wait()
            if how == "accept":
                services.referral_accept(actor=actor, referral=referral, expected_version=1)
            else:
                referrals.referral_decline(actor=actor, referral=referral, expected_version=1, reason="Not EFH")
            results.append("won")
        except (EditConflict, ValidationError):
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(mandy, "accept")),
               threading.Thread(target=decide, args=(other, "decline"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["refused", "won"]
    assert AuditEvent.objects.filter(action=AuditAction.DECIDE).count() == 1


# --- Places and peer groups --------------------------------------------------------------------------------------

def test_a_partners_own_place_stays_theirs(pete, alice, agencies):
    """The old rule (every lead authority granted every partner's place) is gone: the route is a referral."""
    place = context_services.context_create(actor=pete, model=Place, name="Bus station", kind=PlaceKind.TRANSPORT)
    assert not access.can(alice, place)
    assert not AuditEvent.objects.filter(action=AuditAction.SHARE).exists()


def test_a_place_is_referred_and_accepted_as_a_new_place(pete, mandy, alice):
    place = context_services.context_create(actor=pete, model=Place, name="Bus station", kind=PlaceKind.TRANSPORT,
                                            postcode="NF1 1AA")
    referral = context_services.context_referral_create(
        actor=pete, record=place, concerns="Young people approached by adults", harm_types=["cce"], **LAWFUL)
    assert referral.name == "Bus station" and referral.kind == ContextKind.PLACE
    assert selectors.referral_for(mandy, "context", referral.pk) == referral
    done = context_services.context_referral_accept(actor=mandy, referral=referral, expected_version=1,
                                                    lead_practitioner=alice)
    created = done.place
    assert created != place and created.owning_agency == mandy.agency and access.can(pete, created)


def test_a_group_referral_joins_an_existing_group_shown_as_a_duplicate(pete, mandy, alice):
    group = context_services.context_create(actor=alice, model=PeerGroup, name="Eastgate Boys")
    referral = context_services.context_referral_create(
        actor=pete, kind=ContextKind.PEER_GROUP, name="eastgate boyz", concerns="Fights after school",
        harm_types=["syv"], **LAWFUL)
    assert group in context_services_duplicates(mandy, referral)
    done = context_services.context_referral_accept(actor=mandy, referral=referral, expected_version=1, record=group)
    assert done.peer_group == group and access.can(pete, group)
    assert ContextReferral.objects.get().status == ReferralStatus.ACCEPTED


def context_services_duplicates(user, referral):
    return referrals.kind_of(referral).duplicates(user, referral)


# --- Transfers -------------------------------------------------------------------------------------------------------

def test_a_transfer_accepted_moves_ownership_and_manage(mandy, alice, case, sue, southfield, agencies):
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=SHARED)
    transfer = transfers.transfer_request(actor=mandy, record=case, to_agency=southfield, reason="Moved to Southfield",
                                          basis=SHARED)
    assert Notification.objects.filter(recipient=sue, kind=NotificationKind.TRANSFER_ASKED).exists()
    with pytest.raises(ValidationError):  # one open request at a time
        transfers.transfer_request(actor=mandy, record=case, to_agency=southfield, reason="Again", basis=SHARED)
    done = transfers.transfer_accept(actor=sue, transfer=transfer, expected_version=1, lead_practitioner=sue)
    case.refresh_from_db()
    assert done.status == TransferStatus.ACCEPTED and case.owning_agency == southfield and case.lead_practitioner == sue
    assert access.can(sue, case, access.MANAGE)
    assert access.can(alice, case) and not access.can(alice, case, access.CONTRIBUTE)  # the old owner keeps view
    assert access.can(_fresh_pete(agencies), case)  # shares stay
    assert Notification.objects.filter(recipient=mandy, kind=NotificationKind.TRANSFER_DECIDED).exists()
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER, target_id=str(case.pk)).exists()


def _fresh_pete(agencies):
    from safeguarding.models import User

    return User.objects.filter(agency=agencies["police"]).first() or _person(
        agencies, "pete", "police", Role.PARTNER_PRACTITIONER)


def test_a_transfer_without_keeping_view_takes_it_all(mandy, alice, case, sue, southfield):
    transfer = transfers.transfer_request(actor=mandy, record=case, to_agency=southfield, reason="Moved",
                                          keep_view=False, basis=SHARED)
    transfers.transfer_accept(actor=sue, transfer=transfer, expected_version=1, lead_practitioner=sue)
    assert not access.can(alice, case)


def test_a_transfer_rejected_keeps_the_grants(mandy, alice, case, sue, southfield):
    transfer = transfers.transfer_request(actor=mandy, record=case, to_agency=southfield, reason="Moved", basis=SHARED)
    with pytest.raises(PermissionDenied):  # the asking side does not answer its own request
        transfers.transfer_reject(actor=mandy, transfer=transfer, expected_version=1, reason="No")
    done = transfers.transfer_reject(actor=sue, transfer=transfer, expected_version=1, reason="Not in our area yet")
    case.refresh_from_db()
    assert done.status == TransferStatus.REJECTED and case.owning_agency == mandy.agency
    assert access.can(alice, case, access.MANAGE) and not access.can(sue, case)


def test_a_place_is_transferred_and_only_managers_ask(mandy, alice, sue, southfield):
    place = context_services.context_create(actor=alice, model=Place, name="Underpass", kind=PlaceKind.STREET)
    with pytest.raises(PermissionDenied):
        transfers.transfer_request(actor=alice, record=place, to_agency=southfield, reason="Theirs",
                                   basis=SHARED)
    transfer = transfers.transfer_request(actor=mandy, record=place, to_agency=southfield, reason="Theirs",
                                          basis=SHARED)
    with pytest.raises(Http404):
        selectors.transfer_for(_person_in_housing(), "context", transfer.pk)
    transfers.transfer_accept(actor=sue, transfer=transfer, expected_version=1, lead_practitioner=sue)
    place.refresh_from_db()
    assert place.owning_agency == southfield and CaseTransfer.objects.count() == 0


def _person_in_housing():
    from safeguarding.models import Agency

    return kernel_services.user_create(actor=SYSTEM, username="hal", agency=Agency.objects.get(name="Northfield Homes"),
                                       roles=[Role.PARTNER_PRACTITIONER], first_name="Hal", last_name="Test")


def test_factories_still_make_cases(alice):
    assert CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice)).is_open


def test_a_referral_overdue_reminds_the_front_doors_managers_once_a_day(pete, mandy, alice):
    from django.utils import timezone

    from cases.reminders import referrals_overdue
    from safeguarding.models import ReminderSent
    from safeguarding.reminders import Run

    referral = refer(pete)
    run = Run(actor=access.system("tests"), today=referral.decide_by + timedelta(days=1), now=timezone.now())
    assert referrals_overdue(run) == 1 and referrals_overdue(run) == 0
    assert list(ReminderSent.objects.values_list("person__username", flat=True)) == ["mandy"]


def test_the_front_door_may_work_on_the_partners_own_place_it_was_referred(pete, mandy, alice):
    place = context_services.context_create(actor=pete, model=Place, name="Tower Court flats", kind=PlaceKind.HOUSING)
    referral = context_services.context_referral_create(actor=pete, record=place, concerns="Adults visiting",
                                                        harm_types=["cce"], **LAWFUL)
    done = context_services.context_referral_accept(actor=mandy, referral=referral, expected_version=1, record=place)
    place.refresh_from_db()
    assert done.place == place and place.owning_agency == pete.agency  # still the police's own
    assert access.can(alice, place, access.CONTRIBUTE) and not access.can(alice, place, access.MANAGE)
    assert AuditEvent.objects.filter(action=AuditAction.SHARE, detail__cause="referral",
                                     detail__because=referral.audit_label).exists()


def test_accepting_cannot_join_a_place_the_front_door_cannot_see(pete, sam, mandy):
    hidden = context_services.context_create(actor=sam, model=Place, name="School gate", kind=PlaceKind.SCHOOL)
    referral = context_services.context_referral_create(
        actor=pete, kind=ContextKind.PLACE, name="School gate", place_kind=PlaceKind.SCHOOL, concerns="x",
        harm_types=["cce"], **LAWFUL)
    with pytest.raises(Http404):
        context_services.context_referral_accept(actor=mandy, referral=referral, expected_version=1, record=hidden)
