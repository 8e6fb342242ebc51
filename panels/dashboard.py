"""The dashboard's sections about meetings and actions (registered with safeguarding.dashboard)."""

from django.urls import reverse
from django.utils import timezone

from safeguarding.dashboard import Row, Section, register

from . import selectors


def _commitment_row(c, *, named: bool = False) -> Row:
    if getattr(c, "item_id", None):
        text, href = c.description, reverse("action-update", args=[c.pk])
        meeting = c.item.meeting
        detail = f"Panel action from {meeting.panel.name}, {timezone.localtime(meeting.starts_at):%-d %b %Y}"
    else:
        text, href, detail = c.what, reverse("intervention-update", args=[c.pk]), "Safety plan intervention"
    if named and c.owner_id:
        detail += f", {c.owner}"
    return Row(text=text if len(text) <= 100 else f"{text[:99]}…", href=href, detail=detail, due_on=c.due_on)


def _mine(user, limit):
    return [_commitment_row(c) for c in selectors.soonest(selectors.my_commitments(user), limit)]


def _agency(user, limit):
    return [_commitment_row(c, named=True) for c in selectors.soonest(selectors.agency_commitment_rows(user), limit)]


def _meeting_when(m) -> str:
    return f"{timezone.localtime(m.starts_at):%a %-d %b %Y, %H:%M}"


def _meetings(user, limit):
    return [Row(text=m.panel.name, href=reverse("meeting", args=[m.pk]),
                detail=_meeting_when(m) + (f", {m.location}" if m.location else ""))
            for m in selectors.agency_meetings_coming_up(user, not_chaired=True)[:limit]]


def _readiness(m) -> tuple[str, tuple]:
    items = f"{m.item_count} item{'s' if m.item_count != 1 else ''} on the agenda"
    packs = m.packs_ready + m.packs_building + m.packs_failed
    tags = [(m.get_status_display(), "blue")]
    if m.share_waiting:
        tags.append((f"{m.share_waiting} share request{'s' if m.share_waiting != 1 else ''} waiting", "orange"))
    if not m.item_count:
        tags.append(("No agenda yet", "grey"))
    if packs:
        tags.append((f"Packs {m.packs_ready} of {packs} ready", "green" if m.packs_ready == packs else "yellow"))
    elif m.item_count:
        tags.append(("No packs built", "grey"))
    if m.packs_failed:
        tags.append((f"{m.packs_failed} pack{'s' if m.packs_failed != 1 else ''} failed", "red"))
    return f"{_meeting_when(m)}, {items}", tuple(tags)


def _chaired(user, limit):
    rows = []
    for m in selectors.chaired_meetings(user)[:limit]:
        detail, tags = _readiness(m)
        rows.append(Row(text=m.panel.name, href=reverse("meeting", args=[m.pk]), detail=detail, tags=tags))
    return rows


def _count_both(kinds) -> int:
    return sum(rows.count() for rows in kinds)


register(Section(
    key="chaired-meetings", title="Meetings you chair", rule="panels.can_chair_panels", order=0,
    rows=_chaired, count=lambda user: selectors.chaired_meetings(user).count(), noun="coming meetings",
    link="panels", empty="None of the panels you chair has a meeting coming up."))

register(Section(
    key="my-actions", title="Your actions", rule="panels.can_report_on_own_actions", order=20,
    rows=_mine, link="actions", link_text="All your agency's actions",
    empty="You are not named on any open action or intervention."))

register(Section(
    key="agency-actions", title="Your agency's actions", rule="panels.can_report_on_agency_actions", order=20,
    rows=_agency, count=lambda user: _count_both(selectors.agency_commitment_rows(user)),
    noun="of your agency's actions", link="actions", empty="Your agency has no open actions or interventions."))

register(Section(
    key="meetings", title="Meetings your agency is invited to", rule="panels.can_see_meetings", order=70,
    rows=_meetings, count=lambda user: selectors.agency_meetings_coming_up(user, not_chaired=True).count(),
    noun=f"meetings in the next {selectors.COMING_UP_DAYS} days", link="panels",
    empty=f"Your agency has no meetings in the next {selectors.COMING_UP_DAYS} days."))
