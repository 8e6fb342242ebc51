"""Pages for panels, meetings, the live meeting, actions and packs. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import access, attachments, audit, commitments, lists, outbox, subjects
from safeguarding.forms import submit
from safeguarding.models import Agency, AuditAction, User
from safeguarding.pages import form_page
from safeguarding.versioning import EditConflict

from . import policies, selectors, services
from .filters import ACTIONS, MEETINGS, SHARE_REQUESTS, UPCOMING_MEETINGS
from .forms import (
    ActionForm,
    AgendaItemForm,
    FeedbackGivenForm,
    InviteForm,
    MeetingForm,
    MinuteForm,
    PanelForm,
    PanelSettingsForm,
    ShareApproveForm,
    ShareDeclineForm,
    ShareRequestForm,
)
from .models import MEETING_FLOW, AttendanceStatus, MeetingStatus, PackStatus, ShareRequestStatus


def _panel_for(user, pk):
    panel = selectors.panels_for(user).filter(pk=pk).first()
    if panel is None:
        raise Http404
    return panel


def _members(meeting):
    return User.objects.filter(is_active=True, agency__in=meeting.panel.member_agencies.all()).select_related(
        "agency").order_by("agency__name", "last_name", "first_name")


def _member_agencies(meeting):
    """The ids of the panel's member agencies, read when a picker is drawn (its type-ahead is narrowed to them)."""
    return meeting.panel.member_agencies.values_list("pk", flat=True)


@access.signed_in
def panels(request):
    """The meetings the reader may see as one list (upcoming, soonest first, unless another time is chosen), and the
    panels of their agency."""
    user = request.user
    upcoming = not request.GET.get("when")
    listing = lists.list_page(request, selectors.meetings_list(user, upcoming=True if upcoming else None),
                              UPCOMING_MEETINGS if upcoming else MEETINGS)
    return render(request, "panels/panels.html", {
        "list": listing, "upcoming": upcoming, "panels": selectors.panels_for(user),
        "can_add": policies.can_add_panel(user)}, status=listing.status)


@access.signed_in
def panel_new(request):
    policies.can_add_panel.ensure(request.user)
    return form_page(request, PanelForm(request.POST or None), template="includes/form_page.html",
                     context={"title": "Set up a panel", "back": "/panels/"},
                     call=lambda data: services.panel_create(actor=request.user, **data),
                     done=lambda panel: f"{panel.name} has been set up.", then=reverse("panels"))


@access.signed_in
def panel_edit(request, pk):
    panel = _panel_for(request.user, pk)
    policies.can_change_panel.ensure(request.user, panel)
    form = PanelSettingsForm(request.POST or None, initial={
        "terms_of_reference": panel.terms_of_reference, "packs_to_apologies": panel.packs_to_apologies})
    return form_page(request, form, template="includes/form_page.html",
                     context={"title": f"Settings of {panel.name}", "back": "/panels/"},
                     call=lambda data: services.panel_update(actor=request.user, panel=panel, **data),
                     done="Panel settings saved.", then=reverse("panels"))


@access.signed_in
def meeting_new(request, pk):
    panel = _panel_for(request.user, pk)
    policies.can_schedule_meeting.ensure(request.user, panel)
    return form_page(request, MeetingForm(request.POST or None), template="includes/form_page.html",
                     context={"title": f"Schedule a meeting of {panel.name}", "back": "/panels/"},
                     call=lambda data: services.meeting_schedule(
                         actor=request.user, panel=panel, starts_at=data["starts_at"], location=data["location"],
                         online_link=data["online_link"]),
                     done="Meeting scheduled. Set the agenda and invite people.",
                     then=lambda meeting: reverse("meeting", args=[meeting.pk]))


def _packs(user, meeting) -> dict:
    packs = list(selectors.packs_for(user, meeting))
    return {"packs": packs, "building": any(p.status in (PackStatus.QUEUED, PackStatus.BUILDING) for p in packs)}


def _meeting_context(request, meeting) -> dict:
    user = request.user
    items = selectors.agenda(user, meeting)
    runs = policies.can_run_meeting(user, meeting)
    if runs:
        _who_will_not_see(user, meeting, items)
    return {
        "meeting": meeting, "items": items,
        "attendance": selectors.attendance(user, meeting),
        "outstanding": selectors.outstanding_actions(user, meeting),
        **_packs(user, meeting), "runs": runs,
        "flow": [(status, MeetingStatus(status).label, i <= meeting.step) for i, status in enumerate(MEETING_FLOW)],
    }


def _who_will_not_see(user, meeting, items):
    """Tell whoever runs the meeting, on each item about a record, which panel agencies cannot see that record, and
    where the panel's request to share it stands."""
    unseen = selectors.not_seeing(items, selectors.panel_agencies(meeting))
    requests = selectors.share_requests_for_meeting(user, meeting) if unseen else {}
    for item in items:
        if not getattr(item, "hidden", False):
            item.unseen, item.share_request = unseen.get(item.pk, []), requests.get(item.pk)


@access.signed_in
def meeting_detail(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    audit.record_view(request.user, meeting)
    context = _meeting_context(request, meeting)
    # Each item about a young person asks whether the reader may record that feedback was given: one query for all.
    access.know_levels(request.user, [item.young_person for item in context["items"]
                                      if not getattr(item, "hidden", False) and item.young_person_id])
    return render(request, "panels/meeting.html", {**context, **attachments.page_context(request.user, meeting)})


@access.signed_in
def meeting_live(request, pk):
    """The chair's view to work through the agenda: attendance, minutes, decisions and actions, saved as they go."""
    meeting = selectors.meeting_for(request.user, pk)
    policies.can_run_meeting.ensure(request.user, meeting)
    audit.record_view(request.user, meeting, page="live")
    context = _meeting_context(request, meeting)
    shown = [item for item in context["items"] if not getattr(item, "hidden", False)]
    action_forms = ActionForm.for_items(shown, _members(meeting))
    for item in shown:
        item.minute_form = MinuteForm(item=item, initial={
            "version": item.version, "voice": item.voice, "feedback": item.feedback, "minutes": item.minutes,
            "decisions": item.decisions})
        item.action_form = action_forms[item.pk]
    context["statuses"] = AttendanceStatus.choices
    # Attendance comes first, folded to who is present once the register has been taken (rows already read).
    context["present"] = [row for row in context["attendance"] if row.status == AttendanceStatus.PRESENT]
    return render(request, "panels/live.html", context)


@access.signed_in
def item_new(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    user = request.user
    policies.can_run_meeting.ensure(user, meeting)
    form = AgendaItemForm(
        request.POST or None,
        records={kind.key: access.visible(user, kind.model.objects.all()).order_by(*kind.ordering)
                 for kind in subjects.kinds()}, presenters=_members(meeting), agencies=_member_agencies(meeting))
    return form_page(request, form, template="includes/form_page.html",
                     context={"title": "Add an agenda item", "back": f"/meetings/{pk}/"},
                     call=lambda data: services.agenda_item_add(
                         actor=user, meeting=meeting, subject=form.subject(), theme=data["theme"],
                         reason=data["reason"], presenter=data["presenter"]),
                     rename={"subject": form.data.get("kind", "")},
                     done=lambda item: _item_added(meeting, item),
                     then=lambda item: reverse("meeting", args=[pk]) + f"#item-{item.pk}")


def _item_added(meeting, item) -> str:
    """Said when an item is added: and, for a record some of the panel cannot see, who, and what to do."""
    said = f"Item {item.position} added to the agenda."
    unseen = selectors.not_seeing([item], selectors.panel_agencies(meeting)).get(item.pk)
    if unseen:
        said += (f" {services.agency_list(unseen)} cannot see {item.subject}. Ask {services.holder(item)} to share it "
                 "before the meeting (on the item below), or they will not see the item, in the meeting or the "
                 "pack, and cannot be given actions on it.")
    return said


@access.signed_in
def invite(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    policies.can_run_meeting.ensure(request.user, meeting)
    form = InviteForm(request.POST or None, people=_members(meeting), agencies=_member_agencies(meeting))
    return form_page(request, form, template="includes/form_page.html",
                     context={"title": "Invite someone, or record attendance", "back": f"/meetings/{pk}/"},
                     call=lambda data: services.attendance_set(actor=request.user, meeting=meeting, **data),
                     done="Attendance saved.", then=reverse("meeting", args=[pk]))


@access.signed_in
@require_POST
def attendance_mark(request, pk, person_pk):
    """The live page marks attendance one click at a time (htmx)."""
    meeting = selectors.meeting_for(request.user, pk)
    policies.can_run_meeting.ensure(request.user, meeting)
    person = _members(meeting).filter(pk=person_pk).first() or _not_found()
    try:
        row = services.attendance_set(actor=request.user, meeting=meeting, person=person,
                                      status=request.POST.get("status", ""))
    except ValidationError as exc:
        return render(request, "panels/_saved.html", {"error": " ".join(exc.messages)}, status=400)
    return render(request, "panels/_saved.html", {"saved": f"{row.person}: {row.get_status_display().lower()}"})


def _not_found():
    raise Http404


@access.signed_in
@require_POST
def item_minute(request, pk):
    """Save one item's minutes (htmx, every few seconds while the chair types). A conflict loses nothing typed."""
    item = selectors.item_for(request.user, pk)
    policies.can_run_meeting.ensure(request.user, item.meeting)
    form = MinuteForm(request.POST, item=item)
    if not form.is_valid():
        return render(request, "panels/_saved.html", {"error": "Not saved: " + " ".join(
            e for errors in form.errors.values() for e in errors), "item": item}, status=400)
    data = form.cleaned_data
    try:
        saved = services.item_minute(actor=request.user, item=item, expected_version=data["version"],
                                     **{k: data[k] for k in ("voice", "feedback", "minutes", "decisions")})
    except EditConflict as exc:
        return render(request, "panels/_saved.html", {"error": exc.messages[0], "item": item}, status=409)
    return render(request, "panels/_saved.html", {
        "saved": f"Saved at {timezone.localtime(saved.updated_at):%H:%M:%S}", "item": saved,
        "version_field": form.add_prefix("version")})


@access.signed_in
@require_POST
def action_new(request, pk):
    """Add an action from the live page: with htmx, the item's actions and a fresh form come back in place (or the
    form with what was wrong, and how to put it right); without, back to the item, or the form page again."""
    item = selectors.item_for(request.user, pk)
    policies.can_run_meeting.ensure(request.user, item.meeting)
    people = _members(item.meeting)
    form = ActionForm(request.POST, people=people, prefix=f"action-{item.pk}")
    chosen = form.cleaned_data.get("owner_agency") if form.is_valid() else None
    added = chosen is not None and submit(form, lambda: services.action_add(
        actor=request.user, item=item, **form.cleaned_data))
    ask = _ask_instead(form, item, chosen)
    if request.htmx:
        item.action_form = (ActionForm(people=people, prefix=f"action-{item.pk}") if added else form).inline(item.pk)
        return render(request, "panels/_item_actions.html", {
            "item": item, "actions": selectors.item_actions(item), "runs": True, "added": added, "ask": ask})
    if added:
        messages.success(request, "Action added.")
        return redirect(f"/meetings/{item.meeting_id}/live/#item-{item.pk}")
    return render(request, "panels/action_new.html", {
        "form": form, "back": f"/meetings/{item.meeting_id}/live/#item-{item.pk}", "ask": ask}, status=400)


def _ask_instead(form, item, agency) -> dict | None:
    """When the agency chosen cannot see the item's record: the link to ask for it to be shared with them."""
    refused = form.errors.as_data().get("owner_agency", [])
    if agency is None or not any(error.code == services.CANNOT_SEE for error in refused):
        return None
    return {"url": reverse("share-request-new", args=[item.pk]) + f"?agency={agency.pk}&from=live",
            "holder": services.holder(item), "agency": agency}


@access.signed_in
@require_POST
def meeting_advance(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    to = request.POST.get("to", "")
    try:
        moved = services.meeting_advance(actor=request.user, meeting=meeting, to=to,
                                         expected_version=int(request.POST.get("version") or 0))
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("meeting", pk)
    if to == MeetingStatus.MINUTES_APPROVED and outbox.waiting([services.minutes_key(moved)]):
        messages.success(request, "Minutes approved. The job service is not answering just now: the minutes will be "
                                  "emailed to everyone who attended as soon as it is back. Nothing needs doing.")
    else:
        messages.success(request, "Meeting updated.")
    return redirect("meeting", pk)


@access.signed_in
@require_POST
def packs_request(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    try:
        packs = services.packs_request(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"/meetings/{pk}/#packs")
    if outbox.waiting([services.pack_key(pack) for pack in packs]):
        messages.success(request, f"{len(packs)} packs requested. The job service is not answering just now: they "
                                  "will be built as soon as it is back, and this page will show them. Nothing needs "
                                  "doing.")
    else:
        messages.success(request, f"{len(packs)} packs are being built. This page shows when each is ready.")
    return redirect(f"/meetings/{pk}/#packs")


@access.signed_in
def packs_status(request, pk):
    """The packs panel, polled by htmx every two seconds while any pack is still building."""
    meeting = selectors.meeting_for(request.user, pk)
    return render(request, "panels/_packs.html", {"meeting": meeting, **_packs(request.user, meeting),
                                                  "runs": policies.can_run_meeting(request.user, meeting)})


@access.signed_in
def pack_download(request, pk):
    pack = selectors.pack_for(request.user, pk)
    if pack.status != PackStatus.READY or not pack.file:  # no file: disposed of (panels.retention)
        raise Http404
    try:
        if not pack.file or not pack.file.storage.exists(pack.file.name):
            raise FileNotFoundError(pack.file.name)
        handle = pack.file.open("rb")
    except OSError:  # gone from storage: said plainly (not a 500), listed for administrators, built again
        services.pack_rebuild(actor=request.user, pack=pack)
        return render(request, "safeguarding/file_missing.html", {"record": pack, "rebuilding": True}, status=410)
    audit.record(actor=request.user, action=AuditAction.DOWNLOAD, target=pack,
                 detail={"meeting": pack.meeting.audit_label, "agency_id": pack.agency_id,
                         "agenda_version": pack.agenda_version})
    return FileResponse(handle, as_attachment=True, content_type="application/pdf",
                        filename=f"panel-pack-{pack.meeting_id}-{pack.agency.name[:40]}.pdf")


@access.signed_in
def actions(request):
    outstanding = not request.GET.get("status")  # unless a status is asked for, the outstanding ones
    listing = lists.list_page(request, selectors.my_agency_actions(request.user, outstanding_only=outstanding),
                              ACTIONS)
    return render(request, "panels/actions.html", {"list": listing, "today": timezone.localdate()},
                  status=listing.status)


@access.signed_in
def action_update(request, pk):
    action = selectors.action_for(request.user, pk)
    return commitments.update_page(
        request, services.ACTIONS, action, report=lambda **data: services.action_report(action=action, **data),
        then=reverse("actions"), back="/actions/", caption=action.description)


@access.signed_in
def item_feedback_given(request, pk):
    """After the meeting: record that what will be fed back was given to the young person, when and how."""
    item = selectors.item_for(request.user, pk)
    policies.can_record_feedback_given.ensure(request.user, item)
    back = reverse("meeting", args=[item.meeting_id]) + f"#item-{item.pk}"
    form = FeedbackGivenForm(request.POST or None, initial={"version": item.version})
    return form_page(request, form, template="panels/feedback_given.html", context={"item": item, "back": back},
                     call=lambda data: services.item_feedback_given(
                         actor=request.user, item=item, expected_version=data["version"], given_on=data["given_on"],
                         how=data["how"]),
                     done="Feedback to the young person recorded.", then=back)


# --- Asking for an item's record to be shared, and deciding ------------------------------------------------------

@access.signed_in
def share_request_new(request, pk):
    """A chair asks the agency holding an item's record to share it with the panel agencies that cannot see it."""
    item = selectors.item_for(request.user, pk)
    policies.can_ask_to_share.ensure(request.user, item)
    unseen = selectors.not_seeing([item], selectors.panel_agencies(item.meeting)).get(item.pk, [])
    agencies = Agency.objects.filter(pk__in=[a.pk for a in unseen]).order_by("name")
    wanted = [a.pk for a in unseen if str(a.pk) == request.GET.get("agency")] or [a.pk for a in unseen]
    live = request.GET.get("from") == "live"
    back = reverse("meeting-live" if live else "meeting", args=[item.meeting_id]) + f"#item-{item.pk}"
    form = ShareRequestForm(request.POST or None, agencies=agencies, initial={"agencies": wanted})
    return form_page(request, form, template="panels/share_request_new.html",
                     context={"item": item, "unseen": unseen, "holder": services.holder(item), "back": back},
                     call=lambda data: services.share_request_ask(actor=request.user, item=item, **data),
                     done=lambda asked: f"{services.holder(item)} has been asked to share {item.subject}.",
                     then=back)


@access.signed_in
def share_requests(request):
    """Requests from panels to share records the person may share: waiting ones first."""
    listing = lists.list_page(request, selectors.share_requests_to_decide(request.user), SHARE_REQUESTS)
    return render(request, "panels/share_requests.html", {"list": listing}, status=listing.status)


@access.signed_in
def share_request(request, pk):
    """One request: who asks, for whom and why; approve it with a lawful basis, or decline it saying why."""
    share_request = selectors.share_request_for(request.user, pk)
    may = policies.can_decide_share_request(request.user, share_request)
    waiting = share_request.status == ShareRequestStatus.ASKED
    # The agreements offered are those of the agency holding the record (the subject's own agency: a young person's
    # record to share is a case of the agency that recorded them), read only when the reader may decide.
    subject = share_request.item.subject
    holder = {"holder": subject.owning_agency_id if may and waiting and subject is not None else None,
              "agencies": share_request.agencies.all()}
    approve, decline = ShareApproveForm(**holder), ShareDeclineForm()
    status = 200
    if request.method == "POST":
        policies.can_decide_share_request.ensure(request.user, share_request)
        if request.POST.get("decision") == "decline":
            decline = ShareDeclineForm(request.POST)
            done = decline.is_valid() and submit(decline, lambda: services.share_request_decline(
                actor=request.user, share_request=share_request, reason=decline.cleaned_data["decline_reason"]))
            said = "Declined. The chair has been told why."
        else:
            approve = ShareApproveForm(request.POST, **holder)
            done = approve.is_valid() and submit(approve, lambda: services.share_request_approve(
                actor=request.user, share_request=share_request, basis=approve.basis()))
            said = f"{share_request.item.subject} is now shared with the agencies the panel asked for."
        if done:
            messages.success(request, said)
            return redirect("share-requests")
        status = 400
    return render(request, "panels/share_request.html", {
        "row": share_request, "may": may, "approve": approve, "decline": decline,
        "waiting": waiting}, status=status)
