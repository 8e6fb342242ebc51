"""The one registry of what a record can be *about*: the kinds of subject of an assessment, an agenda item, a place
link, a safety plan or a panel pack (a young person, a place, a peer group).

The app owning a kind registers it where it declares the model (``cases`` the young person, ``contexts`` the
place and the peer group), so the registry is complete once the models are loaded. Everything that used to
dispatch on the model by hand asks here instead, so a new kind of context is its model, its migration and one
``register`` call. The kernel imports no app: a kind brings its own model and answers.

By convention a record about a subject holds it in a foreign key named by the kind's ``key`` (``place``), so
``subject_of``, ``kind_of``, ``fields`` and ``reaching`` work for any such record.

Seeing stays with ``safeguarding.access``: ``get_visible_or_404`` goes through that door.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.http import Http404
from django.urls import reverse

from . import access


@dataclass(frozen=True)
class Subject:
    """One kind of subject."""

    key: str  # the foreign key's name on records about it, the agenda item kind, its framework subject
    model: type[Model]
    word: str  # in addresses: /assessments/of/<word>/<pk>/
    noun: str  # in sentences: "Choose the peer group"
    page: str  # the name of the URL of its own page, taking its pk
    frameworks: Callable[[Any], list[str]] | None = None  # the framework subjects fitting a record (default: key)
    has_safety_plan: bool = False  # a plan of goals and interventions is kept for it
    aside: str = ""  # said after its name where kinds are listed together: "Eastgate boys (peer group)"
    ordering: tuple[str, ...] = ()  # how its records are listed to choose from
    choice_label: Callable[[Any], str] | None = None  # how one reads in a list to choose from (default: str)
    links_at: str = ""  # where on its page its links to places are listed: "#contexts"
    # A person, not a context: the pages about one carry the identity bar (templates/includes/identity_bar.html),
    # which shows these related rows, read with the record when a page fetches it here (no query of their own).
    identified_with: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        return self.noun[:1].upper() + self.noun[1:]

    def url(self, record) -> str:
        """The address of the record's own page (``record``: the record or its pk)."""
        return reverse(self.page, args=[getattr(record, "pk", record)])

    def links_url(self, record) -> str:
        """Where on its page the record's links to places are listed."""
        return self.url(record) + self.links_at

    def frameworks_for(self, record) -> list[str]:
        return list(self.frameworks(record)) if self.frameworks else [self.key]

    def label_of(self, record) -> str:
        return self.choice_label(record) if self.choice_label else str(record)

    def __str__(self):
        return self.noun


class UnknownSubject(LookupError):
    pass


_KINDS: dict[str, Subject] = {}


def register(subject: Subject) -> Subject:
    """Add a kind; registering the same kind again (a module imported twice) changes nothing."""
    known = _KINDS.get(subject.key)
    if known is not None:
        if known.model is subject.model and known.word == subject.word:
            return known
        raise ValueError(f"A subject {subject.key!r} is already registered")
    for other in _KINDS.values():
        if other.word == subject.word or other.model is subject.model:
            raise ValueError(f"{subject.key!r} clashes with the registered subject {other.key!r}")
    _KINDS[subject.key] = subject
    return subject


def kinds() -> tuple[Subject, ...]:
    """Every kind, in the order registered (the apps' dependency order: young person, place, peer group)."""
    return tuple(_KINDS.values())


def keys() -> tuple[str, ...]:
    return tuple(_KINDS)


def get(key: str) -> Subject:
    try:
        return _KINDS[key]
    except KeyError:
        raise UnknownSubject(key) from None


def by_word(word: str) -> Subject:
    for kind in _KINDS.values():
        if kind.word == word:
            return kind
    raise UnknownSubject(word)


def of(record) -> Subject:
    """The kind of a subject record (or of its model)."""
    model = record if isinstance(record, type) else type(record)
    for kind in _KINDS.values():
        if issubclass(model, kind.model):
            return kind
    raise UnknownSubject(model.__name__)


def is_subject(record) -> bool:
    try:
        of(record)
    except UnknownSubject:
        return False
    return True


def fields(record) -> dict:
    """``{key: record}``: the foreign key to set on a record about ``record``."""
    return {of(record).key: record}


def on(model, skip: tuple[str, ...] = ()) -> tuple[Subject, ...]:
    """The kinds a model of records about subjects has a foreign key for (less the keys in ``skip``: a place
    link's place is its other end, not its subject)."""
    found = []
    for kind in _KINDS.values():
        if kind.key in skip:
            continue
        try:
            model._meta.get_field(kind.key)
        except FieldDoesNotExist:
            continue
        found.append(kind)
    return tuple(found)


def kind_of(row, skip: tuple[str, ...] = ()) -> Subject | None:
    """The kind of subject a record about one is about, read from which foreign key is set (no query)."""
    for kind in on(type(row), skip):
        if getattr(row, f"{kind.key}_id") is not None:
            return kind
    return None


def subject_of(row, skip: tuple[str, ...] = ()):
    """The subject a record is about (``None`` for none, e.g. an agenda item's theme)."""
    kind = kind_of(row, skip)
    return None if kind is None else getattr(row, kind.key)


def related(model, prefix: str = "") -> list[str]:
    """The ``select_related`` paths of ``model``'s subject foreign keys, under ``prefix`` (``assessment__``)."""
    return [f"{prefix}{kind.key}" for kind in on(model)]


def identified_related(model, prefix: str = "") -> list[str]:
    """The ``select_related`` paths of what the identity bar shows of ``model``'s subject (a young person's agency)."""
    return [f"{prefix}{kind.key}__{field}" for kind in on(model) for field in kind.identified_with or ()]


def reaching(user, model, level: str = access.VIEW, prefix: str = "") -> Q:
    """Rows of ``model`` (reached through ``prefix``) whose subject ``user`` may reach at ``level``."""
    condition = Q()
    for kind in on(model):
        condition |= access.reaching(user, f"{prefix}{kind.key}", kind.model._default_manager.all(), level)
    return condition


def identified(record):
    """``record`` if the pages about it carry the identity bar (a young person), else ``None``."""
    return record if record is not None and is_subject(record) and of(record).identified_with is not None else None


def get_visible_or_404(user, word: str, pk: int, queryset=None, *, plan: bool = False):
    """The subject of kind ``word`` (as in addresses) with id ``pk``, through the access door; 404 for a word no
    kind has (or, with ``plan``, for a kind that has no safety plan), as for a record the person cannot see."""
    try:
        kind = by_word(word)
    except UnknownSubject:
        raise Http404 from None
    if plan and not kind.has_safety_plan:
        raise Http404
    if queryset is None:
        rows = kind.model._default_manager.select_related(*(kind.identified_with or ()))
    else:
        rows = queryset
    if not issubclass(rows.model, kind.model):
        raise Http404
    return access.get_visible_or_404(user, rows, pk=pk)
