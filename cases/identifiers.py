"""Validators for the identifiers a young person's record carries."""

import re

from django.core.exceptions import ValidationError

_POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$")
_UPN = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$")


def nhs_number_is_valid(value: str) -> bool:
    """Modulus 11 check digit, as the NHS Data Dictionary defines it."""
    digits = value.replace(" ", "")
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str):
    if value and not nhs_number_is_valid(value):
        raise ValidationError("Enter a valid NHS number: 10 digits, like 485 777 3456.")


def validate_postcode(value: str):
    if value and not _POSTCODE.match(value.upper().strip()):
        raise ValidationError("Enter a real postcode, like SE1 7TP.")


def validate_upn(value: str):
    if value and not _UPN.match(value.upper()):
        raise ValidationError("Enter a unique pupil number: a letter followed by 12 characters, like A123456789012.")
