"""Every write to panels, meetings, agendas, minutes, actions and packs: checked, validated, audited, atomic."""

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from safeguarding import access, audit, commitments, disclosures, notifications, outbox, subjects
from safeguarding import services as kernel_services
from safeguarding.edits import only
from safeguarding.lawful import Basis, basis_of
from safeguarding.models import Agency, AuditAction, DisclosureCause, NotificationKind
from safeguarding.roles import Perm
from safeguarding.versioning import lock_current

from . import policies, selectors
from .models import (
    MEETING_FLOW,
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ItemKind,
    Meeting,
    MeetingStatus,
    PackStatus,
    PackStep,
    Panel,
    PanelPack,
    ShareRequest,
    ShareRequestStatus,
)

MEETING_FIELDS = {"starts_at", "location", "online_link"}
MINUTE_FIELDS = {"minutes", "decisions", "voice", "feedback"}


@transaction.atomic
def panel_create(*, actor, name: str, kind: str, member_agencies, chairs, terms_of_reference: str = "",
                 packs_to_apologies: bool = True) -> Panel:
    policies.can_add_panel.ensure(actor)
    chairs, members = list(chairs), set(member_agencies) | {actor.agency}
    if not chairs:
        raise ValidationError({"chairs": "Choose at least one chair"})
    if any(not c.is_active or c.agency not in members or not c.has_perm(Perm.RUN_MEETING) for c in chairs):
        raise ValidationError({"chairs": "Each chair must be an active member of a member agency, with the panel "
                                         "chair role."})
    panel = Panel(name=name.strip(), kind=kind, owning_agency=actor.agency, terms_of_reference=terms_of_reference,
                  packs_to_apologies=packs_to_apologies)
    panel.full_clean()
    panel.save()
    panel.member_agencies.set(members)
    panel.chairs.set(chairs)
    audit.record(actor=actor, action=AuditAction.CREATE, target=panel,
                 detail={"members": sorted(a.pk for a in members), "packs_to_apologies": packs_to_apologies})
    return panel


PANEL_SETTINGS = {"terms_of_reference", "packs_to_apologies"}


@transaction.atomic
def panel_update(*, actor, panel: Panel, **fields) -> Panel:
    """Change a panel's settings: its terms of reference, and whether agencies that sent apologies get packs."""
    policies.can_change_panel.ensure(actor, panel)
    current = Panel.objects.select_for_update().get(pk=panel.pk)
    changed = {name: value for name, value in only(fields, PANEL_SETTINGS).items() if getattr(current, name) != value}
    for name, value in changed.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current, detail={"fields": sorted(changed)})
    return current


@transaction.atomic
def meeting_schedule(*, actor, panel: Panel, **fields) -> Meeting:
    """A meeting of ``panel``, seen by every member agency; its chairs are invited."""
    policies.can_schedule_meeting.ensure(actor, panel)
    meeting = Meeting(panel=panel, owning_agency=actor.agency, created_by=actor, **only(fields, MEETING_FIELDS))
    meeting.full_clean()
    meeting.save()
    access.grant_owner(meeting)
    for agency in panel.member_agencies.exclude(pk=actor.agency_id):
        access.grant(meeting, agency, access.CONTRIBUTE)
    for chair in panel.chairs.filter(is_active=True):
        Attendance.objects.create(meeting=meeting, agency=chair.agency, person=chair)
    audit.record(actor=actor, action=AuditAction.CREATE, target=meeting,
                 detail={"panel": panel.pk})
    return meeting


def _running(actor, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    policies.can_run_meeting.ensure(actor, meeting)
    if expected_version is None:
        return Meeting.objects.select_for_update().get(pk=meeting.pk)
    return lock_current(meeting, expected_version)


def _agenda_changed(meeting: Meeting, actor):
    """A new agenda version; packs already sent are superseded and built again for the new agenda."""
    meeting.agenda_version += 1
    meeting.save(update_fields=["agenda_version"])
    sent = list(meeting.packs.filter(status__in=[PackStatus.QUEUED, PackStatus.BUILDING, PackStatus.READY])
                .values_list("agency_id", flat=True).distinct())
    meeting.packs.exclude(agenda_version=meeting.agenda_version).exclude(status=PackStatus.SUPERSEDED).update(
        status=PackStatus.SUPERSEDED)
    if sent and meeting.step >= MEETING_FLOW.index(MeetingStatus.PACKS_SENT):
        _queue_packs(meeting, Agency.objects.filter(pk__in=sent), actor)


@transaction.atomic
def agenda_item_add(*, actor, meeting: Meeting, subject=None, theme: str = "", reason: str,
                    presenter=None) -> AgendaItem:
    meeting = _running(actor, meeting)
    _not_approved(meeting)
    errors = {}
    if subject is None and not theme.strip():
        errors["theme"] = "Choose a young person, place or peer group, or enter a theme"
    if subject is not None and not access.can(actor, subject):
        # Said the same way whether the record exists or not.
        errors["subject"] = "Choose a record you can see"
    if not reason.strip():
        errors["reason"] = "Enter why it is on the agenda"
    if presenter is not None and (not presenter.is_active or not meeting.panel.member_agencies.filter(
            pk=presenter.agency_id).exists()):
        errors["presenter"] = "The presenter must be an active member of one of the panel's agencies."
    if errors:
        raise ValidationError(errors)
    position = (meeting.items.aggregate(n=Max("position"))["n"] or 0) + 1
    # An item's kind is its subject's key (safeguarding.subjects), or a theme.
    fields = {"theme": theme.strip()} if subject is None else subjects.fields(subject)
    kind = ItemKind.THEME if subject is None else subjects.of(subject).key
    item = AgendaItem(meeting=meeting, position=position, kind=kind, reason=reason.strip(), presenter=presenter,
                      added_by=actor, **fields)
    item.full_clean()
    item.save()
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.AGENDA_SET
        meeting.save(update_fields=["status"])
    _agenda_changed(meeting, actor)
    audit.record(actor=actor, action=AuditAction.CREATE, target=item,
                 detail={"meeting": meeting.audit_label, "kind": kind})
    return item


def _not_approved(meeting: Meeting):
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise ValidationError("The minutes are approved, so the meeting's record can no longer change.")


@transaction.atomic
def item_minute(*, actor, item: AgendaItem, expected_version: int, **fields) -> AgendaItem:
    """Minute an item as the meeting goes (saved every few seconds from the live page)."""
    policies.can_run_meeting.ensure(actor, item.meeting)
    _not_approved(Meeting.objects.select_for_update().get(pk=item.meeting_id))
    current = lock_current(item, expected_version)
    for name, value in only(fields, MINUTE_FIELDS).items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    current.full_clean()
    current.save()
    meeting = current.meeting
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_SET, MeetingStatus.PACKS_SENT):
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.IN_PROGRESS, version=F("version") + 1)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current,
                 detail={"fields": sorted(fields)})
    return current


@transaction.atomic
def item_feedback_given(*, actor, item: AgendaItem, expected_version: int, given_on, how: str) -> AgendaItem:
    """Record that the feedback was given to the young person after the meeting: when, how, and by whom (the actor)."""
    current = lock_current(item, expected_version)
    policies.can_record_feedback_given.ensure(actor, current)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": "The date the feedback was given cannot be in the future."})
    if given_on < timezone.localdate(current.meeting.starts_at):
        raise ValidationError({"given_on": "The feedback is given after the meeting: on or after its date."})
    if not how.strip():
        raise ValidationError({"how": "Say how the feedback was given."})
    current.feedback_given_on, current.feedback_given_how, current.feedback_given_by = given_on, how.strip(), actor
    current.full_clean()
    current.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current,
                 detail={"feedback_given_on": given_on.isoformat(), "young_person": current.young_person.audit_label})
    return current


@transaction.atomic
def attendance_set(*, actor, meeting: Meeting, person, status: str, deputy_for=None) -> Attendance:
    meeting = _running(actor, meeting)
    errors = {}
    if status not in AttendanceStatus.values:
        errors["status"] = "Select present, apologies or absent"
    if not person.is_active:
        errors["person"] = "This person's account is no longer active."
    elif not meeting.panel.member_agencies.filter(pk=person.agency_id).exists():
        errors["person"] = "Only people from the panel's member agencies can attend."
    if deputy_for is not None and (deputy_for.agency_id != person.agency_id or deputy_for.pk == person.pk):
        errors["deputy_for"] = "A deputy stands in for someone else in their own agency."
    if errors:
        raise ValidationError(errors)
    row, _ = Attendance.objects.update_or_create(
        meeting=meeting, person=person,
        defaults={"agency": person.agency, "status": status, "deputy_for": deputy_for})
    audit.record(actor=actor, action=AuditAction.UPDATE, target=meeting,
                 detail={"attendance": person.pk, "status": status})
    return row


# Actions are commitments (safeguarding.commitments): an agency's undertaking, reported on by the agency that owns
# it; its owner sees all of its agency's actions on one page.
ACTIONS = commitments.Kind(model=Action, update_model=ActionUpdate, noun="action",
                           rule=policies.can_report_on_action, url=lambda action: reverse("actions"))


@transaction.atomic
def action_add(*, actor, item: AgendaItem, description: str, owner_agency: Agency, due_on, owner=None) -> Action:
    meeting = _running(actor, item.meeting)
    _not_approved(meeting)
    errors = {}
    if not meeting.panel.member_agencies.filter(pk=owner_agency.pk).exists():
        errors["owner_agency"] = "Choose one of the panel's member agencies."
    elif item.subject is not None and not access.can(access.AgencyReader(owner_agency), item.subject):
        # The action would tell the agency about a record it may not see: the record is shared first.
        errors["owner_agency"] = ValidationError(cannot_see(item, owner_agency), code=CANNOT_SEE)
    if not description.strip():
        errors["description"] = "Enter the action"
    commitments.check(owner_agency=owner_agency, owner=owner, due_on=due_on,
                      not_before=timezone.localdate(meeting.starts_at),
                      too_early="The due date must be on or after the day of the meeting", errors=errors)
    action = Action(item=item, description=description.strip(), owner_agency=owner_agency, owner=owner,
                    due_on=due_on, created_by=actor)
    action.full_clean()
    action.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=action,
                 detail={"owner_agency_id": owner_agency.pk})
    notifications.notify(kind=NotificationKind.ACTION_ASSIGNED,
                         title=f"Action for {'you' if owner else 'your agency'}: {action.description}",
                         url=ACTIONS.url(action), people=[owner], agency=None if owner else owner_agency,
                         perm=Perm.UPDATE_ACTION, about=action, about_agency=owner_agency)
    return action


CANNOT_SEE = "cannot_see"


def holder(item: AgendaItem) -> Agency:
    """The agency that can share an item's record with others."""
    record = item.record_to_share() or item.subject
    return record.owning_agency


def cannot_see(item: AgendaItem, agency: Agency) -> str:
    """What to do when ``agency`` cannot see what ``item`` is about (it must not be given an action on it)."""
    return (f"{agency} cannot see this {subjects.of(item.subject).noun}. Ask {holder(item)} to share it first, or "
            "choose another agency.")


@transaction.atomic
def action_report(*, actor, action: Action, text: str, status: str) -> ActionUpdate:
    """An update on an action, by the agency that owns it or by whoever runs the meeting."""
    policies.can_report_on_action.ensure(actor, action)
    return commitments.report(ACTIONS, actor=actor, commitment=action, text=text, status=status)


@transaction.atomic
def meeting_advance(*, actor, meeting: Meeting, to: str, expected_version: int) -> Meeting:
    """Move a meeting on: minutes drafted, then approved (and sent to everyone who attended)."""
    current = _running(actor, meeting, expected_version)
    allowed = {MeetingStatus.MINUTES_DRAFTED: (MeetingStatus.IN_PROGRESS, MeetingStatus.PACKS_SENT,
                                               MeetingStatus.AGENDA_SET),
               MeetingStatus.MINUTES_APPROVED: (MeetingStatus.MINUTES_DRAFTED,),
               MeetingStatus.IN_PROGRESS: (MeetingStatus.AGENDA_SET, MeetingStatus.PACKS_SENT)}
    if current.status not in allowed.get(to, ()):
        raise ValidationError(f"A meeting that is '{current.get_status_display().lower()}' cannot move to "
                              f"'{MeetingStatus(to).label.lower()}'.")
    current.status = to
    if to == MeetingStatus.MINUTES_APPROVED:
        current.minutes_approved_by, current.minutes_approved_at = actor, timezone.now()
        from .tasks import minutes_circulate

        outbox.enqueue(minutes_circulate, current.pk, key=minutes_key(current))
    current.save()
    audit.record(actor=actor, action=AuditAction.APPROVE if to == MeetingStatus.MINUTES_APPROVED
                 else AuditAction.UPDATE, target=current, detail={"status": to})
    return current


def pack_key(pack: PanelPack) -> str:
    """The outbox key of a pack's build: one per try (a failed pack asked for again is built again)."""
    return f"pack-build:{pack.pk}:{pack.attempts}"


def minutes_key(meeting: Meeting) -> str:
    """The outbox key of the job that emails a meeting's approved minutes (approved once, so sent once)."""
    return f"minutes:{meeting.pk}"


# --- Packs ------------------------------------------------------------------------------------------------------

def attending_agencies(meeting: Meeting):
    """Agencies with someone invited or present, and (if the panel sends them packs) those whose people sent
    apologies; never an agency only marked absent."""
    statuses = [AttendanceStatus.INVITED, AttendanceStatus.PRESENT]
    if meeting.panel.packs_to_apologies:
        statuses.append(AttendanceStatus.APOLOGIES)
    return Agency.objects.filter(pk__in=meeting.attendance.filter(status__in=statuses).values("agency_id")).order_by(
        "name")


def _queue_packs(meeting: Meeting, agencies, actor) -> list[PanelPack]:
    from .tasks import pack_build

    packs = []
    for agency in agencies:
        pack, created = PanelPack.objects.get_or_create(
            meeting=meeting, agency=agency, agenda_version=meeting.agenda_version,
            defaults={"requested_by": actor})
        if created or pack.status == PackStatus.FAILED:
            if not created:
                PanelPack.objects.filter(pk=pack.pk).update(status=PackStatus.QUEUED, progress=0, error="")
            outbox.enqueue(pack_build, pack.pk, key=pack_key(pack))
        packs.append(pack)
    return packs


@transaction.atomic
def packs_request(*, actor, meeting: Meeting, agencies=None) -> list[PanelPack]:
    """Build one pack per attending agency (or the ones named) for the current agenda. Asking twice builds once."""
    meeting = _running(actor, meeting)
    if not meeting.items.exists():
        raise ValidationError("Add at least one agenda item before sending packs.")
    attending = list(attending_agencies(meeting))
    agencies = attending if agencies is None else list(agencies)
    outsiders = [a.name for a in agencies if a not in attending]
    if outsiders:
        raise ValidationError({"agencies": f"Not attending this meeting: {', '.join(outsiders)}. Invite someone "
                                           "from the agency first."})
    if not agencies:
        raise ValidationError({"agencies": "Nobody is invited yet: invite people before sending packs."})
    packs = _queue_packs(meeting, agencies, actor)
    if meeting.step < MEETING_FLOW.index(MeetingStatus.PACKS_SENT):
        meeting.status = MeetingStatus.PACKS_SENT
        meeting.save(update_fields=["status"])
    audit.record(actor=actor, action=AuditAction.EXPORT, target=meeting,
                 detail={"packs": [p.pk for p in packs], "agenda_version": meeting.agenda_version})
    return packs



def rebuild_key(pack: PanelPack) -> str:
    """The outbox key of a ready pack's rebuild after its file went missing: once per build it replaces."""
    return f"pack-rebuild:{pack.pk}:{pack.attempts}"


@transaction.atomic
def pack_rebuild(*, actor, pack: PanelPack) -> PanelPack:
    """A ready pack's file is missing from storage: record it (listed for administrators until rebuilt) and build
    the pack again, from what its agency may see now. Asking again while it is rebuilt queues nothing more."""
    policies.can_rebuild_pack.ensure(actor, pack)
    from .tasks import pack_build

    current = PanelPack.objects.select_for_update().get(pk=pack.pk)
    kernel_services.missing_file_record(actor=actor, record=current, path=current.file.name)
    if current.status == PackStatus.READY:
        PanelPack.objects.filter(pk=current.pk).update(status=PackStatus.QUEUED, step=PackStep.QUEUED, progress=0,
                                                       error="")
        outbox.enqueue(pack_build, current.pk, key=rebuild_key(current))
        audit.record(actor=actor, action=AuditAction.EXPORT, target=current,
                     detail={"rebuild": "file missing", "agenda_version": current.agenda_version})
        current.refresh_from_db()
    return current


# --- Asking the agency that holds an item's record to share it with the panel -----------------------------------

@transaction.atomic
def share_request_ask(*, actor, item: AgendaItem, agencies, reason: str) -> ShareRequest:
    """Ask the agency holding ``item``'s record to let ``agencies`` (on the panel, unable to see it) see it. Its
    people who may share the record are told."""
    policies.can_ask_to_share.ensure(actor, item)
    meeting = _running(actor, item.meeting)
    record = item.record_to_share()
    chosen = list(agencies)
    blind = selectors.not_seeing([item], selectors.panel_agencies(meeting)).get(item.pk, [])
    errors = {}
    if record is None:
        errors["agencies"] = (f"{item.subject} has no open case held by {item.subject.owning_agency}, so there is "
                              "nothing the panel can ask them to share.")
    elif not chosen:
        errors["agencies"] = "Choose the agencies that need to see it"
    elif any(agency not in blind for agency in chosen):
        errors["agencies"] = "Choose only agencies on the panel that cannot see it yet."
    if not reason.strip():
        errors["reason"] = "Enter why the panel needs them to see it"
    if ShareRequest.objects.filter(item=item, status=ShareRequestStatus.ASKED).exists():
        errors["agencies"] = "The panel has already asked for this record to be shared: wait for the answer."
    if errors:
        raise ValidationError(errors)
    request = ShareRequest(meeting=meeting, item=item, reason=reason.strip(), asked_by=actor)
    request.full_clean()
    request.save()
    request.agencies.set(chosen)
    audit.record(actor=actor, action=AuditAction.CREATE, target=request,
                 detail={"meeting": meeting.audit_label, "item": item.audit_label, "record": record.audit_label,
                         "agencies": sorted(a.pk for a in chosen)})
    notifications.notify(
        kind=NotificationKind.SHARE_REQUESTED, agency=record.owning_agency,
        perm=f"{record._meta.app_label}.share_{record._meta.model_name}",
        title=f"{meeting.panel.name} asks you to share {item.subject} with {agency_list(chosen)}",
        url=reverse("share-request", args=[request.pk]), about=request)
    return request


def agency_list(agencies) -> str:
    """Agencies named in a sentence: "Northfield Academy, Northfield Police and Northfield Homes"."""
    names = [str(agency) for agency in agencies]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _deciding(actor, share_request: ShareRequest) -> ShareRequest:
    policies.can_decide_share_request.ensure(actor, share_request)
    current = ShareRequest.objects.select_for_update().select_related("meeting__panel", "item").get(
        pk=share_request.pk)
    policies.can_decide_share_request.ensure(actor, current)  # decided by someone else meanwhile
    return current


@transaction.atomic
def share_request_approve(*, actor, share_request: ShareRequest, basis: Basis | None) -> ShareRequest:
    """Share the record with the agencies asked for (to view), on the lawful ``basis`` given (refused without one);
    the chair is told. Each share records it, with the agreement in force between the holder and that agency."""
    current = _deciding(actor, share_request)
    record = current.item.record_to_share()
    asked = list(current.agencies.order_by("name"))
    # Why it is shared is the panel's reason, given by the chair when asking; the approver gives the rest.
    basis = replace(basis, reason=current.reason) if basis is not None else None
    current.set_basis(disclosures.check(basis, record.owning_agency, *asked))
    current.status, current.decided_by, current.decided_at = ShareRequestStatus.APPROVED, actor, timezone.now()
    current.version += 1
    current.full_clean()
    current.save()
    shared = []
    for agency in asked:
        if access.can(access.AgencyReader(agency), record):
            continue  # shared since it was asked for, perhaps to contribute: never take a level away
        access.share(actor=actor, obj=record, agency=agency, level=access.VIEW, cause=DisclosureCause.PANEL,
                     cause_label=current.audit_label, basis=basis_of(current))
        shared.append(agency)
    audit.record(actor=actor, action=AuditAction.APPROVE, target=current, detail={
        "request": current.audit_label, "meeting": current.meeting.audit_label, "item": current.item.audit_label,
        "record": record.audit_label, "shared_with": [a.pk for a in shared], "level": access.VIEW,
        **current.lawful_detail()})
    notifications.notify(
        kind=NotificationKind.SHARE_DECIDED, people=[current.asked_by],
        title=f"{actor.agency} shared {current.item.subject} with {agency_list(current.agencies.order_by('name'))}",
        url=reverse("meeting", args=[current.meeting_id]) + f"#item-{current.item_id}")
    return current


@transaction.atomic
def share_request_decline(*, actor, share_request: ShareRequest, reason: str) -> ShareRequest:
    """Decline to share, saying why; the chair is told."""
    current = _deciding(actor, share_request)
    if not reason.strip():
        raise ValidationError({"decline_reason": "Enter why the record cannot be shared"})
    current.status, current.decided_by, current.decided_at = ShareRequestStatus.DECLINED, actor, timezone.now()
    current.decline_reason = reason.strip()
    current.version += 1
    current.full_clean()
    current.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current, detail={
        "request": current.audit_label, "meeting": current.meeting.audit_label, "item": current.item.audit_label,
        "decision": ShareRequestStatus.DECLINED})
    notifications.notify(
        kind=NotificationKind.SHARE_DECIDED, people=[current.asked_by],
        title=f"{actor.agency} declined to share {current.item.subject} with the panel",
        url=reverse("meeting", args=[current.meeting_id]) + f"#item-{current.item_id}")
    return current
