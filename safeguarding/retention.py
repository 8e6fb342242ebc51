"""Retention and disposal: how long each type of record is kept, the daily list of what has reached its date, and
erasing what a manager decides to dispose of.

- Each app registers its record types where its models are loaded (``register`` in its ``apps.py`` ``ready()``): the
  model, the date the period runs from (``anchor``), which rows count (a closed case), the agency that decides, and
  how to erase one (``dispose``). The kernel imports no app: it drives what was registered.
- Administrators set a schedule per record type (``RetentionSchedule``, in the admin pages): keep for so many months
  after the anchor date.
- The daily job (``safeguarding.tasks.retention_daily``, on Celery beat) lists every record past its date into the
  owning agency's queue (``RetentionItem``, status due). Running it twice lists each record once (a partial unique
  constraint), and a record kept until a later date is listed again only once that date has come.
- A manager keeps an item (a reason and a new date) or disposes of it (``safeguarding.services``). Disposal runs in one
  transaction: the type's ``dispose`` erases names, dates of birth and free text and leaves the row as a stub (its id,
  type, dates, status and a "disposed of on ... under ... by ..." marker in place of its text), and the item records
  what was erased. The audit log is untouched and still verifies: it names records by reference, never by name.
- Field history (django-pghistory) of an erased row still holds what it said. The app's database role may only
  INSERT and SELECT those tables (safeguarding.dbroles), and that stays so: an operator runs
  ``manage.py retention_purge_history`` (connected as the owner role), which deletes the history rows of everything
  disposed of and marks the items purged.
- Audit events have a schedule of their own (``OPERATOR``): the job counts what is due, and an operator removes it
  with ``manage.py audit_prune`` as the owner. The app never deletes an audit row.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import RetentionAction, RetentionItem, RetentionSchedule, RetentionStatus


@dataclass
class Disposal:
    """One disposal in progress: who, under which schedule, on which day; and what has been erased so far."""

    actor: object
    schedule: RetentionSchedule
    on: date
    erased: dict[str, list[int]] = field(default_factory=dict)

    @property
    def marker(self) -> str:
        """What replaces the erased text: the stub says what happened to it."""
        who = self.actor.get_full_name() if hasattr(self.actor, "get_full_name") else str(self.actor)
        agency = getattr(self.actor, "agency", None)
        schedule = label(self.schedule.record_type)
        return (f"Disposed of on {self.on:%d %B %Y} under the retention schedule \u201c{schedule}\u201d by {who}"
                f"{f' ({agency})' if agency else ''}.")

    def note(self, row) -> None:
        """Record that ``row`` was erased (or deleted), for the operator's history purge."""
        ids = self.erased.setdefault(row._meta.label_lower, [])
        if row.pk not in ids:
            ids.append(row.pk)

    def erase(self, row, **values) -> None:
        """Set ``values`` on ``row`` and save only them (a stub keeps everything else)."""
        for name, value in values.items():
            setattr(row, name, value)
        type(row)._default_manager.filter(pk=row.pk).update(**values)
        self.note(row)

    def erase_all(self, rows, **values) -> int:
        """Set ``values`` on every row of the queryset ``rows`` (one UPDATE); how many."""
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            rows.model._default_manager.filter(pk__in=ids).update(**values)
            self.erased.setdefault(rows.model._meta.label_lower, []).extend(
                pk for pk in ids if pk not in self.erased.get(rows.model._meta.label_lower, []))
        return len(ids)


@dataclass(frozen=True)
class RecordType:
    key: str  # "cases.case": the model's label, as schedules name it
    label: str  # "Closed cases"
    model: type[models.Model]
    anchor: str  # the date (or date and time) the period runs from
    anchor_label: str  # "closed": said as "due N months after it was closed"
    eligible: Q = Q()  # which rows count at all (closed ones)
    agency: str = "owning_agency"  # the foreign key (path) to the agency whose managers decide
    dispose: Callable[[models.Model, Disposal], None] | None = None  # None: only an operator can (OPERATOR)
    url: Callable[[models.Model], str] | None = None  # the record's own page, where there is one
    reference: str = ""  # a field naming no one that managers know the record by (a case's reference)
    default_months: int = 72  # what a new deployment starts with (six years)

    @property
    def operator_only(self) -> bool:
        return self.dispose is None


_TYPES: dict[str, RecordType] = {}
_ERASERS: dict[str, list[Callable]] = {}


def register(kind: RecordType) -> RecordType:
    known = _TYPES.get(kind.key)
    if known is not None and known.model is not kind.model:
        raise ImproperlyConfigured(f"Two retention record types are called {kind.key}")
    _TYPES[kind.key] = kind
    return kind


def on_erase(model_label: str, eraser: Callable[[models.Model, Disposal], None]) -> None:
    """``eraser(record, disposal)`` runs when a record of ``model_label`` ("cases.youngperson") is erased: an app
    erases its own rows about a record of an app below it (the young person's links, assessments, panel items)."""
    erasers = _ERASERS.setdefault(model_label, [])
    if eraser not in erasers:
        erasers.append(eraser)


def erase_related(record, disposal: Disposal) -> None:
    for eraser in _ERASERS.get(record._meta.label_lower, []):
        eraser(record, disposal)


def types() -> dict[str, RecordType]:
    return dict(sorted(_TYPES.items()))


def get(key: str) -> RecordType:
    return _TYPES[key]


def label(key: str) -> str:
    kind = _TYPES.get(key)
    return kind.label if kind else key


def choices() -> list[tuple[str, str]]:
    return [(key, kind.label) for key, kind in types().items()]


def months_before(day: date, months: int) -> date:
    """``day`` less ``months`` calendar months (the 31st of a shorter month becomes its last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


def _on_or_before(kind: RecordType, cutoff: date) -> Q:
    if isinstance(kind.model._meta.get_field(kind.anchor), models.DateTimeField):
        end = timezone.make_aware(datetime.combine(cutoff + timedelta(days=1), time.min))
        return Q(**{f"{kind.anchor}__lt": end})
    return Q(**{f"{kind.anchor}__lte": cutoff})


def past_date(kind: RecordType, schedule: RetentionSchedule, today: date):
    """The rows of ``kind`` whose retention period under ``schedule`` has ended by ``today``."""
    return kind.model._default_manager.filter(kind.eligible, _on_or_before(kind, months_before(today, schedule.months)))


def due(kind: RecordType, schedule: RetentionSchedule, today: date):
    """Those not yet listed, disposed of, or kept beyond ``today``: what the daily job lists."""
    items = RetentionItem.objects.filter(record_type=kind.key, record_id=OuterRef("pk"))
    settled = items.filter(Q(status__in=[RetentionStatus.DUE, RetentionStatus.DISPOSED])
                           | Q(status=RetentionStatus.KEPT, keep_until__gt=today))
    return past_date(kind, schedule, today).exclude(Exists(settled))


@dataclass(frozen=True)
class OperatorDue:
    schedule: RetentionSchedule
    kind: RecordType
    count: int
    before: date  # everything on or before this date is due


def list_due(today: date) -> tuple[dict[str, int], list[OperatorDue]]:
    """List every record past its date into its agency's queue; how many were listed per type, and what only an
    operator can remove (counted, not listed)."""
    listed, operator = {}, []
    for schedule in RetentionSchedule.objects.filter(is_active=True):
        kind = _TYPES.get(schedule.record_type)
        if kind is None:
            continue
        if kind.operator_only or schedule.action == RetentionAction.OPERATOR:
            cutoff = months_before(today, schedule.months)
            operator.append(OperatorDue(schedule, kind, past_date(kind, schedule, today).count(), cutoff))
            continue
        agency = f"{kind.agency}_id" if "__" not in kind.agency else f"{kind.agency}__id"
        rows = due(kind, schedule, today).values_list("pk", kind.anchor, agency, kind.reference or "pk")
        kept = dict(RetentionItem.objects.filter(record_type=kind.key, status=RetentionStatus.KEPT)
                    .values_list("record_id").annotate(until=models.Max("keep_until")))
        made = []
        for pk, anchor, agency_id, reference in rows.iterator(chunk_size=2000):
            anchor_on = anchor.date() if isinstance(anchor, datetime) else anchor
            due_on = max(months_after(anchor_on, schedule.months), kept.get(pk) or anchor_on)
            made.append(RetentionItem(schedule=schedule, record_type=kind.key, record_id=pk, agency_id=agency_id,
                                      record_label=_label_of(kind, reference), anchor_on=anchor_on, due_on=due_on))
        # Two runs at once: the partial unique constraint lets one of them list each record.
        created = RetentionItem.objects.bulk_create(made, batch_size=1000, ignore_conflicts=True)
        listed[kind.key] = len(created)
    return listed, operator


def _label_of(kind: RecordType, reference) -> str:
    return f"{kind.model._meta.verbose_name.capitalize()} {reference}"[:100]


def operator_due(today: date) -> list[OperatorDue]:
    out = []
    for schedule in RetentionSchedule.objects.filter(is_active=True):
        kind = _TYPES.get(schedule.record_type)
        if kind is not None and (kind.operator_only or schedule.action == RetentionAction.OPERATOR):
            out.append(OperatorDue(schedule, kind, past_date(kind, schedule, today).count(),
                                   months_before(today, schedule.months)))
    return out


def record_of(item: RetentionItem, *, lock: bool = False):
    """The record an item is about (locked for the disposal's transaction), or None when it is gone."""
    rows = get(item.record_type).model._default_manager.all()
    if lock:
        rows = rows.select_for_update()
    return rows.filter(pk=item.record_id).first()


def history_models() -> dict[str, type[models.Model]]:
    """Each tracked model's pghistory event model, by the tracked model's label: what the history purge deletes."""
    import pghistory.models
    from django.apps import apps

    found = {}
    for model in apps.get_models():
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy and model._meta.managed:
            tracked = getattr(model, "pgh_tracked_model", None)
            if tracked is not None:
                found[tracked._meta.label_lower] = model
    return found


def purge_history(items) -> int:
    """Delete the field history of what ``items`` erased; how many history rows went. Needs the owner role (the app
    role may not delete history: ``manage.py retention_purge_history`` connects as the owner), with pghistory's
    append-only trigger ignored for those tables alone, for this block alone."""
    import pgtrigger

    events = history_models()
    deleted = 0
    for item in items:
        for model_label, ids in (item.erased or {}).items():
            model = events.get(model_label)
            if model is None or not ids:
                continue
            uris = [f"{model._meta.label}:{t.name}" for t in model._meta.triggers if isinstance(t, pgtrigger.Protect)]
            with pgtrigger.ignore(*uris):
                deleted += model.objects.filter(pgh_obj_id__in=ids).delete()[0]
        RetentionItem.objects.filter(pk=item.pk).update(history_purged_at=timezone.now())
    return deleted
