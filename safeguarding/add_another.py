"""Repeating rows on a form as MoJ Frontend's add-another component: an assessment's factor lists, a plan's goals.

A list has a key; row ``i``'s fields are named ``<key>-<i>-<part>`` and carry ``data-name`` and ``data-id`` with
``%index%`` in place of ``i``, which is how the component renames the fields of a row it copies in the page. Without
JavaScript its buttons submit the form: "Add another" (``add=<key>``) brings it back with one more row, "Remove"
(``remove=<key>-<i>``) without that row, and nothing is saved either way (``round_trip``).
"""

import re
from dataclasses import dataclass

from crispy_forms_gds.layout import HTML, Fieldset, Size
from django.http import QueryDict
from django.utils.html import format_html

ADD, REMOVE = "add", "remove"
_ROW = r"(\d{1,4})"  # a row number; more digits than any list holds is not a row


def name(key: str, i: int | str, part: str) -> str:
    return f"{key}-{i}-{part}"


def posted(data, key: str) -> int:
    """How many rows of list ``key`` were sent: one more than the highest row number among the fields."""
    row = re.compile(rf"{re.escape(key)}-{_ROW}-[a-z_]+")
    return 1 + max((int(m[1]) for field in data if (m := row.fullmatch(field))), default=-1)


def count(form, key: str, *, held: int = 0, blank: int = 1, adding: bool = False, maximum: int) -> int:
    """How many rows to show: what was sent (or, shown again after a round trip, given as the form's initial values),
    or what is held and ``blank`` empty rows to start; one more when the person asked for it (``adding``); never more
    than ``maximum``."""
    sent = posted(form.data if form.is_bound else form.initial, key)
    return min(max(sent, held + blank) + adding, maximum)


def add_row(form, key: str, i: int, fields: dict) -> list[str]:
    """Put row ``i``'s fields (``{part: field}``) on ``form``, marked for the component to rename; their names."""
    names = []
    for part, field in fields.items():
        pattern = name(key, "%index%", part)
        field.widget.attrs.update({"data-name": pattern, "data-id": f"id_{pattern}"})
        form.fields[name(key, i, part)] = field
        names.append(name(key, i, part))
    return names


def _html(markup) -> HTML:
    # crispy renders HTML() as a template: braces from a label (a framework's question) must stay text.
    return HTML(str(markup).replace("{", "&#123;").replace("}", "&#125;"))


def layout(key: str, rows: list[list], *, item: str, element_id: str, heading: str = "", hint: str = "") -> list:
    """The component's layout: ``heading`` and ``hint``, then a fieldset for each row (``rows``: each row's layout
    items) titled "<item> <n>" ("<item> <n> of <count>" when there are several, as the script titles them), with a
    Remove button when there are several, and "Add another <item>"."""
    noun, total = item.lower(), len(rows)
    parts = [_html(format_html(
        '<div class="moj-add-another app-add-another" data-module="moj-add-another" data-item-label="{}" id="{}">'
        '{}{}<div class="moj-add-another__items">', item, element_id,
        format_html('<h2 class="govuk-heading-m">{}</h2>', heading) if heading else "",
        format_html('<p class="govuk-hint">{}</p>', hint) if hint else ""))]
    for i, row in enumerate(rows):
        remove = format_html(
            '<button type="submit" name="{}" value="{}" class="govuk-button govuk-button--secondary '
            'moj-add-another__remove-button">Remove {} {}</button>', REMOVE, f"{key}-{i}", noun, i + 1,
        ) if total > 1 else ""
        legend = f"{item} {i + 1}" + (f" of {total}" if total > 1 else "")
        parts += [_html('<div class="moj-add-another__item">'),
                  Fieldset(*row, _html(format_html('<div class="moj-add-another__remove-button-container">{}</div>',
                                                   remove)),
                           legend=legend, legend_size=Size.SMALL, css_class="moj-add-another__fieldset"),
                  _html("</div>")]
    parts.append(_html(format_html(
        '</div><div class="moj-add-another__add-button-container"><button type="submit" name="{}" value="{}" '
        'class="govuk-button govuk-button--secondary moj-add-another__add-button" data-module="govuk-button">'
        'Add another {}</button></div></div>', ADD, key, noun)))
    return parts


@dataclass(frozen=True)
class RoundTrip:
    """What a press of an add-another button without JavaScript asks for. ``data`` is what the form is to show: as
    sent, or without the removed row (the rows after it moved up one); ``add`` is the list to get a row more."""

    data: QueryDict | None
    add: str = ""
    removed: bool = False

    def __bool__(self) -> bool:
        return bool(self.add) or self.removed


def round_trip(request, keys) -> RoundTrip:
    """Did the person press "Add another" or "Remove" (without JavaScript) in one of the lists ``keys``?"""
    if request.method != "POST":
        return RoundTrip(None)
    data = request.POST
    if data.get(ADD) in keys:
        return RoundTrip(data, add=data[ADD])
    match = re.fullmatch(rf"(.+)-{_ROW}", data.get(REMOVE, ""))
    if match and match[1] in keys:
        return RoundTrip(_without(data, match[1], int(match[2])), removed=True)
    return RoundTrip(data)


def _without(data: QueryDict, key: str, gone: int) -> QueryDict:
    row = re.compile(rf"{re.escape(key)}-{_ROW}-([a-z_]+)")
    kept = QueryDict(mutable=True)
    for field, values in data.lists():
        if field == REMOVE:
            continue
        if m := row.fullmatch(field):
            i = int(m[1])
            if i == gone:
                continue
            field = name(key, i - 1 if i > gone else i, m[2])
        kept.setlist(field, values)
    return kept
