"""Reads of panels, meetings, agendas, actions and packs that depend on who is asking (a person or an agency)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q
from django.utils import timezone

from safeguarding import access, commitments, subjects
from safeguarding.models import Agency, Shareable

from .models import (
    OUTSTANDING,
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    ItemKind,
    Meeting,
    PackStatus,
    Panel,
    PanelPack,
    ShareRequest,
    ShareRequestStatus,
)


@dataclass(frozen=True)
class HiddenItem:
    """An agenda item about a record not shared with the reader: its number, and nothing else."""

    pk: int
    position: int
    hidden = True


def meeting_for(user, pk: int) -> Meeting:
    rows = Meeting.objects.select_related("panel", "owning_agency", "minutes_approved_by")
    return access.get_visible_or_404(user, rows, pk=pk)


def meetings_list(user, *, upcoming: bool | None = None):
    """The meetings ``user`` may see, with their panel: only those still to start (``upcoming``), only those that have
    started (``upcoming=False``), or all."""
    rows = access.visible(user, Meeting.objects.select_related("panel"))
    if upcoming is True:
        rows = rows.filter(starts_at__gte=timezone.now()).order_by("starts_at", "id")
    elif upcoming is False:
        rows = rows.filter(starts_at__lt=timezone.now()).order_by("-starts_at", "-id")
    return rows


def meeting_panels(user):
    """The panels with a meeting ``user`` may see (the meetings list's panel filter): each a probe of the meetings'
    (panel, starts at) index and the grant's, over the few panels there are."""
    seen = access.visible(user, Meeting.objects.filter(panel=OuterRef("pk")))
    return Panel.objects.filter(Exists(seen)).order_by("name")


def panels_for(user):
    """Panels with a member agency the person belongs to."""
    return Panel.objects.filter(member_agencies=user.agency_id).prefetch_related("chairs").order_by("name")


def _actions():
    updates = ActionUpdate.objects.select_related("author", "agency")
    return Action.objects.select_related("owner_agency", "owner", "item__meeting__panel").prefetch_related(
        Prefetch("updates", queryset=updates))


def agenda(user, meeting: Meeting) -> list:
    """The meeting's items in order. Items about a record the reader cannot see come back as ``HiddenItem``."""
    items = access.visible(user, meeting.items.all())
    shown = AgendaItem.objects.filter(pk=OuterRef("pk")).filter(AgendaItem.subject_visible_q(user))
    # One pass decides what the reader may see; only those items are then read in full.
    entries = list(items.annotate(shown=Exists(shown)).order_by("position", "id")
                   .values_list("pk", "position", "shown"))
    full = {item.pk: item for item in AgendaItem.objects.filter(pk__in=[pk for pk, _, ok in entries if ok])
            .select_related(*subjects.related(AgendaItem), "presenter__agency", "feedback_given_by")
            .prefetch_related(Prefetch("actions", queryset=_actions().order_by("due_on", "id")))}
    for item in full.values():
        item.meeting = meeting  # what the item's rules read, without a query each
    return [full.get(pk) or HiddenItem(pk=pk, position=position) for pk, position, _ in entries]


def item_actions(item: AgendaItem):
    """An item's actions, as the agenda reads them (for the live page's list, after one is added)."""
    return _actions().filter(item=item).order_by("due_on", "id")


def attendance(user, meeting: Meeting):
    return access.visible(user, meeting.attendance.select_related("agency", "person", "deputy_for")).order_by(
        "agency__name", "person__last_name", "id")


def outstanding_actions(user, meeting: Meeting):
    """Actions from the panel's earlier meetings not yet done: they come onto this agenda by themselves."""
    rows = _actions().filter(item__meeting__panel_id=meeting.panel_id, item__meeting__starts_at__lt=meeting.starts_at,
                             status__in=OUTSTANDING)
    return access.visible(user, rows).order_by("due_on", "id")


def my_agency_actions(user, *, outstanding_only: bool = True):
    return commitments.owned_by(user, _actions(), outstanding_only=outstanding_only)


def action_for(user, pk: int) -> Action:
    return access.get_visible_or_404(user, _actions(), pk=pk)


def item_for(user, pk: int) -> AgendaItem:
    """An item the reader may see in full (its subject visible too): anything else is not found."""
    rows = AgendaItem.objects.filter(AgendaItem.subject_visible_q(user)).select_related(
        "meeting__panel", *subjects.related(AgendaItem))
    return access.get_visible_or_404(user, rows, pk=pk)


def packs_for(user, meeting: Meeting):
    """The current packs the reader may have: their own agency's, or all of them for whoever runs the meeting."""
    rows = access.visible(user, meeting.packs.select_related("agency")).exclude(status=PackStatus.SUPERSEDED)
    return rows.filter(agenda_version=meeting.agenda_version).order_by("agency__name")


def pack_for(user, pk: int) -> PanelPack:
    return access.get_visible_or_404(user, PanelPack.objects.select_related("meeting__panel", "agency"), pk=pk)




# --- Who will not see an item, and asking for it to be shared ---------------------------------------------------

def panel_agencies(meeting: Meeting) -> list[Agency]:
    """The agencies a meeting's items are for: the panel's members and any other agency with someone invited."""
    return list(Agency.objects.filter(Q(panels=meeting.panel_id) | Q(pk__in=meeting.attendance.values("agency_id")))
                .distinct().order_by("name"))


def not_seeing(items, agencies) -> dict[int, list[Agency]]:
    """For each item about a record, which of ``agencies`` cannot see that record, read as each agency would
    (``access.AgencyReader``): one query for every item and agency, whatever the length of the agenda."""
    pks = [item.pk for item in items if not getattr(item, "hidden", False) and item.kind != ItemKind.THEME]
    if not pks or not agencies:
        return {}
    sees = {f"sees_{agency.pk}": ExpressionWrapper(AgendaItem.subject_visible_q(access.AgencyReader(agency)),
                                                   output_field=BooleanField()) for agency in agencies}
    rows = AgendaItem.objects.filter(pk__in=pks).annotate(**sees).values("pk", *sees)
    return {row["pk"]: [agency for agency in agencies if not row[f"sees_{agency.pk}"]] for row in rows}


def _requests():
    return ShareRequest.objects.select_related(
        "meeting__panel", "item", *subjects.related(AgendaItem, "item__"), "asked_by__agency", "decided_by",
        "agreement",
    ).prefetch_related("agencies")


def share_requests_for_meeting(user, meeting: Meeting) -> dict[int, ShareRequest]:
    """The latest request to share each item's record, by item (for whoever runs the meeting)."""
    latest = {}
    for row in access.visible(user, ShareRequest.objects.filter(meeting=meeting).select_related("decided_by")
                              .prefetch_related("agencies")).order_by("asked_at", "id"):
        latest[row.item_id] = row
    return latest


def share_requests_to_decide(user):
    """Requests to share a record the reader may share (their agency holds it and their role shares), waiting
    first. The person's role is asked per kind of record, so a chair sees none of them here."""
    mine = Q(pk__in=[])
    for kind in subjects.kinds():
        model = _shared_model(kind)
        if user.has_perm(f"{model._meta.app_label}.share_{model._meta.model_name}"):
            mine |= access.reaching(user, f"item__{kind.key}", kind.model._default_manager.all(), access.MANAGE)
    waiting = ExpressionWrapper(Q(status=ShareRequestStatus.ASKED), output_field=BooleanField())
    return access.visible(user, _requests().filter(mine)).annotate(waiting=waiting).order_by(
        "-waiting", "-asked_at", "-id")


def _shared_model(kind):
    """The model whose grants open a kind of subject: itself, or (a young person) their case."""
    if issubclass(kind.model, Shareable):
        return kind.model
    return kind.model._meta.get_field("cases").related_model


def share_request_for(user, pk: int) -> ShareRequest:
    return access.get_visible_or_404(user, _requests(), pk=pk)


# --- The dashboard: my agency's work -----------------------------------------------------------------------------

COMING_UP_DAYS = 30


def agency_meetings_coming_up(user, days: int = COMING_UP_DAYS, *, not_chaired: bool = False):
    """Meetings in the next ``days`` days that ``user``'s agency may see and is invited to or sits on the panel of,
    soonest first (without those of panels ``user`` chairs, when ``not_chaired``: the chair's own section lists
    them)."""
    now = timezone.now()
    invited = Attendance.objects.filter(meeting=OuterRef("pk"), agency_id=user.agency_id)
    member = Panel.member_agencies.through.objects.filter(panel_id=OuterRef("panel_id"), agency_id=user.agency_id)
    rows = access.visible(user, Meeting.objects.select_related("panel")).filter(
        starts_at__gte=now, starts_at__lt=now + timedelta(days=days)).filter(Exists(invited) | Exists(member))
    if not_chaired:
        rows = rows.exclude(Exists(Panel.chairs.through.objects.filter(panel_id=OuterRef("panel_id"),
                                                                        user_id=user.pk)))
    return rows.order_by("starts_at", "id")


def my_commitments(user):
    """The outstanding panel actions and safety-plan interventions ``user`` is named on, each kind soonest due first
    (two querysets: slice each, then merge with ``soonest``)."""
    from assessments.models import Intervention

    return (commitments.owned_by(user, Action.objects.filter(owner=user).select_related("item__meeting__panel")),
            commitments.owned_by(user, Intervention.objects.filter(owner=user).select_related("owner")))


def agency_commitment_rows(user):
    """The same for everything ``user``'s agency owns, whoever is named."""
    from assessments.models import Intervention

    return (commitments.owned_by(user, Action.objects.select_related("owner", "item__meeting__panel")),
            commitments.owned_by(user, Intervention.objects.select_related("owner")))


def soonest(kinds, limit: int) -> list:
    """At most ``limit`` rows of each queryset in ``kinds``, merged soonest due first: one query a kind."""
    rows = [row for rows in kinds for row in rows[:limit]]
    return sorted(rows, key=lambda row: (row.due_on, type(row).__name__, row.pk))[:limit]


def chaired_meetings(user, limit: int = 5):
    """The coming meetings of panels ``user`` chairs, soonest first, each with how ready it is: its agenda items,
    requests to share an item's record still waiting, and its packs for the current agenda by status. One query."""
    meeting = OuterRef("pk")
    packs = PanelPack.objects.filter(meeting=meeting, agenda_version=OuterRef("agenda_version"))
    return access.visible(user, Meeting.objects.select_related("panel")).filter(
        panel__chairs=user, starts_at__gte=timezone.now()).annotate(
        item_count=access.count_visible(user, AgendaItem.objects.filter(meeting=meeting), "meeting"),
        share_waiting=access.count_visible(user, ShareRequest.objects.filter(
            meeting=meeting, status=ShareRequestStatus.ASKED), "meeting"),
        packs_ready=access.count_visible(user, packs.filter(status=PackStatus.READY), "meeting"),
        packs_building=access.count_visible(user, packs.filter(
            status__in=[PackStatus.QUEUED, PackStatus.BUILDING]), "meeting"),
        packs_failed=access.count_visible(user, packs.filter(status=PackStatus.FAILED), "meeting"),
    ).order_by("starts_at", "id")


# --- The partner API (panels/api.py) --------------------------------------------------------------------------------

def meetings_api(user):
    return access.visible(user, Meeting.objects.select_related("panel", "owning_agency"))


def items_api(user):
    """Items the reader may see in full: the meeting, and the item's subject (a theme has none)."""
    return access.visible(user, AgendaItem.objects.filter(AgendaItem.subject_visible_q(user)))


def _actions_api():
    return Action.objects.select_related("owner_agency", "owner")


def actions_api(user):
    return access.visible(user, _actions_api())


def action_api_for(user, pk: int) -> Action:
    return access.get_visible_or_404(user, _actions_api(), pk=pk)
