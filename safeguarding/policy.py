"""What a person may *do*: one named rule per protected action, declared once, in each app's ``policies.py``.

A rule is a plain function of the person and the record, decorated with ``@rule``. Inside it, ``access.require``
(the record must be visible, the person's role must allow the action, their agency must hold the level),
``need`` (anything else about who the person is) and ``must`` (what the record's state allows now) refuse; a
rule that returns without refusing allows.

- Calling a rule returns a ``Decision``: truthy when allowed, with the reason when refused. Views, templates
  and the API *ask* this way, to show or hide a button, and never restate a rule.
- ``rule.ensure(user, ...)`` raises: ``Http404`` when the record is not visible to the person at all (so
  nothing tells that it exists), ``PermissionDenied`` with the reason when the person may not, and
  ``ValidationError`` when the record's state does not allow it now (a form shows it, with what was typed).
  Services *enforce* this way.

Every rule is listed in ``RULES`` by its dotted name, so tests can prove each service enforces one.
"""

from dataclasses import dataclass
from functools import update_wrapper

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    hidden: bool = False  # the record is not visible to the person: answer as if it did not exist
    state: bool = False  # refused by what the record's state allows now (``must``), not by who the person is

    def __bool__(self):
        return self.allowed


ALLOWED = Decision(True)


class Rule:
    def __init__(self, fn):
        update_wrapper(self, fn)
        self.fn = fn
        self.name = f"{fn.__module__}.{fn.__name__}"

    def __call__(self, user, *args, **kwargs) -> Decision:
        try:
            self.fn(user, *args, **kwargs)
        except Http404:
            return Decision(False, "Not found", hidden=True)
        except PermissionDenied as exc:
            return Decision(False, str(exc) or "You do not have permission to do this.")
        except ValidationError as exc:
            return Decision(False, " ".join(exc.messages), state=True)
        return ALLOWED

    def ensure(self, user, *args, **kwargs) -> None:
        """Raise unless ``user`` may do this: what a service calls before it writes anything."""
        self.fn(user, *args, **kwargs)

    def __repr__(self):
        return f"<rule {self.name}>"


RULES: dict[str, Rule] = {}


def rule(fn) -> Rule:
    declared = Rule(fn)
    RULES[declared.name] = declared
    return declared


def need(condition, reason: str) -> None:
    """Refuse with ``reason`` (shown to the person) unless ``condition`` holds."""
    if not condition:
        raise PermissionDenied(reason)


def must(condition, reason: str) -> None:
    """Refuse with ``reason`` unless the record's state allows the action now (a ``ValidationError``: the page shows
    it beside what the person typed, and nothing is lost)."""
    if not condition:
        raise ValidationError(reason)
