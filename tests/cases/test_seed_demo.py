"""seed_demo: the fictional borough it loads, the logins it prints, and running it twice.

The borough is seeded once for the module, inside a transaction rolled back at the end, so that the tests
stay fast and leave the test database as they found it.
"""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F
from django.test import RequestFactory
from django.utils import timezone

from cases.demo import OLD_CASES, TRANSITION_PERSON_ID
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    ChronologyEntry,
    TransitionPlan,
    TransitionStatus,
    TrustedAdult,
    VoiceEntry,
    YoungPerson,
)
from safeguarding import access
from safeguarding.models import Agency, AuditEvent, User
from safeguarding.roles import Role

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "northfield-demo-2026"
DEMO_LOGINS = ["sw.demo", "tm.demo", "chair.demo", "police.demo", "school.demo", "analyst.demo", "admin.demo",
               "dpo.demo"]
COUNTED = [Agency, User, YoungPerson, Case, ChronologyEntry, TrustedAdult, VoiceEntry,
           CaseGroupObjectPermission, AuditEvent]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", young_people=12, force=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


def test_it_adds_nothing_the_second_time(seeded):
    before = counts()
    again = seed()
    assert counts() == before
    assert "already present" in again
    assert "sw.demo" in again


def test_it_loads_a_borough_with_one_lead_authority(seeded):
    assert Agency.objects.count() >= 8
    assert Agency.objects.filter(is_lead_authority=True).count() == 1
    assert YoungPerson.objects.count() == 12 + 1 + 1 + OLD_CASES  # the story's young person (cases.demo.story),
    # Shannon, 17, moving to adult services, and a few whose cases closed years ago (retention)
    assert TransitionPlan.objects.filter(case__young_person__la_person_id=TRANSITION_PERSON_ID,
                                         status=TransitionStatus.PLANNING).count() == 1
    assert Case.objects.exists()


def test_it_tells_one_young_persons_year_in_records(seeded):
    from cases.demo import STORY_PERSON_ID
    from cases.models import MissingEpisode, NrmReferral

    episodes = list(MissingEpisode.objects.filter(case__young_person__la_person_id=STORY_PERSON_ID))
    assert len(episodes) == 4 and all(not e.is_open for e in episodes)
    late = [e for e in episodes if e.interview is not None and e.rhi_lateness()]
    overdue = [e for e in episodes if e.interview is None and e.rhi_lateness()]
    assert len(late) == 1 and late[0].harm_disclosed and len(overdue) == 1
    referral = NrmReferral.objects.get(case__young_person__la_person_id=STORY_PERSON_ID)
    assert (referral.rg_decision, referral.cg_decision, referral.devolved_pilot) == ("positive", "positive", True)
    assert ChronologyEntry.objects.filter(nrm_referral=referral).count() == 3
    # The rest of the borough: episodes for cases about going missing, never an entry of those kinds as text.
    assert MissingEpisode.objects.count() > 4
    assert not ChronologyEntry.objects.filter(kind__in=ChronologyEntry.RECORDED_KINDS, missing_episode__isnull=True,
                                              nrm_referral__isnull=True).exists()


def test_it_gives_every_role_someone(seeded):
    for role in Role:
        assert User.objects.filter(groups__name=role.value).exists(), role


def test_it_prints_logins_that_work(seeded):
    assert DEMO_PASSWORD in seeded
    request = RequestFactory().post("/accounts/login/")
    for username in DEMO_LOGINS:
        assert username in seeded
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None, username


def test_its_logins_share_the_printed_authenticator_secret_and_their_agencies_require_it(seeded):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    from safeguarding.demo import DEMO_TOTP_SECRET

    assert DEMO_TOTP_SECRET in seeded and "demo_code" in seeded
    for username in DEMO_LOGINS:
        person = User.objects.get(username=username)
        assert person.agency.mfa_required, username
        totp = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
        assert decrypt(totp.data["secret"]) == DEMO_TOTP_SECRET


def test_it_shares_cases_with_the_police_and_the_school(seeded):
    for username in ["police.demo", "school.demo"]:
        user = User.objects.get(username=username)
        assert access.visible(user, Case.objects.all()).exists(), username


def test_it_dates_chronology_entries_between_birth_and_now(seeded):
    entries = ChronologyEntry.objects.all()
    assert entries.exists()
    assert not entries.filter(occurred_at__gt=timezone.now()).exists()
    assert not entries.filter(occurred_at__date__lt=F("case__young_person__date_of_birth")).exists()
    assert not entries.filter(occurred_at__date__lt=F("case__opened_on")).exists()


def test_it_refuses_to_run_without_debug_or_force(settings):
    settings.DEBUG = False
    before = counts()
    with pytest.raises(CommandError):
        call_command("seed_demo", young_people=1, stdout=StringIO())
    assert counts() == before
