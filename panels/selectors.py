"""Reads of panels, meetings, agendas, actions and packs that depend on who is asking (a person or an agency)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from safeguarding import access, commitments, subjects

from .models import (
    OUTSTANDING,
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    Meeting,
    PackStatus,
    Panel,
    PanelPack,
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
    rows = access.visible(user, Meeting.objects.select_related("panel"))
    if upcoming is True:
        rows = rows.filter(starts_at__gte=timezone.now()).order_by("starts_at", "id")
    elif upcoming is False:
        rows = rows.filter(starts_at__lt=timezone.now()).order_by("-starts_at", "-id")
    return rows


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
            .select_related(*subjects.related(AgendaItem), "presenter__agency")
            .prefetch_related(Prefetch("actions", queryset=_actions().order_by("due_on", "id")))}
    return [full.get(pk) or HiddenItem(pk=pk, position=position) for pk, position, _ in entries]


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




# --- The dashboard: my agency's work -----------------------------------------------------------------------------

COMING_UP_DAYS = 30


def agency_commitments(user, limit: int = 10) -> list:
    """The outstanding panel actions and safety-plan interventions ``user``'s agency owns, soonest due (so overdue)
    first, at most ``limit``: one query for each kind, whatever the data."""
    from assessments.models import Intervention

    actions = commitments.owned_by(user, Action.objects.select_related("owner", "item__meeting__panel"))[:limit]
    interventions = commitments.owned_by(user, Intervention.objects.select_related("owner"))[:limit]
    return sorted([*actions, *interventions], key=lambda row: (row.due_on, type(row).__name__, row.pk))[:limit]


def meetings_coming_up(user, days: int = COMING_UP_DAYS, limit: int = 10):
    """Meetings in the next ``days`` days that ``user``'s agency may see and is invited to or sits on the panel of."""
    now = timezone.now()
    invited = Attendance.objects.filter(meeting=OuterRef("pk"), agency_id=user.agency_id)
    member = Panel.member_agencies.through.objects.filter(panel_id=OuterRef("panel_id"), agency_id=user.agency_id)
    rows = access.visible(user, Meeting.objects.select_related("panel")).filter(
        starts_at__gte=now, starts_at__lt=now + timedelta(days=days)).filter(Exists(invited) | Exists(member))
    return list(rows.order_by("starts_at", "id")[:limit])
