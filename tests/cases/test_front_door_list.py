"""The front door (/referrals/) and "my agency's referrals" (/referrals/sent/) as lists of every kind of referral
(safeguarding.lists.merged_list_page): filters, sorting, pages and the total, through the access door."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import ReferralStatus, YoungPersonReferral
from contexts import services as context_services
from contexts.models import ContextReferral
from safeguarding import services as kernel_services
from safeguarding.models import AgencyKind
from safeguarding.roles import Role

from ..conftest import SYSTEM, _person, client_for
from .test_referral_pages import LAWFUL, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sue(agencies):
    """A team manager at another lead authority."""
    south = kernel_services.agency_create(actor=SYSTEM, name="Southfield Council", mfa_required=False,
                                          kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_lead_authority=True)
    return _person({**agencies, "south": south}, "sue", "south", Role.TEAM_MANAGER)


def _links(page: str) -> list[str]:
    return re.findall(r'href="/referrals/((?:young-person|context)/\d+)/"', page)


def _key(referral) -> str:
    return f"{type(referral).kind_word}/{referral.pk}"


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _set(referral, *, days_ago: int, decide_in: int, status=ReferralStatus.WAITING):
    type(referral).objects.filter(pk=referral.pk).update(
        referred_at=timezone.now() - timedelta(days=days_ago), decide_by=timezone.localdate() + timedelta(
            days=decide_in), status=status)
    referral.refresh_from_db()
    return referral


@pytest.fixture
def queue(pete, sam, mandy):
    """To the council: the police's young person overdue, the police's peer group due in 3 days, the school's young
    person with more information asked for (its clock stopped 5 days ago), and one already accepted."""
    group = context_services.context_referral_create(actor=pete, kind="peer_group", name="Station crew",
                                                     concerns="Fights", harm_types=["syv"], **LAWFUL)
    return [
        _set(refer(pete, 0), days_ago=4, decide_in=-1),
        _set(group, days_ago=3, decide_in=3),
        _set(refer(sam, 2), days_ago=2, decide_in=-5, status=ReferralStatus.MORE_INFORMATION),
        _set(refer(pete, 3), days_ago=1, decide_in=2, status=ReferralStatus.ACCEPTED),
    ]


def test_the_front_door_shows_the_open_referrals_overdue_first_then_the_soonest(client, mandy, queue):
    page = client_for(client, mandy).get(reverse("front-door")).content.decode()
    assert _links(page) == [_key(queue[i]) for i in (0, 2, 1)]
    assert "Showing 1–3 of 3 referrals open" in page
    assert "govuk-tag--red\">Overdue" in page and "More information asked" in page and "Waiting" in page
    assert "Station crew (peer group)" in page and "Place or peer group" in page
    assert reverse("referrals-sent") in page and reverse("transfers") in page


@pytest.mark.parametrize(("sort", "order"), [
    ("decide_by", [0, 2, 1]), ("-decide_by", [1, 2, 0]), ("received", [0, 1, 2]), ("-received", [2, 1, 0]),
    ("nonsense", [0, 2, 1]),
])
def test_the_front_door_sorts_every_kind_together(client, mandy, queue, sort, order):
    page = client_for(client, mandy).get(reverse("front-door"), {"sort": sort}).content.decode()
    assert _links(page) == [_key(queue[i]) for i in order]


def test_the_front_door_filters(client, mandy, queue, agencies):
    client_for(client, mandy)

    def shown(**params):
        return _links(client.get(reverse("front-door"), params).content.decode())

    assert shown(kind="context") == [_key(queue[1])]
    assert shown(kind="young-person") == [_key(queue[0]), _key(queue[2])]
    assert shown(status="accepted") == [_key(queue[3])]
    assert shown(status="more_information") == [_key(queue[2])]
    assert shown(referring_agency=agencies["school"].pk) == [_key(queue[2])]
    assert shown(overdue="on") == [_key(queue[0])]
    day = timezone.localdate() - timedelta(days=3)
    assert shown(**_date("received_from", day)) == [_key(queue[2]), _key(queue[1])]
    assert shown(**_date("received_to", day)) == [_key(queue[0]), _key(queue[1])]
    page = client.get(reverse("front-door"), {"overdue": "on"}).content.decode()
    assert "Showing 1–1 of 1 referral" in page and "moj-filter__tag" in page


def test_the_front_door_pages_every_kind_together(client, pete, mandy):
    for i in range(14):
        refer(pete, i)
        context_services.context_referral_create(actor=pete, kind="place", place_kind="shop", name=f"Shop {i}",
                                                 concerns="Seen", harm_types=["cce"], **LAWFUL)
    client_for(client, mandy)
    first = client.get(reverse("front-door"), {"sort": "-received"}).content.decode()
    assert "Showing 1–25 of 28 referrals" in first and len(_links(first)) == 25
    assert "sort=-received&amp;page=2" in first
    second = client.get(reverse("front-door"), {"sort": "-received", "page": 2}).content.decode()
    assert "Showing 26–28 of 28 referrals" in second and len(_links(second)) == 3
    assert set(_links(first)).isdisjoint(_links(second))
    assert "Showing 1–25 of 28" in client.get(reverse("front-door"), {"page": "abc"}).content.decode()


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "999999"}, {"sort": "nonsense"}, {"sort": "referring_agency__name"}, {"kind": "case"},
    {"status": "everything"}, {"referring_agency": "abc"}, {"referring_agency": "999999"}, {"overdue": "x" * 5000},
    {"received_from_0": "31", "received_from_1": "2", "received_from_2": "2026"},
    {"received_to_0": "1", "received_to_1": "1", "received_to_2": "99999999999999999999"},
])
@pytest.mark.parametrize("url", ["front-door", "referrals-sent"])
def test_hostile_input_never_fails(client, mandy, pete, queue, params, url):
    response = client_for(client, mandy if url == "front-door" else pete).get(reverse(url), params)
    assert response.status_code in (200, 400)
    page = response.content.decode()
    if response.status_code == 400:
        assert "There is a problem" in page and "govuk-error-summary" in page and _links(page) == []
        assert "<title>Error: " in page
    else:
        assert _links(page)


def test_an_impossible_received_date_is_a_gov_uk_error(client, mandy, queue):
    response = client_for(client, mandy).get(reverse("front-door"), _date("received_from", timezone.localdate()) | {
        "received_from_0": "30", "received_from_1": "2"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()


def test_another_authority_sees_none_of_the_councils_referrals(client, queue, sue, oscar):
    page = client_for(client, sue).get(reverse("front-door"), {"status": "accepted"}).content.decode()
    assert _links(page) == [] and "No referrals" in page
    page = client.get(reverse("front-door"), {"overdue": "on", "referring_agency": queue[0].referring_agency_id})
    assert _links(page.content.decode()) == []
    page = client_for(client, oscar).get(reverse("referrals-sent")).content.decode()
    assert _links(page) == [] and "Your agency has made no referrals." in page


def test_the_sent_list_is_the_agencys_own_newest_first_and_filters(client, pete, sam, queue, agencies,
                                                                    sue):
    client_for(client, pete)
    page = client.get(reverse("referrals-sent")).content.decode()
    assert _links(page) == [_key(queue[i]) for i in (3, 1, 0)]  # not the school's
    assert "Showing 1–3 of 3 referrals" in page and "govuk-tag--green\">Accepted" in page
    assert reverse("referral-new") in page and reverse("context-referral-new") in page

    def shown(**params):
        return _links(client.get(reverse("referrals-sent"), params).content.decode())

    assert shown(sort="received") == [_key(queue[i]) for i in (0, 1, 3)]
    assert shown(sort="decide_by") == [_key(queue[i]) for i in (0, 3, 1)]  # overdue first
    assert shown(kind="context") == [_key(queue[1])]
    assert shown(status="waiting") == [_key(queue[1]), _key(queue[0])]
    assert shown(overdue="on") == [_key(queue[0])]
    assert shown(to_agency=agencies["la"].pk) == [_key(queue[i]) for i in (3, 1, 0)]
    assert shown(to_agency=sue.agency_id) == []
    assert ContextReferral.objects.count() == 1 and YoungPersonReferral.objects.count() == 3
