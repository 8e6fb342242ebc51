"""Commitments: something an agency has undertaken to do by a date (a panel's action, a safety plan's intervention).

One mechanism for every kind. Each app keeps its own models (subclasses of ``models.Commitment`` and
``models.CommitmentUpdate``), its own policy rule and its own thin services, and describes its kind once with a
``Kind``; what is the same lives here:

- ``check``: who may own a commitment and by when (an active agency; a named person is an active member of it);
- ``report``: the body of the "update on a commitment" service (lock, validate, the update row, status, audit);
- ``UpdateForm`` and ``update_page``: the one form and page for adding an update;
- ``owned_by``: "my agency's commitments", the listing's shape;
- ``remind_overdue``: the overdue reminder, run by the kernel's scheduler (``safeguarding.reminders``).

This module imports no app: apps pass their ``Kind``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from . import access, audit, reminders
from .forms import gds_helper
from .models import AuditAction, Commitment, CommitmentUpdate
from .pages import form_page
from .policy import Rule

OWNER_INACTIVE = "This agency is no longer active."
OWNER_PERSON = "The person responsible must be an active member of the owning agency."


@dataclass(frozen=True)
class Kind:
    """One kind of commitment, as its app describes it."""

    model: type[Commitment]
    update_model: type[CommitmentUpdate]
    rule: Rule  # who may report on one (the app's policy)
    noun: str  # "action", "intervention": for titles and reminders
    url: Callable[[Commitment], str]  # where the owning agency goes to see and update one (path)

    @property
    def statuses(self):
        return self.model._meta.get_field("status").choices

    @property
    def reporters_codename(self) -> str:
        """The permission that lets a person report on this kind (``add_<update model>``)."""
        return f"add_{self.update_model._meta.model_name}"


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


# --- Who owns it, and by when ----------------------------------------------------------------------------------

def check(*, owner_agency, owner=None, due_on=None, not_before=None, too_early: str = "",
          errors: dict | None = None) -> None:
    """Refuse (a ``ValidationError`` by field, with ``errors`` the caller found itself) unless the owning agency is
    active, a named owner is an active member of it, and ``due_on`` is not before ``not_before`` (``too_early``
    says why)."""
    errors = dict(errors or {})
    if due_on is not None and not_before is not None and due_on < not_before:
        errors["due_on"] = too_early
    if owner_agency is not None and not owner_agency.is_active:
        errors["owner_agency"] = OWNER_INACTIVE
    if owner is not None and (owner_agency is None or owner.agency_id != owner_agency.pk or not owner.is_active):
        errors["owner"] = OWNER_PERSON
    if errors:
        raise ValidationError(errors)


# --- Reporting on it -------------------------------------------------------------------------------------------

def report(kind: Kind, *, actor, commitment: Commitment, text: str, status: str) -> CommitmentUpdate:
    """What has happened on ``commitment``, and its status now. The caller has enforced its rule and holds a
    transaction; the commitment's row is locked, and its version moves on when its status does."""
    errors = {}
    if not text.strip():
        errors["text"] = "Enter what has happened"
    if status not in dict(kind.statuses):
        errors["status"] = "Select the status now"
    if errors:
        raise ValidationError(errors)
    current = kind.model.objects.select_for_update().get(pk=commitment.pk)
    link = kind.update_model.COMMITMENT  # the update's foreign key to its commitment
    update = kind.update_model(**{link: current}, author=actor, agency=actor.agency, text=text.strip(),
                               status=status)
    update.full_clean(exclude=[link, "author", "agency"])  # those were just read: no query to check them
    update.save()
    if current.status != status:
        current.status, current.version = status, current.version + 1
        current.save(update_fields=["status", "version"])
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current, detail={"status": status})
    return update


class UpdateForm(forms.Form):
    """An update on a commitment of any kind: what has happened, and the status now (that kind's statuses)."""

    text = forms.CharField(label="What has happened", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(choices=(), widget=forms.RadioSelect, label="Status now")

    def __init__(self, *args, commitment: Commitment, **kwargs):
        kwargs.setdefault("initial", {"status": commitment.status})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = commitment._meta.get_field("status").choices
        self.helper = gds_helper(self, "Add update")


def update_page(request, kind: Kind, commitment: Commitment, *, report: Callable, then: str, back: str = "",
                caption: str = "", **context):
    """The page that adds an update on ``commitment``: the kind's rule decides who may; ``report`` is the app's
    service (called with ``text`` and ``status``)."""
    kind.rule.ensure(request.user, commitment)
    form = UpdateForm(request.POST or None, commitment=commitment)
    return form_page(request, form, template="includes/form_page.html",
                     call=lambda data: report(actor=request.user, text=data["text"], status=data["status"]),
                     done="Update added.", then=then,
                     context={"title": f"Update {_a(kind.noun)}", "caption": caption, "back": back, **context})


# --- Listing ---------------------------------------------------------------------------------------------------

def owned_by(user, rows, *, outstanding_only: bool = True):
    """The commitments among ``rows`` that ``user``'s agency owns and may see (still outstanding, unless asked
    otherwise), soonest due first."""
    rows = rows.filter(owner_agency_id=user.agency_id)
    if outstanding_only:
        rows = rows.filter(status__in=rows.model.OUTSTANDING)
    return access.visible(user, rows).order_by("due_on", "id")


# --- Overdue ---------------------------------------------------------------------------------------------------

def remind_overdue(kind: Kind, run: "reminders.Run") -> int:
    """Remind the named owner of each overdue commitment of ``kind`` (or, when nobody is named, everyone in the
    owning agency who may report on it): once a day each."""
    sent = 0
    rows = kind.model.objects.filter(status__in=kind.model.OUTSTANDING, due_on__lt=run.today).select_related(
        "owner", "owner_agency")
    for commitment in rows.iterator():
        people = [commitment.owner] if commitment.owner else list(
            commitment.owner_agency.users.filter(is_active=True, groups__permissions__codename=kind.reporters_codename)
            .distinct())
        for person in people:
            sent += run.remind(f"overdue_{kind.noun}", commitment.pk, person,
                               f"{kind.noun.capitalize()} {commitment.audit_label} is overdue",
                               f"{_a(kind.noun).capitalize()} your agency owns was due on "
                               f"{commitment.due_on:%-d %B %Y} and is not done.\n"
                               f"{reminders.link(kind.url(commitment))}")
    return sent
