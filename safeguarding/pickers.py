"""Finding a record to choose: one picker for every form field that chooses a young person, a place, a peer group, an
agency or a person, in place of a list of every record (which at a million young people cannot work).

- A **finder** per kind (``Finder``), registered by the app owning the model (``cases`` the young person,
  ``contexts`` the place and the peer group; the kernel registers agencies and people here): what may be found
  (``rows``, through ``safeguarding.access``), how what was typed is matched (``search``), and what tells the records
  apart in a list (``describe``: name, and a hint such as the date of birth and a reference).
- A **field** (``PickerField``, ``PickerMultipleField``): a model choice field whose queryset is what may be chosen,
  drawn as a text box with a Search button. A posted id still works as before; one not in the queryset is refused.
- **Without JavaScript** the Search button posts the form: the page comes back with the matches as radio buttons
  (or checkboxes), every other answer kept and nothing saved (``search_step``). **With JavaScript**
  (static/src/pickers.js) the box is alphagov's accessible-autocomplete, asking ``/find/<kind>/`` as the person types.
- A field may be **narrowed by** another field of its form (the people of the chosen agency): the search is narrowed
  and, whatever the browser sent, the form refuses a person from another agency.

Every search, by the endpoint or by a form's Search button, goes through the door and is audited as a search.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms.utils import ErrorDict
from django.template import loader
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import audit
from .inputs import INT_MAX, text_problem
from .models import Agency, AuditAction, User

LIMIT = 10  # matches listed; one more is read to know there are more ("refine your search")
QUERY_MAX = 100  # characters of a search
AGENCIES_MAX = 50  # agencies a search may be narrowed to
FIND = "picker-find"  # the name of every picker's Search button; its value is the field's name in the form


def record_id(value) -> int | None:
    """``value`` (as sent) as a record id, or None: ASCII digits only, within a 32-bit integer (never int() of 5,000
    digits, nor of "²")."""
    text = str(getattr(value, "pk", value))
    if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= INT_MAX:
        return int(text)
    return None


@dataclass(frozen=True)
class Match:
    pk: int
    label: str
    hint: str = ""


@dataclass
class Found:
    text: str
    matches: list[Match] = field(default_factory=list)
    more: bool = False  # more than LIMIT matched: the person should narrow the search
    by: str = ""  # what the text was taken as: "name", "date of birth", "reference"...


@dataclass(frozen=True)
class Finder:
    """How one kind of record is found."""

    kind: str  # in addresses: /find/<kind>/
    model: type[Model]
    noun: str  # "young person"
    hint: str  # what can be typed, shown under the box
    rows: Callable[[Any], QuerySet]  # user -> every record they may find, through the access door
    search: Callable[[Any, QuerySet, str], tuple[QuerySet, str]]  # (user, rows, text) -> (matches best first, by)
    describe: Callable[[Any], Match]  # a record as a choice
    agency_field: str = ""  # the field holding the agency, for narrowing to agencies (people)
    prepare: Callable[[QuerySet, Any], QuerySet] | None = None  # (rows, user or None) -> with what describe reads

    @property
    def article(self) -> str:
        return "an" if self.noun[:1] in "aeiou" else "a"

    def url(self) -> str:
        return reverse("find", args=[self.kind])

    def narrowed(self, rows: QuerySet, agencies) -> QuerySet:
        if self.agency_field and agencies:
            return rows.filter(**{f"{self.agency_field}__in": list(agencies)})
        return rows

    def find(self, user, text: str, *, rows: QuerySet | None = None, agencies=()) -> Found:
        """The records matching ``text`` among ``rows`` (default: all the person may find), best first."""
        text = " ".join(text.split())[:QUERY_MAX]
        found = Found(text=text)
        if not text:
            return found
        base = self.narrowed(self.rows(user) if rows is None else rows, agencies)
        matching, found.by = self.search(user, base, text)
        if self.prepare:
            matching = self.prepare(matching, user)
        records = list(matching[:LIMIT + 1])
        found.more = len(records) > LIMIT
        found.matches = [self.describe(record) for record in records[:LIMIT]]
        return found

    def chosen(self, rows: QuerySet, pks) -> list[Match]:
        """The records among ``rows`` with these ids, as choices (those not among them are left out)."""
        pks = [pk for pk in map(record_id, pks) if pk is not None]
        if not pks:
            return []
        if self.prepare:
            rows = self.prepare(rows, None)
        by_pk = {record.pk: record for record in rows.filter(pk__in=pks)}
        return [self.describe(by_pk[pk]) for pk in dict.fromkeys(pks) if pk in by_pk]


_FINDERS: dict[str, Finder] = {}


def register(finder: Finder) -> Finder:
    """Add a finder; registering the same kind again for the same model (a module imported twice) changes nothing."""
    known = _FINDERS.get(finder.kind)
    if known is not None and known.model is not finder.model:
        raise ValueError(f"A finder {finder.kind!r} is already registered")
    _FINDERS[finder.kind] = finder
    return finder


def get(kind: str) -> Finder:
    return _FINDERS[kind]


def kinds() -> tuple[str, ...]:
    return tuple(_FINDERS)


def record_search(user, finder: Finder, found: Found, *, through: str):
    """A search is audited as the young people search page audits one: how many results, and what it was by."""
    audit.record(actor=user, action=AuditAction.SEARCH, detail={
        "picker": finder.kind, "results": len(found.matches), "more": found.more, "by": found.by,
        "through": through})


# The fields and their widget.

class PickerWidget(forms.Widget):
    """A text box and a Search button, then the matches (or what is chosen) as radio buttons or checkboxes."""

    template_name = "includes/picker.html"

    def __init__(self, kind: str, *, multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.kind, self.multiple = kind, multiple
        self.queryset = None  # what may be chosen (set by the field)
        self.found: Found | None = None  # set by search_step on the field being searched
        self.problem = ""
        self.narrowed_by = ""  # the html name of the field narrowing this one
        self.agencies = None  # the agencies (ids) the type-ahead is narrowed to, read when drawn (a queryset)
        self.required = False
        self.typed = ""

    def _render(self, template_name, context, renderer=None):
        # From the project's one template tree (templates/), as the pages are, not the form renderer's own.
        return mark_safe(loader.render_to_string(template_name, context))  # noqa: S308 (a template, autoescaped)

    def value_from_datadict(self, data, files, name):
        typed = data.get(f"{name}-find", "")
        self.typed = typed if isinstance(typed, str) and len(typed) <= QUERY_MAX and not text_problem(
            typed, multiline=False) else ""
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def id_for_label(self, id_):
        return id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        finder = get(self.kind)
        values = value if isinstance(value, list | tuple) else [] if value in (None, "") else [value]
        chosen_pks = [str(v) for v in values]
        chosen = finder.chosen(self.queryset, chosen_pks) if self.queryset is not None and chosen_pks else []
        options, seen = [], set()
        for match in chosen + (self.found.matches if self.found else []):
            if match.pk not in seen:
                seen.add(match.pk)
                options.append({"pk": match.pk, "label": match.label, "hint": match.hint,
                                "checked": str(match.pk) in chosen_pks})
        found = self.found
        if found and found.text:
            legend = (f"{len(found.matches)} found for ‘{found.text}’" if found.matches
                      else f"No {finder.noun} found for ‘{found.text}’")
            legend += ": choose " + ("any that apply" if self.multiple else "one") if options else ""
        else:
            legend = "Chosen" if options else ""
        context["widget"].update({
            "kind": self.kind, "multiple": self.multiple, "url": finder.url(), "noun": finder.noun,
            "article": finder.article, "typed": self.typed if found is None else found.text,
            "options": options, "legend": legend, "more": bool(found and found.more),
            "none_found": bool(found and found.text and not found.matches),
            "problem": self.problem, "narrowed_by": self.narrowed_by,
            "agencies": "" if self.agencies is None else " ".join(str(pk) for pk in self.agencies),
            "describedby": context["widget"]["attrs"].get("aria-describedby", ""),
            "clearable": not self.required and not self.multiple and bool(options),
            "nothing_checked": not any(option["checked"] for option in options),
        })
        return context


class _Picking:
    """What the single and multiple picker fields share."""

    def _setup(self, kind: str, narrowed_by: str):
        finder = get(kind)
        self.kind, self.narrowed_by = kind, narrowed_by
        self.widget.required = self.required
        if not self.help_text:
            self.help_text = finder.hint
        self.error_messages.setdefault("required", f"Choose {finder.article} {finder.noun}")
        self.error_messages["invalid_choice"] = (
            f"Choose {finder.article} {finder.noun} from the search results")
        self.error_messages["invalid_pk_value"] = self.error_messages["invalid_choice"]
        self.error_messages["invalid_list"] = self.error_messages["invalid_choice"]

    def _set_queryset(self, queryset):
        # Never listed: the widget reads only what is chosen and what is searched for.
        self._queryset = None if queryset is None else queryset.all()
        self.widget.queryset = self._queryset


class PickerField(_Picking, forms.ModelChoiceField):
    """Choose one record of ``kind`` (a registered finder) among ``queryset``."""

    def __init__(self, kind: str, queryset=None, *, narrowed_by: str = "", **kwargs):
        kwargs.setdefault("widget", PickerWidget(kind))
        super().__init__(queryset, **kwargs)
        self.error_messages = dict(self.error_messages)
        if self.error_messages.get("required") == forms.Field.default_error_messages["required"]:
            del self.error_messages["required"]
        self._setup(kind, narrowed_by)

    queryset = property(forms.ModelChoiceField._get_queryset, _Picking._set_queryset)


class PickerMultipleField(_Picking, forms.ModelMultipleChoiceField):
    """Choose any number of records of ``kind`` among ``queryset``: each search adds to what is chosen."""

    def __init__(self, kind: str, queryset=None, *, narrowed_by: str = "", **kwargs):
        kwargs.setdefault("widget", PickerWidget(kind, multiple=True))
        super().__init__(queryset, **kwargs)
        self.error_messages = dict(self.error_messages)
        if self.error_messages.get("required") in (forms.Field.default_error_messages["required"],
                                                   forms.ModelMultipleChoiceField.default_error_messages.get(
                                                       "required")):
            del self.error_messages["required"]
        self._setup(kind, narrowed_by)

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _Picking._set_queryset)


def _pickers(form) -> dict:
    return {name: f for name, f in form.fields.items() if isinstance(f, _Picking)}


def _agencies_of(form, narrowing: str) -> list[int]:
    """The agency chosen in ``narrowing`` (another field of ``form``), from what was posted."""
    value = form.data.get(form.add_prefix(narrowing), "") if form.is_bound else form.initial.get(narrowing, "")
    pk = record_id(value)
    return [] if pk is None else [pk]


def enable(form):
    """Called by ``gds_helper`` for every form: give its picker fields what they need to render, and make the form
    refuse a record outside the agency its narrowing field names. Safe to call again."""
    pickers = _pickers(form)
    if not pickers or getattr(form, "_pickers_enabled", False):
        return form
    form._pickers_enabled = True
    for picker in pickers.values():
        picker.widget.required = picker.required
        if picker.narrowed_by:
            picker.widget.narrowed_by = form.add_prefix(picker.narrowed_by)
    clean_fields = form._clean_fields

    def clean_fields_narrowed():
        clean_fields()
        for name, picker in pickers.items():
            if not picker.narrowed_by or name not in form.cleaned_data:
                continue
            agency = form.cleaned_data.get(picker.narrowed_by)
            chosen = form.cleaned_data[name]
            records = chosen if isinstance(chosen, list | tuple | QuerySet) else [chosen] if chosen else []
            finder = get(picker.kind)
            if agency and any(getattr(r, finder.agency_field) != agency.pk for r in records):
                form.add_error(name, ValidationError(f"Choose {finder.article} {finder.noun} in {agency}",
                                                     code="other_agency"))

    form._clean_fields = clean_fields_narrowed
    return form


def searching(form) -> str:
    """The name of the picker field whose Search button posted ``form`` (or which was typed in with nothing chosen,
    as when Enter is pressed in its box), or ""."""
    if not form.is_bound:
        return ""
    pickers = _pickers(form)
    pressed = form.data.get(FIND, "")
    for name in pickers:
        if pressed == form.add_prefix(name):
            return name
    for name in pickers:
        html_name = form.add_prefix(name)
        typed = form.data.get(f"{html_name}-find", "")
        if isinstance(typed, str) and typed.strip() and not form.data.get(html_name) and not pressed:
            return name
    return ""


def search_step(user, form) -> bool:
    """If ``form`` was posted by a picker's Search button, find the matches (through the door, audited) and make
    the form show them, with every other answer kept and no errors: it is not cleaned, and nothing is saved. Returns
    whether it was."""
    name = searching(form)
    if not name:
        return False
    picker = form.fields[name]
    finder = get(picker.kind)
    html_name = form.add_prefix(name)
    typed = form.data.get(f"{html_name}-find", "")
    typed = typed if isinstance(typed, str) and not text_problem(typed, multiline=False) else ""
    if len(typed) > QUERY_MAX:
        picker.widget.problem = f"Search with {QUERY_MAX} characters or fewer"
        typed = ""
    elif not typed.strip():
        picker.widget.problem = f"Type something to search for {finder.article} {finder.noun}"
    agencies = _agencies_of(form, picker.narrowed_by) if picker.narrowed_by else ()
    found = finder.find(user, typed, rows=picker.queryset, agencies=agencies)
    picker.widget.found = found
    if found.text:
        record_search(user, finder, found, through="form")
    form._errors = ErrorDict()  # shown again as typed: no "Enter ..." for answers not given yet
    form.cleaned_data = {}
    form.is_valid = lambda: False  # a search step is never saved, whatever else asks
    return True


# The kernel's own finders: agencies and people (not records about anyone: any signed-in person may find them).

def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "agency_id", None))


def _words(text: str) -> list[str]:
    return [word for word in text.split() if word][:5]


def _search_agencies(user, rows, text):
    condition = Q()
    for word in _words(text):
        condition &= Q(name__icontains=word)
    return rows.filter(condition).order_by("name", "pk"), "name"


def _describe_agency(agency) -> Match:
    return Match(agency.pk, agency.name, agency.get_kind_display())


def _search_people(user, rows, text):
    condition = Q()
    for word in _words(text):
        condition &= (Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
                      | Q(username__istartswith=word))
    return rows.filter(condition).order_by("last_name", "first_name", "pk"), "name"


def _describe_person(person) -> Match:
    hint = ", ".join(part for part in (person.job_title, person.agency.name) if part)
    return Match(person.pk, person.get_full_name() or person.username, hint)


register(Finder(
    kind="agency", model=Agency, noun="agency", hint="Search by the agency's name",
    rows=lambda user: Agency.objects.filter(is_active=True) if _signed_in(user) else Agency.objects.none(),
    search=_search_agencies, describe=_describe_agency))
register(Finder(
    kind="person", model=User, noun="person", hint="Search by their name", agency_field="agency_id",
    rows=lambda user: User.objects.filter(is_active=True) if _signed_in(user) else User.objects.none(),
    search=_search_people, describe=_describe_person,
    prepare=lambda rows, user: rows.select_related("agency")))
