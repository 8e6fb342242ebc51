"""Pickers (safeguarding/pickers.py): finders through the access door, the /find/<kind>/ endpoint, and the forms'
search-then-choose step without JavaScript."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import YoungPerson
from panels.forms import ActionForm
from safeguarding import access, pickers, services
from safeguarding.models import AgencyKind, AuditAction, AuditEvent, User
from tests.conftest import LAWFUL, LAWFUL_FORM

from ..conftest import SYSTEM, assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def _labels(user, kind, text, **kwargs):
    return [match.label for match in pickers.get(kind).find(user, text, **kwargs).matches]


@pytest.fixture
def others(alice):
    """People the lead authority holds besides Jayden: same first name, same birthday, another name."""
    return [YoungPersonFactory(actor=alice, first_name="Jayden", last_name="Smith"),
            YoungPersonFactory(actor=alice, first_name="Amira", last_name="Hussain", known_as=["Mimi"])]


def test_it_finds_a_young_person_by_name_alias_and_misspelling(alice, case, others):
    assert _labels(alice, "young-person", "jayden okafor") == ["Jayden Okafor"]
    assert _labels(alice, "young-person", "Jaden Okafur") == ["Jayden Okafor"]  # misspelt
    assert _labels(alice, "young-person", "okaf") == ["Jayden Okafor"]  # part of a name
    assert _labels(alice, "young-person", "mimi") == ["Amira Hussain"]  # an alias
    assert set(_labels(alice, "young-person", "jayden")) == {"Jayden Okafor", "Jayden Smith"}


def test_it_finds_a_young_person_by_date_of_birth_age_and_reference(alice, case, person, others):
    born = person.date_of_birth
    for typed in (f"{born:%d/%m/%Y}", f"{born.day} {born.month} {born.year}", f"{born:%Y-%m-%d}",
                  f"jayden {born:%d/%m/%Y}"):
        assert "Jayden Okafor" in _labels(alice, "young-person", typed), typed
    assert "Jayden Okafor" in _labels(alice, "young-person", f"jayden {person.age}")
    assert "Jayden Okafor" not in _labels(alice, "young-person", f"jayden {person.age + 3}")
    assert _labels(alice, "young-person", case.reference.lower()) == ["Jayden Okafor"]
    assert _labels(alice, "young-person", f"YP-{person.pk}") == ["Jayden Okafor"]
    YoungPerson.objects.filter(pk=person.pk).update(la_person_id="LA778812", nhs_number="9434765919",
                                                    upn="A123456789012")
    for typed in ("LA778812", "943 476 5919", "a123456789012"):
        assert _labels(alice, "young-person", typed) == ["Jayden Okafor"], typed


def test_what_tells_records_apart_is_shown(alice, case, person):
    match = pickers.get("young-person").find(alice, "jayden").matches[0]
    assert match.pk == person.pk
    assert f"Born {person.date_of_birth:%-d %B %Y} (age {person.age})" in match.hint
    assert "Known as JJ" in match.hint and case.reference in match.hint and f"YP-{person.pk}" in match.hint


def test_the_outsider_finds_no_one_and_the_police_only_what_is_shared(alice, pete, oscar, anna, case, others,
                                                                       agencies):
    for user in (oscar, pete, anna):
        assert _labels(user, "young-person", "jayden") == []
        assert _labels(user, "young-person", case.reference) == []
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert _labels(pete, "young-person", "jayden") == ["Jayden Okafor"]  # not Jayden Smith: not shared
    assert _labels(oscar, "young-person", "jayden") == []


def test_a_case_the_reader_cannot_see_is_never_found_by_its_reference(alice, pete, case, person, agencies):
    other = CaseFactory(actor=alice, young_person=person)
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert _labels(pete, "young-person", case.reference) == ["Jayden Okafor"]
    assert _labels(pete, "young-person", other.reference) == []
    assert other.reference not in pickers.get("young-person").find(pete, "jayden").matches[0].hint


def test_more_than_the_limit_says_so(alice):
    for n in range(pickers.LIMIT + 2):
        YoungPersonFactory(actor=alice, first_name="Tyler", last_name=f"Brown{n:02}")
    found = pickers.get("young-person").find(alice, "tyler")
    assert len(found.matches) == pickers.LIMIT and found.more


def test_people_are_narrowed_to_an_agency(alice, pete, sam, agencies):
    assert _labels(alice, "person", "test") == ["Alice Test", "Pete Test", "Sam Test"]
    assert _labels(alice, "person", "test", agencies=[agencies["police"].pk]) == ["Pete Test"]
    assert pickers.get("person").find(alice, "pete").matches[0].hint == "Northfield Police"


def test_places_by_name_postcode_and_urn(alice, agencies):
    from contexts import services as context_services
    from contexts.models import Place, PlaceKind

    common = {"actor": alice, "model": Place}
    context_services.context_create(**common, name="Eastgate Park", kind=PlaceKind.PARK, postcode="NF1 2AB")
    context_services.context_create(**common, name="Northfield Academy", kind=PlaceKind.SCHOOL, school_urn="123456")
    assert _labels(alice, "place", "eastgate") == ["Eastgate Park"]
    assert _labels(alice, "place", "nf12ab") == ["Eastgate Park"]
    assert _labels(alice, "place", "NF1") == ["Eastgate Park"]
    assert _labels(alice, "place", "123456") == ["Northfield Academy"]
    assert pickers.get("place").find(alice, "eastgate").matches[0].hint == "Park or open space, NF1 2AB"


# The endpoint.

def test_it_answers_json_and_audits_the_search(client, alice, case):
    client_for(client, alice)
    data = client.get("/find/young-person/", {"q": "Jaden"}).json()
    assert [row["label"] for row in data["results"]] == ["Jayden Okafor"] and data["more"] is False
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("occurred_at")
    assert event.actor == alice and event.detail["picker"] == "young-person" and event.detail["results"] == 1
    assert "Jaden" not in str(event.detail)  # what was typed about a child is not copied into the log


def test_invisible_records_are_never_listed(client, oscar, pete, case):
    for user in (oscar, pete):
        client_for(client, user)
        assert client.get("/find/young-person/", {"q": "jayden"}).json()["results"] == []
        assert client.get("/find/young-person/", {"q": case.reference}).json()["results"] == []


def test_input_is_bounded(client, alice, case, agencies):
    client_for(client, alice)
    for q in ("j" * (pickers.QUERY_MAX + 1), "jay\x00den", "jay\ufffdden"):
        response = client.get("/find/young-person/", {"q": q})
        assert response.status_code == 200 and response.json()["results"] == []
    # Agencies that are not ids are ignored (not a server error): Alice is found, not narrowed away.
    found = client.get("/find/person/", {"q": "alice", "agency": ["x", "-1", "9" * 5000, "\u00b2"]}).json()
    assert found["results"][0]["label"] == "Alice Test"
    assert client.get("/find/nothing/", {"q": "a"}).status_code == 404
    client.logout()
    assert client.get("/find/young-person/", {"q": "jayden"}).status_code == 302


def test_the_search_query_count_is_pinned(client, alice, case, others):
    assert_queries(client, alice, "/find/young-person/?q=jayden", [
        "session", "user and agency", "role permissions (the door opens to this role)",
        "matching young people the reader may see, with the newest visible case reference, best first",
        "audit row (search)"])
    assert_queries(client, alice, "/find/person/?q=test&agency=1", [
        "session", "user and agency", "matching active people in the agency, with agency", "audit row (search)"])


# Forms: search, then choose, without JavaScript.

def test_the_search_button_shows_matches_keeps_answers_and_saves_nothing(client, alice, case, agencies):
    client_for(client, alice)
    url = f"/cases/{case.pk}/sharing/"
    response = client.post(url, {"agency-find": "police", pickers.FIND: "agency", "level": access.CONTRIBUTE})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="agency" type="radio" value="{agencies["police"].pk}"' in page
    assert re.search(r'value="contribute"[^>]*checked', page)  # the other answer is kept
    assert "govuk-error-summary" not in page
    assert access.sharing(case) == []
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, detail__through="form").count() == 1
    chosen = client.post(url, {"agency": agencies["police"].pk, "level": access.CONTRIBUTE, **LAWFUL_FORM})
    assert chosen.status_code == 302
    assert access.sharing(case) == [(agencies["police"], access.CONTRIBUTE)]


def test_enter_in_the_box_searches_instead_of_refusing(client, alice, case, agencies):
    client_for(client, alice)
    response = client.post(f"/cases/{case.pk}/sharing/", {"agency-find": "academy", "level": access.VIEW})
    assert f'value="{agencies["school"].pk}"' in response.content.decode()
    assert access.sharing(case) == []


def test_at_national_scale_the_share_form_lists_nothing(client, alice, case):
    for n in range(60):
        services.agency_create(actor=SYSTEM, name=f"Youth Offending Team {n:03}", kind=AgencyKind.YOUTH_JUSTICE)
    client_for(client, alice)
    page = client.post(f"/cases/{case.pk}/sharing/", {"agency-find": "offending", "level": access.VIEW})
    page = page.content.decode()
    assert page.count('name="agency" type="radio"') == pickers.LIMIT
    assert "There are more results: refine your search" in page
    assert "Youth Offending Team" not in client.get(f"/cases/{case.pk}/").content.decode()


def _action_data(agency, owner=None, **extra):
    due = timezone.localdate() + timedelta(days=7)
    return {"description": "Visit the park with the youth team", "owner_agency": agency.pk,
            "owner": owner.pk if owner else "", "due_on_0": due.day, "due_on_1": due.month, "due_on_2": due.year,
            **extra}


def test_the_action_owner_is_narrowed_to_the_chosen_agency(alice, pete, sam, agencies):
    people = User.objects.filter(is_active=True)
    refused = ActionForm(_action_data(agencies["police"], sam), people=people)
    assert not refused.is_valid()
    assert refused.errors["owner"] == ["Choose a person in Northfield Police"]
    assert ActionForm(_action_data(agencies["police"], pete), people=people).is_valid()
    # Searching for the owner lists only the chosen agency's people, and keeps the other answers.
    searching = ActionForm(_action_data(agencies["police"], **{"owner-find": "test", pickers.FIND: "owner"}),
                           people=people)
    assert pickers.search_step(alice, searching) and not searching.is_valid()
    html = str(searching["owner"]) + str(searching["description"])
    assert "Pete Test" in html and "Sam Test" not in html and "Alice Test" not in html
    assert "Visit the park with the youth team" in html


def test_a_multiple_picker_keeps_what_is_chosen_and_adds_from_each_search(alice, colin, agencies):
    from panels.forms import PanelForm

    data = {"name": "Northfield MACE", "kind": "mace", "chairs": [str(alice.pk)], "chairs-find": "colin",
            pickers.FIND: "chairs", "member_agencies": [str(agencies["police"].pk)]}
    form = PanelForm(data)
    assert pickers.search_step(alice, form) and not form.is_valid()
    chairs = str(form["chairs"])
    assert re.search(rf'type="checkbox" value="{alice.pk}"[^>]*checked', chairs)  # still chosen
    assert re.search(rf'type="checkbox" value="{colin.pk}"(?![^>]*checked)', chairs)  # found, to tick
    assert "Northfield Police" in str(form["member_agencies"])
    data.pop(pickers.FIND)
    data.update(chairs=[str(alice.pk), str(colin.pk)], **{"chairs-find": ""})
    chosen = PanelForm(data)
    assert chosen.is_valid(), chosen.errors
    assert set(chosen.cleaned_data["chairs"]) == {alice, colin}
