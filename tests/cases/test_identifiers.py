"""NHS numbers and unique pupil numbers are checked by python-stdnum: their shape and their check digit or letter."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.forms import YoungPersonForm
from cases.identifiers import (
    NHS_NUMBER_EXAMPLE,
    UPN_EXAMPLE,
    nhs_number_is_valid,
    upn_is_valid,
    validate_nhs_number,
    validate_upn,
)
from cases.models import YoungPerson

from ..conftest import client_for
from .test_bad_input import person_form, refused

VALID_NHS = ["9434765919", "943 476 5919", "4010232137", "9999999999"]
INVALID_NHS = [
    "9434765918",  # wrong check digit
    "485 777 3456",  # the NHS website's example: its check digit is wrong on purpose
    "4010232138",
    "123456789",  # nine digits
    "94347659191",  # eleven
    "943476591A",
    "9434-765-919",  # only spaces separate the groups
]
VALID_UPN = ["H801200001001", "h801 2000 01001", "B801200005001", UPN_EXAMPLE]
INVALID_UPN = [
    "A801200005001",  # the check letter of B801200005001, changed
    "C801200001001",
    "A123456789012",  # the form's old example: wrong check letter and LA 123 does not exist
    "H80120000100",  # twelve characters
    "H8012000010011",  # fourteen
    "I801200001001",  # I is never a check letter
    "X80120000A001",  # the middle is digits only
]


@pytest.mark.parametrize("number", VALID_NHS)
def test_nhs_numbers_with_their_check_digit_pass(number):
    assert nhs_number_is_valid(number)
    validate_nhs_number(number)


@pytest.mark.parametrize("number", INVALID_NHS)
def test_nhs_numbers_without_it_are_refused(number):
    assert not nhs_number_is_valid(number)
    with pytest.raises(ValidationError):
        validate_nhs_number(number)


@pytest.mark.parametrize("number", VALID_UPN)
def test_upns_with_their_check_letter_pass(number):
    assert upn_is_valid(number)
    validate_upn(number)


@pytest.mark.parametrize("number", INVALID_UPN)
def test_upns_with_a_wrong_check_letter_or_shape_are_refused(number):
    assert not upn_is_valid(number)
    with pytest.raises(ValidationError):
        validate_upn(number)


def _upn(la: int, rest: str = "000100101") -> str:
    from stdnum.gb import upn

    body = f"{la:03d}{rest}"
    return upn.calc_check_digit(body) + body


def test_upns_of_authorities_made_since_stdnums_list_pass_with_the_right_check_letter():
    for la in (838, 839, 940, 941, 942, 943):  # Dorset, BCP, the Northamptonshires, Cumberland, Westmorland
        number = _upn(la)
        assert upn_is_valid(number), number
        wrong = ("B" if number[0] != "B" else "C") + number[1:]
        assert not upn_is_valid(wrong), wrong
    assert not upn_is_valid(_upn(123))  # no such authority


def test_the_forms_examples_pass_their_own_checks():
    form = YoungPersonForm()
    assert NHS_NUMBER_EXAMPLE in str(form.fields["nhs_number"].help_text)
    assert UPN_EXAMPLE in str(form.fields["upn"].help_text)
    assert nhs_number_is_valid(NHS_NUMBER_EXAMPLE) and upn_is_valid(UPN_EXAMPLE)


@pytest.mark.django_db
def test_a_upn_with_a_wrong_check_letter_is_refused_by_the_form_and_nothing_is_written(client, alice):
    client_for(client, alice)
    page = refused(client.post(reverse("young-person-new"), person_form(upn="A801200005001")))
    assert "Enter a valid unique pupil number" in page and UPN_EXAMPLE in page
    assert not YoungPerson.objects.exists()


@pytest.mark.django_db
def test_a_valid_upn_typed_with_spaces_in_lower_case_is_stored_as_capitals(client, alice):
    client_for(client, alice).post(reverse("young-person-new"), person_form(upn="b801 2000 05001"))
    assert YoungPerson.objects.get().upn == "B801200005001"
