"""The one door to the service's records: who may see, contribute to and manage what.

Visibility comes only from object grants to an agency's group, held in direct-foreign-key tables
(django-guardian's ``GroupObjectPermissionBase``). A model-level permission never means "see everything".

- A **shareable** record (``safeguarding.models.Shareable``) is visible to an agency holding a grant on it.
  Its owning agency gets every level at creation; ``share`` and ``unshare`` grant and take away the rest.
- Any other record declares ``access_q(user, level) -> Q``, usually inheriting from its subject through
  ``inherit``. A model with no rule is refused: the door fails closed. A model may also declare
  ``reach_q(user, field, level) -> Q``, its rule written for rows pointing at it through ``field``, which
  ``inherit`` and ``reaching`` then use instead of a subquery.

The door opens to a person only if their role holds ``safeguarding.view_records`` (every practitioner role does; an
analyst's does not: their figures are counted as their agency, an ``AgencyReader``), except for a model whose rows
are people's own (``OWN_RECORDS = True``, e.g. an export they asked for), reached by its rule alone.

Not visible is 404, never 403, so a response never tells that a record exists. A 403 is only ever given
about a record the person can already see (e.g. a partner who may view a case but not edit it).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, Exists, Expression, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from guardian.models import GroupObjectPermissionBase
from guardian.shortcuts import assign_perm

from . import audit, disclosures, notifications, policy
from .lawful import Basis
from .models import Agency, AuditAction, DisclosureCause, NotificationKind, Shareable

VIEW = "view"
CONTRIBUTE = "contribute"
MANAGE = "manage"
LEVELS = (VIEW, CONTRIBUTE, MANAGE)

# What sharing at each level grants; the owning agency alone holds MANAGE.
SHARE_LEVELS = {VIEW: (VIEW,), CONTRIBUTE: (VIEW, CONTRIBUTE)}
SHARE_LEVEL_CHOICES = [(VIEW, "Can view"), (CONTRIBUTE, "Can view and contribute")]


@cache
def grant_model(model: type[models.Model]) -> type[GroupObjectPermissionBase]:
    for rel in model._meta.related_objects:
        if issubclass(rel.related_model, GroupObjectPermissionBase):
            return rel.related_model
    raise ImproperlyConfigured(f"{model.__name__} is shareable but has no direct-FK group grant model")


def codename(model, level: str) -> str:
    return f"{level}_{model._meta.model_name}"


@cache
def permission_id(model, level: str) -> int:
    """The id of ``model``'s permission for ``level``, read once per process.

    As a constant in the grant condition the planner can use the grant table's statistics (joined by codename it
    guesses, and at a million rows guesses badly). Cleared after every migrate or flush (apps.py), when
    permissions may be created again with new ids.
    """
    return Permission.objects.get(content_type=ContentType.objects.get_for_model(model),
                                  codename=codename(model, level)).pk


VIEW_RECORDS = "safeguarding.view_records"


def _may_use(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "agency_id", None))


def _opens(user, model) -> bool:
    """Whether the door opens to ``user`` for ``model`` at all: a person whose role opens individual records (an
    analyst's does not: their figures are counted as their agency, an ``AgencyReader``), an agency reading as a
    whole, or anyone for a model whose rows are people's own (``OWN_RECORDS``: an export they asked for)."""
    return _may_use(user) and (isinstance(user, AgencyReader) or getattr(model, "OWN_RECORDS", False)
                               or user.has_perm(VIEW_RECORDS))


_scanning: ContextVar[bool] = ContextVar("access_scanning", default=False)


@contextmanager
def scanning():
    """Write the door's conditions for queries that read many rows (a report's counts over a million records).

    The same condition, another shape. By default each is a probe per row (a correlated ``EXISTS`` on the grant
    table's index, an owner column through a join): cheapest for a page of rows. Counting across whole tables, a
    probe per row, or a join the planner answers by hashing every young person, costs seconds; inside this block a
    condition is membership of a set the database builds once (``IN (SELECT ...)``: the agency's grants, the young
    people it owns). Queries must be evaluated inside the block to take this shape; outside they are the same rows,
    counted more slowly."""
    token = _scanning.set(True)
    try:
        yield
    finally:
        _scanning.reset(token)


def is_scanning() -> bool:
    return _scanning.get()


class Granted(Expression):
    """``EXISTS`` a grant row giving ``group_id`` ``permission_id`` on the record whose id is ``record`` or, with
    ``through`` (a foreign key column of the granted table), on any record whose ``through`` is ``record``.

    A correlated probe of the grant table's unique (group, permission, object) index, written straight to SQL: the
    same condition as ``Exists(GrantModel.objects.filter(...))`` without building and cloning a subquery, which
    on a page of nested rules was most of the time Django spent on a request.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, model, record, group_id: int, permission_id: int, through: str | None = None):
        super().__init__()
        self.model, self.record, self.group_id, self.permission_id, self.through = (
            model, record, group_id, permission_id, through)

    def get_source_expressions(self):
        return [self.record]

    def set_source_expressions(self, exprs):
        (self.record,) = exprs

    def as_sql(self, compiler, connection):
        record, params = compiler.compile(self.record)
        quote = connection.ops.quote_name
        grants = quote(grant_model(self.model)._meta.db_table)
        if self.through is None:
            source, match = "", "access_grant.content_object_id"
        else:
            source = (f" INNER JOIN {quote(self.model._meta.db_table)} access_record"
                      f" ON access_record.{quote(self.model._meta.pk.column)} = access_grant.content_object_id")
            match = f"access_record.{quote(self.model._meta.get_field(self.through).column)}"
        # Identifiers from the models' own metadata, quoted; every value a parameter.
        if is_scanning():  # the set of what the agency holds, built once (``scanning``)
            return (f"{record} IN (SELECT {match} FROM {grants} access_grant{source} "  # noqa: S608
                    "WHERE access_grant.group_id = %s AND access_grant.permission_id = %s)",
                    (*params, self.group_id, self.permission_id))
        return (f"EXISTS (SELECT 1 FROM {grants} access_grant{source} WHERE {match} = {record} "  # noqa: S608
                "AND access_grant.group_id = %s AND access_grant.permission_id = %s)",
                (*params, self.group_id, self.permission_id))


def granted(user, model, level: str, record: str = "pk", *, through: str | None = None) -> Q:
    """The agency of ``user`` holds ``level`` on the shareable ``model`` record whose id is in field ``record`` or,
    with ``through``, on some ``model`` record whose foreign key ``through`` points at ``record``."""
    return Q(_grant(user, model, level, record, through))


def _grant(user, model, level: str, record: str = "pk", through: str | None = None) -> Granted:
    return Granted(model, F(record), user.agency.group_id, permission_id(model, level), through)


def rule(user, model, level: str = VIEW) -> Q:
    """The condition on ``model`` rows that ``user`` may reach at ``level``."""
    if level not in LEVELS:
        raise ValueError(level)
    if issubclass(model, Shareable):
        # A correlated EXISTS on the grant table's unique (group, permission, object) index: one index probe per
        # row, so checking one record, a page of a list, or a count all stay fast at millions of grants.
        return granted(user, model, level)
    access_q = getattr(model, "access_q", None)
    if access_q is None:
        raise ImproperlyConfigured(f"{model.__name__} has no access rule")
    return access_q(user, level)


@dataclass(frozen=True)
class AgencyReader:
    """An agency as a whole, reading: for documents built for an agency (panel packs), never for a person.

    It reaches exactly what the agency's grants allow, nothing restricted to named people (it is no one), and it
    may do nothing (no role). Pass it wherever a selector takes a user.
    """

    agency: Agency
    pk = None
    is_authenticated = True
    is_active = True

    @property
    def agency_id(self):
        return self.agency.pk

    def has_perm(self, perm) -> bool:
        return False


@dataclass(frozen=True)
class SystemActor:
    """The service itself acting: a scheduled job, a management command, the demo seeder. Named, so the audit log
    says which; it belongs to no agency, so the access door gives it nothing and only rules that name it admit it
    (setting up agencies and people, installing frameworks, the jobs' own bookkeeping)."""

    name: str
    pk = None
    agency_id = None
    agency = None
    is_authenticated = True
    is_active = True
    is_system = True

    def get_username(self) -> str:
        return f"system:{self.name}"

    def has_perm(self, perm) -> bool:
        return False

    def __str__(self):
        return f"the system ({self.name})"


def system(name: str) -> SystemActor:
    """The system actor for a job or command called ``name``."""
    return SystemActor(name)


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def reaching(user, field: str, queryset, level: str = VIEW) -> Q:
    """Rows whose ``field`` (a foreign key, possibly through others: ``item__meeting``) points at a row of
    ``queryset`` that ``user`` may reach at ``level``. A correlated EXISTS, never ``IN (every visible row)``."""
    if not _opens(user, queryset.model):
        return Q(pk__in=[])
    model, query = queryset.model, queryset.query
    if not query.where and not query.is_sliced:  # any row of the table: no subquery needed
        if issubclass(model, Shareable):
            return granted(user, model, level, field)  # its grant alone decides (the foreign key guarantees the row)
        if hasattr(model, "reach_q"):
            return model.reach_q(user, field, level)  # the model's rule, written relative to the foreign key
    return Q(Exists(visible(user, queryset.filter(pk=OuterRef(field)), level)))


def inherit(user, model, field: str, level: str = VIEW) -> Q:
    """Rows of ``model`` whose ``field`` (a foreign key to their subject) points at a reachable subject."""
    subject = model._meta.get_field(field).related_model
    return reaching(user, field, subject._default_manager.all(), level)


def visible(user, queryset, level: str = VIEW):
    """``queryset`` narrowed to what ``user`` may reach at ``level``; empty for anyone not signed in, and for a person
    whose role opens no individual records (an analyst)."""
    if not _opens(user, queryset.model):
        return queryset.none()
    return queryset.filter(rule(user, queryset.model, level))


def visible_count(user, model, level: str = VIEW) -> int:
    """How many ``model`` records ``user`` may reach: the agency's grant rows alone, without touching the records
    (a grant's foreign key guarantees its record, and (group, permission, record) is unique). Shareable only."""
    if not _opens(user, model):
        return 0
    return grant_model(model).objects.filter(group_id=user.agency.group_id,
                                             permission_id=permission_id(model, level)).count()


def count_visible(user, rows, by: str):
    """An expression for an annotation: how many of ``rows`` (filtered on ``OuterRef``) ``user`` may reach, grouped
    by ``by`` (the field that points at the outer row); 0 when none. A count through the door, never of every row."""
    seen = visible(user, rows).order_by().values(by).annotate(n=models.Count("pk")).values("n")
    return Coalesce(models.Subquery(seen), 0)


def get_visible_or_404(user, queryset, **lookup):
    """The record, or 404. It comes with what the reader's agency may do to it, read in the same query, so the
    page's later ``can(user, record, CONTRIBUTE)`` or ``MANAGE`` (and every policy asking them) costs nothing."""
    rows = visible(user, queryset)
    known = _may_use(user)
    if known:
        model = queryset.model
        rows = rows.annotate(**{f"access_{level}": _level(user, model, level) for level in (CONTRIBUTE, MANAGE)})
    obj = get_object_or_404(rows, **lookup)
    if known:
        obj._access_levels = (user.agency.group_id, {VIEW: True, **{
            level: obj.__dict__.pop(f"access_{level}") for level in (CONTRIBUTE, MANAGE)}})
    return obj


def know_levels(user, objs: list) -> None:
    """Read what ``user``'s agency may do to each of ``objs`` (records of one model) in one query, as
    ``get_visible_or_404`` does for one: a page asking a rule about each row (``{% allowed %}``) then costs nothing
    more per row. Records the user may not see are left unknown (``can`` asks the database, and says no)."""
    if not objs or not _may_use(user):
        return
    model = type(objs[0])
    rows = visible(user, model._default_manager.filter(pk__in={obj.pk for obj in objs})).annotate(
        **{f"access_{level}": _level(user, model, level) for level in (CONTRIBUTE, MANAGE)})
    known = {pk: levels for pk, *levels in rows.values_list("pk", f"access_{CONTRIBUTE}", f"access_{MANAGE}")}
    for obj in objs:
        if obj.pk in known:
            obj._access_levels = (user.agency.group_id, {VIEW: True, CONTRIBUTE: known[obj.pk][0],
                                                         MANAGE: known[obj.pk][1]})


def _level(user, model, level: str) -> Expression:
    if issubclass(model, Shareable):
        return _grant(user, model, level)
    return ExpressionWrapper(rule(user, model, level), output_field=BooleanField())


def can(user, obj, level: str = VIEW) -> bool:
    known = getattr(obj, "_access_levels", None)
    if known is not None and _may_use(user) and known[0] == user.agency.group_id:
        return known[1][level]
    return visible(user, type(obj)._default_manager.filter(pk=obj.pk), level).exists()


def _forget_levels(obj):
    obj.__dict__.pop("_access_levels", None)


def require(user, perm: str | None, obj=None, *, level: str = VIEW):
    """Refuse unless ``user`` may do ``perm`` (their role) to ``obj`` at ``level`` (their agency's grants).

    Raises Http404 when ``obj`` is not visible at all, PermissionDenied when it is visible but the person
    may not do this to it.
    """
    if not _may_use(user):
        raise PermissionDenied
    if obj is not None and not can(user, obj, VIEW):
        raise Http404
    if perm and not user.has_perm(perm):
        raise PermissionDenied
    if obj is not None and level != VIEW and not can(user, obj, level):
        raise PermissionDenied


def grant_owner(obj: Shareable):
    """Give the owning agency every level on a newly created record."""
    for level in LEVELS:
        assign_perm(codename(type(obj), level), obj.owning_agency.group, obj)


def sharing(obj: Shareable) -> list[tuple[Agency, str]]:
    """The agencies (other than the owner) this record is shared with, and at which level."""
    rows = (
        grant_model(type(obj))
        .objects.filter(content_object=obj)
        .exclude(group_id=obj.owning_agency.group_id)
        .select_related("group__agency", "permission")
    )
    levels: dict[Agency, str] = {}
    for row in rows:
        agency = row.group.agency
        if row.permission.codename == codename(type(obj), CONTRIBUTE) or agency not in levels:
            levels[agency] = row.permission.codename.split("_", 1)[0]
    return sorted(levels.items(), key=lambda item: item[0].name)


def _share_target(obj: Shareable, agency: Agency) -> Group:
    if agency.pk == obj.owning_agency_id:
        raise ValidationError({"agency": "This agency owns the record; it already sees everything on it."})
    if not agency.is_active:
        raise ValidationError({"agency": "This agency is no longer active, so records cannot be shared with it."})
    return agency.group


def grant(obj: Shareable, agency: Agency, level: str):
    """Give ``agency`` ``level`` (view, or view and contribute) on ``obj``, replacing what it had.

    No person's permission is checked here: ``share`` checks it, and services that share by a rule (a partner's
    referral going to the lead authority) call this and record why.
    """
    if level not in SHARE_LEVELS:
        raise ValidationError({"level": "Choose whether the agency can view, or view and contribute."})
    group = _share_target(obj, agency)
    model, grants = type(obj), grant_model(type(obj))
    _forget_levels(obj)
    # INSERT ... ON CONFLICT DO NOTHING on the grant table's unique (group, permission, record): two people sharing
    # one record with one agency at the same moment both succeed, with one grant (guardian's assign_perm reads,
    # then inserts, and the second insert failed on the unique index).
    grants.objects.bulk_create(
        [grants(group=group, permission_id=permission_id(model, given), content_object=obj)
         for given in SHARE_LEVELS[level]], ignore_conflicts=True)
    grants.objects.filter(group=group, content_object=obj).exclude(
        permission_id__in=[permission_id(model, given) for given in SHARE_LEVELS[level]]).delete()


def transfer(obj: Shareable, to_agency: Agency, actor=None, *, keep_view: bool = True, basis: Basis | None = None,
             cause_label: str = ""):
    """Make ``to_agency`` the owner of ``obj``: it gets every level, the old owner loses manage and contribute, and
    keeps view unless ``keep_view`` is False. Other agencies' shares are untouched. The one way ownership moves.

    Keeping view is the default: the old owner wrote much of the record's history, may still be working with the
    young person or place while the handover happens, and is asked about it later; a request that says the old
    owner has no further part (``keep_view=False``) takes that away too (data minimisation). No person's permission
    is checked here: the transfer services decide and audit (so ``actor``, who accepted it, is not keyword-only: this
    is not a service). The view kept is a share by the new owner to the old, recorded (``Disclosure``) with the
    ``basis`` of the transfer ``cause_label`` that caused it.
    """
    old = obj.owning_agency
    if to_agency.pk == old.pk:
        raise ValidationError({"to_agency": "This agency already owns the record."})
    if not to_agency.is_active:
        raise ValidationError({"to_agency": "This agency is no longer active."})
    model, grants = type(obj), grant_model(type(obj))
    _forget_levels(obj)
    kept = [permission_id(model, VIEW)] if keep_view else []
    grants.objects.filter(group_id=old.group_id, content_object=obj).exclude(permission_id__in=kept).delete()
    grants.objects.filter(group_id=to_agency.group_id, content_object=obj).delete()
    obj.owning_agency = to_agency
    type(obj)._default_manager.filter(pk=obj.pk).update(owning_agency=to_agency)
    grant_owner(obj)
    actor = actor or system("transfer")
    disclosures.end(actor=actor, target=obj, agency=to_agency)  # it owns the record now: no longer shared with it
    if keep_view and basis is not None:
        disclosures.record(actor=actor, target=obj, from_agency=to_agency, to_agency=old, level=VIEW,
                           cause=DisclosureCause.TRANSFER, cause_label=cause_label,
                           basis=disclosures.check(basis, to_agency, old))


@policy.rule
def can_see_sharing(user, record: Shareable):
    """See which agencies a record is shared with: its owning agency."""
    require(user, None, record, level=MANAGE)


@policy.rule
def can_share(user, record: Shareable):
    """Share a record with another agency, or stop sharing it: its owning agency, with a role that shares."""
    require(user, f"{record._meta.app_label}.share_{record._meta.model_name}", record, level=MANAGE)


@transaction.atomic
def share(*, actor, obj: Shareable, agency: Agency, level: str, basis: Basis | None,
          cause: str = DisclosureCause.SHARED, cause_label: str = ""):
    """Share ``obj`` with ``agency`` at ``level`` (view, or view and contribute), on the lawful ``basis`` given
    (refused without one: safeguarding.disclosures). Replaces a previous level, and the basis it had."""
    can_share.ensure(actor, obj)
    _shared(actor=actor, obj=obj, agency=agency, level=level, basis=basis, cause=cause, cause_label=cause_label)
    notifications.notify(kind=NotificationKind.SHARED, title=f"{obj._meta.verbose_name.capitalize()} {obj} shared with "
                         f"your agency", url=obj.get_absolute_url(), agency=agency, perm=VIEW_RECORDS, about=obj)


@transaction.atomic
def share_because(actor, obj: Shareable, agency: Agency, *, level: str, basis: Basis, cause: str, cause_label: str,
                  asks_reason: bool = True):
    """Share ``obj`` because of another lawful decision (``cause_label``: a referral accepted), carrying that
    decision's ``basis`` (``asks_reason=False`` when its reason and who was told are held by the decision itself, a
    referral). Not a service (its ``actor`` is positional, like ``grant``'s callers in cases.referrals): no person's
    permission is checked here, the deciding service did."""
    _shared(actor=actor, obj=obj, agency=agency, level=level, basis=basis, cause=cause, cause_label=cause_label,
            asks_reason=asks_reason)


def _shared(*, actor, obj, agency, level, basis, cause, cause_label, asks_reason=True):
    if level not in SHARE_LEVELS:
        raise ValidationError({"level": "Choose whether the agency can view, or view and contribute."})
    _share_target(obj, agency)
    basis = disclosures.check(basis, obj.owning_agency, agency, asks_reason=asks_reason)
    grant(obj, agency, level)
    disclosed = disclosures.record(actor=actor, target=obj, from_agency=obj.owning_agency, to_agency=agency,
                                   level=level, basis=basis, cause=cause, cause_label=cause_label)
    audit.record(actor=actor, action=AuditAction.SHARE, target=obj,
                 detail={"agency_id": agency.pk, "agency": agency.name, "level": level, "cause": cause,
                         **({"because": cause_label} if cause_label else {}), "disclosure": disclosed.pk,
                         **basis.detail()})


@transaction.atomic
def unshare(*, actor, obj: Shareable, agency: Agency):
    """Take away every grant ``agency`` holds on ``obj``; the basis it was shared on is kept, ended."""
    can_share.ensure(actor, obj)
    group = _share_target(obj, agency)
    _forget_levels(obj)
    deleted, _ = grant_model(type(obj)).objects.filter(content_object=obj, group=group).delete()
    if not deleted:
        raise ValidationError({"agency": "This record is not shared with that agency."})
    disclosures.end(actor=actor, target=obj, agency=agency)
    audit.record(actor=actor, action=AuditAction.UNSHARE, target=obj,
                 detail={"agency_id": agency.pk, "agency": agency.name})


# Every URL's view carries one of these marks; tests/security proves no view is without one.
def public(view):
    """Open to anyone: sign-in, sign-out and the health check. Nothing personal may be behind it."""
    view.access_door = "public"
    return view


def signed_in(view):
    """For signed-in people; what they see is then narrowed by ``visible``/``require`` inside the view."""
    wrapped = login_required(view)
    wrapped.access_door = "signed_in"
    return wrapped
