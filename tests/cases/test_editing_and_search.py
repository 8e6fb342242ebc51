"""Finding young people despite misspellings, warning before a duplicate, and edits that never collide."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from cases import selectors, services
from cases.models import Case, YoungPerson
from safeguarding.models import AuditAction, AuditEvent
from safeguarding.versioning import CONFLICT_MESSAGE

from ..conftest import client_for
from ..factories import YoungPersonFactory
from .test_bad_input import person_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["Jaden Okafor", "jayden okafur", "Okafor", "JJ", "Jaiden", "okaf"])
def test_search_tolerates_misspellings_and_finds_aliases(alice, person, typed):
    YoungPersonFactory(actor=alice, first_name="Amelia", last_name="Clarke")
    assert [p.pk for p in selectors.young_people_search(alice, text=typed)] == [person.pk]


def test_search_by_date_of_birth_alone(client, alice, person):
    born = person.date_of_birth
    page = client_for(client, alice).get(reverse("young-people"), {
        "dob_0": born.day, "dob_1": born.month, "dob_2": born.year})
    assert "Okafor" in page.content.decode()


def test_a_search_is_audited_without_the_name_typed(client, alice, person):
    client_for(client, alice).get(reverse("young-people"), {"q": "Jayden"})
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.detail == {"results": 1, "by_date_of_birth": False}


def test_creating_someone_who_may_exist_warns_and_writes_nothing_until_confirmed(client, alice, person):
    born = person.date_of_birth
    data = person_form(first_name="Jaden", last_name="Okafor", date_of_birth_0=born.day,
                       date_of_birth_1=born.month, date_of_birth_2=born.year)
    client_for(client, alice)
    page = client.post(reverse("young-person-new"), data).content.decode()
    assert "This young person may already have a record" in page
    assert reverse("young-person", args=[person.pk]) in page
    assert 'type="checkbox" name="confirmed_new"' in page
    assert YoungPerson.objects.count() == 1
    response = client.post(reverse("young-person-new"), {**data, "confirmed_new": "on"})
    assert response.status_code == 302 and YoungPerson.objects.count() == 2


def test_the_confirmation_box_appears_only_when_there_are_matches(client, alice):
    page = client_for(client, alice).get(reverse("young-person-new")).content.decode()
    assert 'type="hidden" name="confirmed_new"' in page


def test_a_duplicate_warning_never_reveals_a_record_the_person_cannot_see(client, oscar, person):
    born = person.date_of_birth
    data = person_form(first_name="Jayden", last_name="Okafor", date_of_birth_0=born.day,
                       date_of_birth_1=born.month, date_of_birth_2=born.year)
    client_for(client, oscar).post(reverse("young-person-new"), data)
    assert YoungPerson.objects.filter(owning_agency=oscar.agency).count() == 0  # partners cannot add people


def test_the_second_of_two_overlapping_edits_is_refused_and_overwrites_nothing(client, alice, mandy, person):
    form = {**person_form(first_name="Jayden", last_name="Okafor"), "version": person.version}
    born = person.date_of_birth
    form.update(date_of_birth_0=born.day, date_of_birth_1=born.month, date_of_birth_2=born.year)
    url = reverse("young-person-edit", args=[person.pk])
    assert client_for(client, alice).post(url, {**form, "postcode": "NF1 1AA"}).status_code == 302
    page = client_for(client, mandy).post(url, {**form, "postcode": "NF9 9ZZ"}).content.decode()
    assert CONFLICT_MESSAGE.split(".")[0] in page.replace("&#x27;", "'")
    assert 'value="NF9 9ZZ"' in page  # what they typed is still in the form
    person.refresh_from_db()
    assert person.postcode == "NF1 1AA" and person.version == 2


def test_an_edit_based_on_an_old_case_is_refused(alice, case):
    services.case_update(actor=alice, case=case, expected_version=1, summary="First")
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        services.case_update(actor=alice, case=case, expected_version=1, summary="Second")
    assert Case.objects.get(pk=case.pk).summary == "First"


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_cannot_both_win(alice, mandy):
    person = YoungPersonFactory(actor=alice, first_name="Maya", last_name="Hughes",
                                date_of_birth=date(2011, 5, 4))
    barrier, outcomes = threading.Barrier(2), []

    def save(actor, postcode):
        try:
            barrier.wait()
            services.young_person_update(actor=actor, young_person=person, expected_version=1, postcode=postcode)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(who, code)) for who, code in [(alice, "NF1 1AA"),
                                                                                  (mandy, "NF2 2BB")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert YoungPerson.objects.get(pk=person.pk).version == 2
