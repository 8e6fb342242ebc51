"""Validators for the identifiers a young person's record carries.

NHS numbers and unique pupil numbers are checked by python-stdnum (``stdnum.gb.nhs``, ``stdnum.gb.upn``): their
format, and their check digit (NHS: modulus 11) or check letter (DfE: modulus 23).
"""

import re

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.gb import nhs, upn

_POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$")

# Examples that pass the checks, for help text and error messages (the NHS's own "485 777 3456" and the old
# "A123456789012" fail them).
NHS_NUMBER_EXAMPLE = "943 476 5919"
UPN_EXAMPLE = "H801200001001"

# Local authority numbers that stdnum's list (DfE's 2011 codes) lacks, of authorities made since, whose schools issue
# UPNs: Dorset and Bournemouth, Christchurch and Poole (2019), North and West Northamptonshire (2021), Cumberland
# and Westmorland and Furness (2023).
_NEWER_LA_NUMBERS = frozenset({838, 839, 940, 941, 942, 943})


def nhs_number_is_valid(value: str) -> bool:
    """Ten digits with the modulus 11 check digit, as the NHS Data Dictionary defines it (spaces allowed)."""
    return re.fullmatch(r"[0-9 ]+", value or "") is not None and nhs.is_valid(value)


def upn_is_valid(value: str) -> bool:
    """DfE's unique pupil number: a check letter, the LA number, the school's number, the year and a serial (a
    temporary UPN ends with a letter)."""
    try:
        upn.validate(value)
    except stdnum_errors.InvalidComponent:  # an LA number unknown to stdnum: one of the newer ones, checked
        number = upn.compact(value)
        return int(number[1:4]) in _NEWER_LA_NUMBERS and upn.calc_check_digit(number[1:]) == number[0]
    except stdnum_errors.ValidationError:
        return False
    return True


def validate_nhs_number(value: str):
    if value and not nhs_number_is_valid(value):
        raise ValidationError(f"Enter a valid NHS number: 10 digits, like {NHS_NUMBER_EXAMPLE}.")


def validate_postcode(value: str):
    if value and not _POSTCODE.match(value.upper().strip()):
        raise ValidationError("Enter a real postcode, like SE1 7TP.")


def validate_upn(value: str):
    if value and not upn_is_valid(value):
        raise ValidationError("Enter a valid unique pupil number: 13 characters, starting with its check letter, "
                              f"like {UPN_EXAMPLE}.")
