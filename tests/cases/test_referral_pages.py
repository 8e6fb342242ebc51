"""The front door's and transfers' pages: the flow through them, and the queries each makes (pinned, the same for 3
rows as for 12)."""

from datetime import date

import pytest
from django.urls import reverse

from cases import services, transfers
from cases.models import ReferralStatus, YoungPersonReferral
from contexts import services as context_services
from contexts.models import PeerGroup, Place
from safeguarding import access
from safeguarding import services as kernel_services
from safeguarding.models import AgencyKind
from safeguarding.roles import Role

from ..conftest import LAWFUL as SHARED
from ..conftest import LAWFUL_FORM, SYSTEM, _person, assert_queries, client_for

pytestmark = pytest.mark.django_db

LAWFUL = {"lawful_basis": "public_task", "special_category": "safeguarding"}


def refer(actor, n=0, **extra):
    return services.referral_create(
        actor=actor, first_name=f"Kieran{n}", last_name="Ashdown", date_of_birth=date(2011, 4, 2), postcode="NF1 2AB",
        concerns="Seen with older males", harm_types=["cce"], family_knows="Mum knows", young_person_agreed="agreed",
        **LAWFUL, **extra)


def test_a_partner_refers_through_the_form_and_the_manager_accepts_on_the_page(client, pete, mandy, alice):
    client_for(client, pete)
    form = {"first_name": "Kieran", "last_name": "Ashdown", "date_of_birth_0": "2", "date_of_birth_1": "4",
            "date_of_birth_2": "2011", "postcode": "NF1 2AB", "concerns": "Seen with older males",
            "harm_types": ["cce", "missing"], "urgency": "urgent", "family_knows": "Mum knows",
            "young_person_agreed": "agreed", **LAWFUL}
    assert client.post(reverse("referral-new"), {**form, "concerns": ""}).status_code == 200  # errors shown
    response = client.post(reverse("referral-new"), form)
    referral = YoungPersonReferral.objects.get()
    assert response.status_code == 302 and referral.harm_types == ["cce", "missing"]
    assert "Kieran Ashdown" in client.get(reverse("referrals-sent")).content.decode()
    client_for(client, mandy)
    assert "Kieran Ashdown" in client.get(reverse("front-door")).content.decode()
    page = reverse("referral", args=["young-person", referral.pk])
    assert "Add them as a new young person" in client.get(page).content.decode()
    stale = client.post(page + "accept/", {"version": 0, "outcome": "new"})
    assert stale.status_code == 400 and YoungPersonReferral.objects.get().status == ReferralStatus.WAITING
    done = client.post(page + "accept/", {"version": 1, "outcome": "new", "lead_practitioner": alice.pk,
                                          "risk_level": "high"})
    referral.refresh_from_db()
    assert done.status_code == 302 and done.url == reverse("case", args=[referral.case_id])
    assert referral.case.risk_level == "high"
    client_for(client, pete)
    assert client.get(reverse("case", args=[referral.case_id])).status_code == 200


def test_the_front_door_is_for_a_lead_authoritys_managers(client, alice, pete, polly):
    for person in (alice, pete, polly):
        assert client_for(client, person).get(reverse("front-door")).status_code == 403


def test_more_information_and_decline_on_the_page(client, pete, mandy):
    referral = refer(pete)
    page = reverse("referral", args=["young-person", referral.pk])
    client_for(client, mandy)
    assert client.post(page + "more-information/", {"version": 1, "question": ""}).status_code == 400
    assert client.post(page + "more-information/", {"version": 1, "question": "Which school?"}).status_code == 302
    client_for(client, pete)
    assert "Which school?" in client.get(page).content.decode()
    assert client.post(page + "answer/", {"version": 2, "answer": "Northfield Academy"}).status_code == 302
    client_for(client, mandy)
    assert client.post(page + "decline/", {"version": 3, "reason": "Known to early help",
                                           "advice": "Speak to the school"}).status_code == 302
    client_for(client, pete)
    assert "Speak to the school" in client.get(page).content.decode()
    assert client.post(page + "decline/", {"version": 4, "reason": "x"}).status_code == 403


def test_a_place_is_referred_from_its_page_and_a_group_described(client, pete, mandy):
    place = context_services.context_create(actor=pete, model=Place, name="Bus station", kind="transport")
    client_for(client, pete)
    url = reverse("context-referral-new") + f"?place={place.pk}"
    assert "Bus station" in client.get(url).content.decode()
    assert client.post(url, {"concerns": "Approaches", "harm_types": ["cce"], "urgency": "routine",
                             **LAWFUL}).status_code == 302
    assert client.post(reverse("context-referral-new"), {
        "kind": "peer_group", "name": "Station crew", "concerns": "Fights", "harm_types": ["syv"],
        "urgency": "routine", **LAWFUL}).status_code == 302
    client_for(client, mandy)
    text = client.get(reverse("front-door")).content.decode()
    assert "Bus station" in text and "Station crew" in text


@pytest.fixture
def southfield_manager(agencies):
    south = kernel_services.agency_create(actor=SYSTEM, name="Southfield Council", mfa_required=False,
                                          kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_lead_authority=True)
    return _person({**agencies, "south": south}, "sue", "south", Role.TEAM_MANAGER)


def test_a_transfer_is_asked_and_accepted_on_the_pages(client, mandy, alice, case, southfield_manager):
    sue = southfield_manager
    client_for(client, mandy)
    assert "Transfer case" in client.get(reverse("case", args=[case.pk])).content.decode()
    form = {"to_agency": sue.agency_id, "reason": "Moved", "keep_view": "yes"}
    refused = client.post(reverse("case-transfer", args=[case.pk]), form)
    assert "Select the lawful basis for sharing" in refused.content.decode() and not case.transfers.exists()
    asked = client.post(reverse("case-transfer", args=[case.pk]), {**form, **LAWFUL_FORM, "reason": "Moved"})
    assert asked.status_code == 302
    transfer = case.transfers.get()
    client_for(client, sue)
    page = reverse("transfer", args=["case", transfer.pk])
    assert "Accept transfer" in client.get(page).content.decode()
    done = client.post(page + "accept/", {"version": 1, "lead_practitioner": sue.pk})
    assert done.status_code == 302 and done.url == reverse("case", args=[case.pk])
    assert access.can(sue, case, access.MANAGE)
    client_for(client, alice)
    assert client.get(reverse("case", args=[case.pk])).status_code == 200  # kept view


# --- Query pins --------------------------------------------------------------------------------------------------

PAGE = ["session", "user and agency"]
PINNED = {
    # The front door's lists (safeguarding.lists.merged_list_page): each kind's rows filtered and sorted (at most
    # 10,000 a kind), merged, counted and cut into a page in Python; then the filter's agency choices.
    "front_door": [*PAGE, "role permissions",
                   "young people's referrals waiting at the agency, overdue first, with from/by/to",
                   "places' and groups' referrals waiting at the agency, overdue first, with from/by/to",
                   "every agency (the referred-by filter's choices, through a cursor)"],
    "sent": [*PAGE, "role permissions", "young people's referrals the agency made, newest first, with from/by/to",
             "places' and groups' referrals the agency made, newest first, with from/by/to",
             "the lead authorities (the referred-to filter's choices, through a cursor)"],
    "referral_to_triager": [
        *PAGE, "the referral through the door, with its agencies and people", "audit row (view)", "role permissions",
        "possible matches: visible young people of a similar name and the same birthday, with open cases",
        "their open cases the reader's agency manages"],  # the lead practitioner is a picker: nothing listed
    "referral_to_referrer": [*PAGE, "the referral through the door, with its agencies and people", "audit row (view)",
                             "role permissions"],
    "transfers": [*PAGE, "case transfers the agency asked (merged_list_page: up to 10,000 a kind)",
                  "place and group transfers the agency asked", "case transfers asked of the agency",
                  "place and group transfers asked of the agency", "role permissions",
                  "the agencies (the asked-of filter's choices)"],
    "transfer_to_receiver": [*PAGE, "the transfer through the door, with agencies, people and the record",
                             "audit row (view)", "role permissions",
                             "the lead practitioner the picker starts with (the reader), to name them"],
}


def _grow(pete, mandy, alice, n):
    for i in range(n):
        refer(pete, i)
        context_services.context_referral_create(actor=pete, kind="peer_group", name=f"Crew {i}", concerns="Fights",
                                                 harm_types=["syv"], **LAWFUL)
        context_services.context_create(actor=alice, model=PeerGroup, name=f"Crew {i}")  # a possible match


@pytest.mark.parametrize("rows", [3, 12])
def test_the_front_door_pages_make_the_same_queries_for_few_rows_as_many(client, pete, mandy, alice, rows, person):
    _grow(pete, mandy, alice, rows)
    for _ in range(rows):  # possible matches of the first referral: people of the same name and birthday
        services.young_person_create(actor=alice, first_name="Kieran0", last_name="Ashdown",
                                     date_of_birth=date(2011, 4, 2), sex="male")
    first = YoungPersonReferral.objects.order_by("pk").first()
    assert_queries(client, mandy, reverse("front-door"), PINNED["front_door"])
    assert_queries(client, pete, reverse("referrals-sent"), PINNED["sent"])
    detail = reverse("referral", args=["young-person", first.pk])
    assert_queries(client, mandy, detail, PINNED["referral_to_triager"])
    assert_queries(client, pete, detail, PINNED["referral_to_referrer"])


def test_the_transfer_pages_make_the_queries_pinned(client, mandy, alice, southfield_manager):
    sue = southfield_manager
    for i in range(3):
        case = services.case_open(actor=alice, young_person=services.young_person_create(
            actor=alice, first_name=f"T{i}", last_name="Test", date_of_birth=date(2011, 1, 1), sex="male"),
            harm_types=["cce"])
        transfer = transfers.transfer_request(actor=mandy, record=case, to_agency=sue.agency, reason="Moved",
                                              basis=SHARED)
    assert_queries(client, sue, reverse("transfers"), PINNED["transfers"])
    assert_queries(client, sue, reverse("transfer", args=["case", transfer.pk]), PINNED["transfer_to_receiver"])


def test_every_transfer_the_agency_asked_for_is_a_list(client, mandy, alice, pete, southfield_manager):
    """More than a page of them (the page stopped at 50 a kind before), with a total, filters, sorting and pages."""
    sue = southfield_manager
    asked = []
    for i in range(27):
        case = services.case_open(actor=alice, young_person=services.young_person_create(
            actor=alice, first_name=f"T{i:02d}", last_name="Test", date_of_birth=date(2011, 1, 1), sex="male"),
            harm_types=["cce"])
        asked.append(transfers.transfer_request(actor=mandy, record=case, to_agency=sue.agency, reason="Moved",
                                                basis=SHARED))
    transfers.transfer_reject(actor=sue, transfer=asked[0], expected_version=asked[0].version, reason="Not ours")
    client_for(client, mandy)
    page = client.get(reverse("transfers")).content.decode()
    assert "Showing 1–25 of 27 transfers" in page and page.count('href="/transfers/case/') == 25
    assert "Showing 26–27 of 27 transfers" in client.get(reverse("transfers") + "?page=2").content.decode()
    rejected = client.get(reverse("transfers") + "?status=rejected").content.decode()
    assert "Showing 1–1 of 1 transfer" in rejected and f'href="/transfers/case/{asked[0].pk}/"' in rejected
    oldest = client.get(reverse("transfers") + "?sort=asked").content.decode()
    assert oldest.index(f'/transfers/case/{asked[0].pk}/"') < oldest.index(f'/transfers/case/{asked[1].pk}/"')
    wrong = client.get(reverse("transfers") + "?asked_from_0=31&asked_from_1=2&asked_from_2=2026")
    assert wrong.status_code == 400 and "<title>Error: " in wrong.content.decode()
    # Another agency lists none of them as its own; the agency asked has them waiting (all but the one refused).
    police = client_for(client, pete).get(reverse("transfers")).content.decode()
    assert "Your agency has asked for no transfers." in police
    waiting = client_for(client, sue).get(reverse("transfers")).content.decode()
    assert waiting.count('href="/transfers/case/') == 26 and "Your agency has asked for no transfers." in waiting
