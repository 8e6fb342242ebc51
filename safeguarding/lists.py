"""The one mechanism every HTML list page shares: filters (a django-filter FilterSet, the API's where one fits, so a
filter means the same in the page and the API), sorting on the server by column header, pages, and the total.

A view hands ``list_page`` the rows the reader may see (the access door's queryset, never anything wider): the
filters and the sort only narrow and order it. Everything comes from the address (a GET form), so a list works
without JavaScript and can be bookmarked. Hostile input never fails: an unusable filter is shown as a GOV.UK error
(status 400) and left out, an unknown sort key falls back to the list's default, and ``page=abc`` or ``page=999999``
give the first or the last page.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property

from .forms import DateField, gds_helper

PER_PAGE = 25
# A filtered list of a large caseload is counted only this far: past it the page says "more than 10,000" rather
# than count a million rows on every view (an unfiltered one is counted from the agency's grants, which is fast).
COUNT_CAP = 10_000


class GdsDateFilter(django_filters.DateFilter):
    """A date filter as the GOV.UK date input (day, month, year); an impossible date is the field's own error."""

    field_class = DateField


def date_range(field_name: str, verb: str, *, of_datetime: bool = False) -> tuple[GdsDateFilter, GdsDateFilter]:
    """Two GOV.UK date filters, "<verb> on or after" and "<verb> on or before", on ``field_name`` (the day of a date
    and time with ``of_datetime``): ``opened_from, opened_to = date_range("opened_on", "Opened")``."""
    day = "date__" if of_datetime else ""
    return (GdsDateFilter(field_name=field_name, lookup_expr=f"{day}gte", label=f"{verb} on or after",
                          help_text="For example, 1 9 2026"),
            GdsDateFilter(field_name=field_name, lookup_expr=f"{day}lte", label=f"{verb} on or before",
                          help_text="For example, 30 9 2026"))


class CheckboxFilter(django_filters.BooleanFilter):
    """A GOV.UK checkbox: ticked narrows the list, unticked does not filter."""

    field_class = forms.BooleanField


@dataclass(frozen=True)
class Column:
    """A column of a list's table. ``order``: the fields it sorts by, ascending (the opposite for a descending sort);
    empty for a column that does not sort. ``first``: the direction a first click sorts in."""

    key: str
    label: str
    order: Sequence = ()
    first: str = "ascending"
    numeric: bool = False


@dataclass(frozen=True)
class ListSpec:
    """What one list page is: its filters, its columns, its default sort (``"-opened"``: by the opened column,
    descending), the noun its total counts, and how many rows a page holds."""

    filterset: type[django_filters.FilterSet]
    columns: Sequence[Column]
    default_sort: str
    noun: str
    plural: str = ""
    per_page: int = PER_PAGE
    tie: Sequence[str] = ("-pk",)
    prefix: str | None = None  # for a list inside a page with another form (a case's chronology): unique ids

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.order), None)


def _desc(expr):
    if isinstance(expr, str):
        return expr[1:] if expr.startswith("-") else f"-{expr}"
    return expr.desc(nulls_last=True)


def _asc(expr):
    return expr if isinstance(expr, str) else expr.asc(nulls_last=True)


@dataclass
class ListPage:
    spec: ListSpec
    params: object  # the request's QueryDict
    filterset: django_filters.FilterSet
    sort_key: str
    descending: bool
    page: object
    total: int
    capped: bool
    headers: list = field(default_factory=list)

    @property
    def form(self):
        # django-filter's REST framework FilterSet gives its form a crispy helper of its own (a Bootstrap "Submit"
        # button) each time ``form`` is read: ours is put back each time too.
        form = self.filterset.form
        form.helper = self.filterset.gds_helper
        return form

    @property
    def errors(self) -> bool:
        return self.filterset.is_bound and bool(self.filterset.form.errors)

    @property
    def status(self) -> int:
        return 400 if self.errors else 200

    @property
    def total_text(self) -> str:
        plural = self.spec.plural or f"{self.spec.noun}s"
        noun = self.spec.noun if self.total == 1 and not self.capped else plural
        if not self.total:
            return f"No {plural}"
        shown = f"{self.page.start_index():,}–{self.page.end_index():,}"
        of = f"more than {COUNT_CAP:,}" if self.capped else f"{self.total:,}"
        return f"Showing {shown} of {of} {noun}"

    def url(self, drop: Sequence[str] = (), **changes) -> str:
        """This list's address with ``changes`` made and the parameters in ``drop`` (and the page) left out."""
        kept = [(k, v) for k, v in self.params.lists() if k not in drop and k not in changes and k != "page"]
        pairs = [(k, v) for k, values in kept for v in values if v != ""]
        pairs += [(k, v) for k, v in changes.items() if v not in ("", None)]
        return "?" + urlencode(pairs)

    def page_url(self, number: int) -> str:
        base = self.url()
        return f"{base}{'&' if base != '?' else ''}page={number}"

    @cached_property
    def page_links(self) -> list:
        """GOV.UK pagination's numbered items: the first, the last, and the pages either side of this one, with
        ellipses between."""
        current, last = self.page.number, self.page.paginator.num_pages
        wanted = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
        items, previous = [], 0
        for number in wanted:
            if number - previous > 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "url": self.page_url(number), "current": number == current})
            previous = number
        return items

    @cached_property
    def tags(self) -> list[dict]:
        """The filters in use, each as a tag whose link takes it away (moj-filter's selected filters)."""
        form = self.filterset.form
        if not self.filterset.is_bound or not hasattr(form, "cleaned_data"):
            return []
        tags = []
        for name, bound in ((n, form[n]) for n in form.fields):
            value = form.cleaned_data.get(name)
            if value in (None, "", [], ()) or value is False:
                continue
            fld = form.fields[name]
            if isinstance(value, Model):  # a chosen colleague or team: its name, without reading the choices again
                text = str(value)
            elif hasattr(fld, "choices"):
                labels = {}
                for k, v in fld.choices:
                    labels.update({str(a): b for a, b in v} if isinstance(v, list | tuple) else {str(k): v})
                values = value if isinstance(value, list | tuple) else [value]
                text = ", ".join(str(labels.get(str(getattr(v, "pk", v)), v)) for v in values)
            elif hasattr(value, "strftime"):
                text = f"{value:%-d %b %Y}"
            elif value is True:
                text = "Yes"
            else:
                text = str(value)
            key = form.add_prefix(name)
            names = [key, *(f"{key}_{i}" for i in range(3))]
            tags.append({"legend": bound.label, "text": text, "remove": self.url(drop=names)})
        return tags


def _count(rows: QuerySet, fast: Callable[[], int] | None, filtered: bool) -> tuple[int, bool]:
    if fast is not None and not filtered:
        return fast(), False
    n = rows.order_by().values("pk")[:COUNT_CAP + 1].count()
    return (COUNT_CAP, True) if n > COUNT_CAP else (n, False)


def _filterset(request, spec: ListSpec, rows: QuerySet, filter_kwargs: dict | None = None):
    params = request.GET
    given = any(params.get(n) not in (None, "") for n in params if n not in ("page", "sort"))
    filterset = spec.filterset(params if given else None, queryset=rows, request=request, prefix=spec.prefix,
                               **(filter_kwargs or {}))
    filterset.gds_helper = gds_helper(filterset.form, None, method="get", form_tag=False)
    return filterset, given


def _filtered(filterset, given: bool, rows: QuerySet) -> QuerySet:
    """The rows the filters keep; none while any filter is unusable (the page says which), never more."""
    if not given:
        return rows
    return filterset.qs if filterset.is_valid() else rows.none()


def _sort(spec: ListSpec, asked: str) -> tuple[Column, bool]:
    """The column and direction asked for, or the list's default for anything else."""
    column = spec.column((asked or "").lstrip("-"))
    if column is None:
        asked = spec.default_sort
        column = spec.column(asked.lstrip("-"))
    return column, asked.startswith("-")


def list_page(request, rows: QuerySet, spec: ListSpec, *, fast_count: Callable[[], int] | None = None,
              rows_for_page: Callable[[QuerySet], object] | None = None, filter_kwargs: dict | None = None
              ) -> ListPage:
    """Filter ``rows`` (already through the access door) by the address's filters, sort them by its ``sort``, and
    cut the page it asks for. ``fast_count``: the unfiltered total, counted a cheaper way. ``rows_for_page``: what
    to read for the page's slice (to join related rows to the slice alone)."""
    filterset, given = _filterset(request, spec, rows, filter_kwargs)
    filtered = _filtered(filterset, given, rows)
    column, descending = _sort(spec, request.GET.get("sort", ""))
    ordering = [(_desc(e) if descending else _asc(e)) for e in column.order]
    ordered = filtered.order_by(*ordering, *spec.tie)
    total, capped = _count(filtered, fast_count, given)
    paginator = Paginator(ordered, spec.per_page)
    paginator.count = total  # set before get_page: the paginator never counts again
    page = paginator.get_page(request.GET.get("page"))
    if rows_for_page is not None:
        page.object_list = rows_for_page(page.object_list)
    return _result(request, spec, filterset, column, descending, page, total, capped)


def merged_list_page(request, sources: Sequence[QuerySet], spec: ListSpec) -> ListPage:
    """One list of rows of several models that share the filtered and sorted fields (the three kinds of link, say):
    each source filtered by the same FilterSet, at most ``COUNT_CAP`` of each, merged and sorted in Python. The
    sort columns must name plain fields."""
    column, descending = _sort(spec, request.GET.get("sort", ""))
    filtersets, rows = [], []
    for source in sources:
        filterset, given = _filterset(request, spec, source)
        filtersets.append(filterset)
        ordering = [(_desc(e) if descending else _asc(e)) for e in column.order]
        rows += list(_filtered(filterset, given, source).order_by(*ordering, *spec.tie)[:COUNT_CAP])
    fields = [f.lstrip("-") for f in column.order]
    rows.sort(key=lambda row: tuple(getattr(row, f) for f in fields), reverse=descending)
    page = Paginator(rows, spec.per_page).get_page(request.GET.get("page"))
    return _result(request, spec, filtersets[0], column, descending, page, len(rows), False)


def _result(request, spec, filterset, column, descending, page, total, capped) -> ListPage:
    result = ListPage(spec=spec, params=request.GET, filterset=filterset, sort_key=column.key, descending=descending,
                      page=page, total=total, capped=capped)
    result.headers = [_header(result, c) for c in spec.columns]
    return result


def _header(result: ListPage, column: Column) -> dict:
    if not column.order:
        return {"label": column.label, "numeric": column.numeric}
    current = column.key == result.sort_key
    if current:
        aria = "descending" if result.descending else "ascending"
        next_sort = column.key if result.descending else f"-{column.key}"
    else:
        aria = "none"
        next_sort = f"-{column.key}" if column.first == "descending" else column.key
    return {"label": column.label, "numeric": column.numeric, "aria_sort": aria,
            "url": result.url(sort=next_sort), "current": current}
