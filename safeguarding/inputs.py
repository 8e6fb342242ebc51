"""Hostile input, refused in one place: every form field, and every query-string value read outside a form.

``harden(form)`` (called by ``gds_helper``, which every form calls, and again just before the form is cleaned, so a
field added later is covered too) wraps each field's ``clean`` so that, whatever the field, what was sent is refused
with a GOV.UK-style message naming the field when it holds:

- control characters (a null byte and the rest of C0 and C1, DEL, U+FFFE/U+FFFF); tab, line feed and carriage return
  only in multi-line text (a text area, or a string inside JSON typed into one);
- lone surrogates, or bytes that were not UTF-8 (Django decodes them to U+FFFD, the replacement character);
- more text than the field takes (its own ``max_length``, else ``TEXT_MAX``; ``RAW_MAX`` for anything not text);
- JSON bigger than ``JSON_MAX`` characters, nested deeper than ``JSON_DEPTH``, with numbers longer than
  ``NUMBER_DIGITS`` digits, or NaN/Infinity;
- a date outside ``YEAR_MIN``..``YEAR_MAX``, or parts that overflow (a 20-digit year);
- a number beyond the field's own bounds, else beyond a 32-bit integer.

A parser still failing on something not foreseen (OverflowError, RecursionError, ValueError) becomes the field's
error too, never a server error. Labels and hints are escaped here as well: the GOV.UK form templates mark them
safe, and some come from data (a framework's questions).
"""

import datetime
import html
import math
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.html import conditional_escape

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
LINE = re.compile(r"[\t\n\r]")
UNREADABLE = re.compile(r"[\ud800-\udfff\ufffd]")
TEXT_MAX = 20_000
RAW_MAX = 1_000
JSON_MAX = 100_000
JSON_DEPTH = 20
NUMBER_DIGITS = 15
YEAR_MIN, YEAR_MAX = 1900, 2100
INT_MAX = 2**31 - 1
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_LONG_NUMBER = re.compile(rf"\d{{{NUMBER_DIGITS + 1},}}")


def text_problem(value: str, *, multiline: bool) -> str | None:
    """What is wrong with a piece of text as text (not its length), or None."""
    if UNREADABLE.search(value):
        return "includes characters that could not be read: type them again"
    if CONTROL.search(value) or (not multiline and LINE.search(value)):
        return ("must not include control characters" if multiline
                else "must not include control characters, tabs or line breaks")
    return None


def param(request, name: str, default: str = "", *, max_length: int = 200, choices=None) -> str:
    """A query-string value read outside a form: ``default`` when it is absent, too long, not one of ``choices``,
    or holds anything ``text_problem`` refuses. Never raises."""
    value = request.GET.get(name, default)
    if not isinstance(value, str) or len(value) > max_length or text_problem(value, multiline=False):
        return default
    if choices is not None and value not in choices:
        return default
    return value


def _multiline(field) -> bool:
    return isinstance(field, forms.JSONField) or isinstance(field.widget, forms.Textarea)


def _limit(field) -> int:
    if isinstance(field, forms.JSONField):
        return JSON_MAX
    if isinstance(field, forms.CharField):
        return field.max_length or TEXT_MAX
    return RAW_MAX


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for part in value:
            yield from _strings(part)


def _check_sent(field, label: str, value):
    """What was sent, before the field parses it."""
    multiline, limit = _multiline(field), _limit(field)
    for text in _strings(value):
        if problem := text_problem(text, multiline=multiline):
            raise ValidationError(f"{label} {problem}", code="hostile")
        if len(text.strip()) > limit:
            raise ValidationError(f"{label} must be {limit:,} characters or fewer", code="max_length")
    if isinstance(field, forms.JSONField) and isinstance(value, str):
        _check_json_text(label, value)


def _check_json_text(label: str, text: str):
    bare = _JSON_STRING.sub('""', text)
    depth = deepest = 0
    for bracket in _BRACKET.finditer(bare):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > JSON_DEPTH:
            raise ValidationError(f"{label} is nested too deeply: use at most {JSON_DEPTH} levels of brackets",
                                  code="json_depth")
    if _LONG_NUMBER.search(bare):
        raise ValidationError(f"{label} has a number longer than {NUMBER_DIGITS} digits", code="json_number")


def _bounds(field):
    low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
    return (-INT_MAX if low is None else low), (INT_MAX if high is None else high)


def _check_cleaned(field, label: str, value, *, in_json: bool = False):
    """What the field made of it: every string, date and number inside, however nested."""
    if isinstance(value, str):
        if problem := text_problem(value, multiline=in_json or _multiline(field)):
            raise ValidationError(f"{label} {problem}", code="hostile")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, datetime.date):
        if not YEAR_MIN <= value.year <= YEAR_MAX:
            raise ValidationError(f"{label} must be a date between {YEAR_MIN} and {YEAR_MAX}", code="date_range")
    elif isinstance(value, int | float | Decimal):
        if isinstance(value, float | Decimal) and not math.isfinite(value):
            raise ValidationError(f"{label} must be a number", code="invalid")
        low, high = _bounds(field)
        if value > high:
            raise ValidationError(f"{label} must be {high:,} or less", code="max_value")
        if value < low:
            raise ValidationError(f"{label} must be {low:,} or more", code="min_value")
    elif isinstance(value, dict):
        for key, part in value.items():
            _check_cleaned(field, label, key, in_json=True)
            _check_cleaned(field, label, part, in_json=True)
    elif isinstance(value, list | tuple):
        for part in value:
            _check_cleaned(field, label, part, in_json=in_json)


def _label(field, name: str) -> str:
    return html.unescape(str(field.label)) if field.label else pretty_name(name)


def _guard(field, name: str):
    original = field.clean

    def clean(value, *args):
        label = _label(field, name)
        _check_sent(field, label, value)
        try:
            cleaned = original(value, *args)
        except (OverflowError, RecursionError, ValueError):
            raise ValidationError(f"{label} is not in a form this service can read", code="invalid") from None
        _check_cleaned(field, label, cleaned)
        return cleaned

    return clean


def _json_bound_data(field, name: str):
    """Showing the form again must not parse what ``clean`` refused to (50,000 brackets overflow the parser)."""
    original = field.bound_data

    def bound_data(data, initial):
        try:
            label = _label(field, name)
            _check_sent(field, label, data)
            value = original(data, initial)
            if not isinstance(value, forms.fields.InvalidJSONInput):
                _check_cleaned(field, label, value)  # a lone surrogate from "\ud800" cannot be written out
            return value
        except (ValidationError, OverflowError, RecursionError, ValueError):
            return forms.fields.InvalidJSONInput(data if isinstance(data, str) else "")

    return bound_data


def harden(form):
    """Guard every field of ``form`` not yet guarded, and escape its label and hint. Safe to call again."""
    for name, field in form.fields.items():
        if getattr(field, "_hardened", False):
            continue
        field.clean = _guard(field, name)
        if isinstance(field, forms.JSONField):
            field.bound_data = _json_bound_data(field, name)
        field._hardened = True
        if field.label:
            field.label = conditional_escape(field.label)
        if field.help_text:
            field.help_text = conditional_escape(field.help_text)
    if not getattr(form, "_hardened", False):
        form._hardened = True
        full_clean = form.full_clean

        def hardened_full_clean():
            harden(form)
            full_clean()

        form.full_clean = hardened_full_clean
    return form
