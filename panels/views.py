"""Pages for panels, meetings, the live meeting, actions and packs. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.models import YoungPerson
from contexts.models import PeerGroup, Place
from safeguarding import access, audit
from safeguarding.forms import submit
from safeguarding.models import AuditAction, User
from safeguarding.roles import Perm
from safeguarding.versioning import EditConflict

from . import selectors, services
from .forms import ActionForm, ActionUpdateForm, AgendaItemForm, InviteForm, MeetingForm, MinuteForm, PanelForm
from .models import MEETING_FLOW, AttendanceStatus, MeetingStatus, PackStatus


def _panel_for(user, pk):
    panel = selectors.panels_for(user).filter(pk=pk).first()
    if panel is None:
        raise Http404
    return panel


def _members(meeting):
    return User.objects.filter(is_active=True, agency__in=meeting.panel.member_agencies.all()).select_related(
        "agency").order_by("agency__name", "last_name", "first_name")


def _runs(user, meeting) -> bool:
    return user.has_perm(Perm.RUN_MEETING) and access.can(user, meeting, access.MANAGE) and (
        meeting.panel.chairs.filter(pk=user.pk).exists())


@access.signed_in
def panels(request):
    user = request.user
    return render(request, "panels/panels.html", {
        "panels": selectors.panels_for(user), "upcoming": selectors.meetings_list(user, upcoming=True)[:20],
        "past": selectors.meetings_list(user, upcoming=False)[:20], "can_add": user.has_perm(Perm.ADD_PANEL)})


@access.signed_in
def panel_new(request):
    access.require(request.user, Perm.ADD_PANEL)
    form = PanelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        panel = submit(form, lambda: services.panel_create(actor=request.user, request=request, **form.cleaned_data))
        if panel:
            messages.success(request, f"{panel.name} has been set up.")
            return redirect("panels")
    return render(request, "includes/form_page.html", {"form": form, "title": "Set up a panel", "back": "/panels/"})


@access.signed_in
def meeting_new(request, pk):
    panel = _panel_for(request.user, pk)
    access.require(request.user, Perm.RUN_MEETING)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = submit(form, lambda: services.meeting_schedule(
            actor=request.user, panel=panel, starts_at=data["starts_at"], location=data["location"],
            online_link=data["online_link"], request=request))
        if meeting:
            messages.success(request, "Meeting scheduled. Set the agenda and invite people.")
            return redirect("meeting", meeting.pk)
    return render(request, "includes/form_page.html", {"form": form, "title": f"Schedule a meeting of {panel.name}",
                                                "back": "/panels/"})


def _packs(user, meeting) -> dict:
    packs = list(selectors.packs_for(user, meeting))
    return {"packs": packs, "building": any(p.status in (PackStatus.QUEUED, PackStatus.BUILDING) for p in packs)}


def _meeting_context(request, meeting) -> dict:
    user = request.user
    return {
        "meeting": meeting, "items": selectors.agenda(user, meeting),
        "attendance": selectors.attendance(user, meeting),
        "outstanding": selectors.outstanding_actions(user, meeting),
        **_packs(user, meeting), "runs": _runs(user, meeting),
        "flow": [(status, MeetingStatus(status).label, i <= meeting.step) for i, status in enumerate(MEETING_FLOW)],
    }


@access.signed_in
def meeting_detail(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    audit.record_view(request, meeting)
    return render(request, "panels/meeting.html", _meeting_context(request, meeting))


@access.signed_in
def meeting_live(request, pk):
    """The chair's view to work through the agenda: attendance, minutes, decisions and actions, saved as they go."""
    meeting = selectors.meeting_for(request.user, pk)
    if not _runs(request.user, meeting):
        raise PermissionDenied
    audit.record_view(request, meeting, page="live")
    context = _meeting_context(request, meeting)
    shown = [item for item in context["items"] if not getattr(item, "hidden", False)]
    action_forms = ActionForm.for_items(shown, _members(meeting))
    for item in shown:
        item.minute_form = MinuteForm(item=item, initial={
            "version": item.version, "voice": item.voice, "feedback": item.feedback, "minutes": item.minutes,
            "decisions": item.decisions})
        item.action_form = action_forms[item.pk]
    context["statuses"] = AttendanceStatus.choices
    return render(request, "panels/live.html", context)


@access.signed_in
def item_new(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    if not _runs(request.user, meeting):
        raise PermissionDenied
    user = request.user
    form = AgendaItemForm(
        request.POST or None,
        people=access.visible(user, YoungPerson.objects.all()).order_by("last_name", "first_name"),
        places=access.visible(user, Place.objects.all()).order_by("name"),
        groups=access.visible(user, PeerGroup.objects.all()).order_by("name"), presenters=_members(meeting))
    if request.method == "POST" and form.is_valid():
        item = submit(form, lambda: services.agenda_item_add(
            actor=user, meeting=meeting, subject=form.subject(), theme=form.cleaned_data["theme"],
            reason=form.cleaned_data["reason"], presenter=form.cleaned_data["presenter"], request=request),
            rename={"subject": form.cleaned_data["kind"]})
        if item:
            messages.success(request, f"Item {item.position} added to the agenda.")
            return redirect("meeting", pk)
    return render(request, "includes/form_page.html", {"form": form, "title": "Add an agenda item",
                                                "back": f"/meetings/{pk}/"})


@access.signed_in
def invite(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    if not _runs(request.user, meeting):
        raise PermissionDenied
    form = InviteForm(request.POST or None, people=_members(meeting))
    if request.method == "POST" and form.is_valid():
        if submit(form, lambda: services.attendance_set(actor=request.user, meeting=meeting, request=request,
                                                        **form.cleaned_data)):
            messages.success(request, "Attendance saved.")
            return redirect("meeting", pk)
    return render(request, "includes/form_page.html", {"form": form, "title": "Invite someone, or record attendance",
                                                "back": f"/meetings/{pk}/"})


@access.signed_in
@require_POST
def attendance_mark(request, pk, person_pk):
    """The live page marks attendance one click at a time (htmx)."""
    meeting = selectors.meeting_for(request.user, pk)
    if not _runs(request.user, meeting):
        raise PermissionDenied
    person = _members(meeting).filter(pk=person_pk).first() or _not_found()
    try:
        row = services.attendance_set(actor=request.user, meeting=meeting, person=person,
                                      status=request.POST.get("status", ""), request=request)
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
    if not _runs(request.user, item.meeting):
        raise PermissionDenied
    form = MinuteForm(request.POST, item=item)
    if not form.is_valid():
        return render(request, "panels/_saved.html", {"error": "Not saved: " + " ".join(
            e for errors in form.errors.values() for e in errors), "item": item}, status=400)
    data = form.cleaned_data
    try:
        saved = services.item_minute(actor=request.user, item=item, expected_version=data["version"],
                                     request=request, **{k: data[k] for k in ("voice", "feedback", "minutes",
                                                                              "decisions")})
    except EditConflict as exc:
        return render(request, "panels/_saved.html", {"error": exc.messages[0], "item": item}, status=409)
    return render(request, "panels/_saved.html", {
        "saved": f"Saved at {timezone.localtime(saved.updated_at):%H:%M:%S}", "item": saved,
        "version_field": form.add_prefix("version")})


@access.signed_in
@require_POST
def action_new(request, pk):
    item = selectors.item_for(request.user, pk)
    if not _runs(request.user, item.meeting):
        raise PermissionDenied
    form = ActionForm(request.POST, people=_members(item.meeting), prefix=f"action-{item.pk}")
    if form.is_valid() and submit(form, lambda: services.action_add(actor=request.user, item=item, request=request,
                                                                    **form.cleaned_data)):
        messages.success(request, "Action added.")
        return redirect(f"/meetings/{item.meeting_id}/live/#item-{item.pk}")
    return render(request, "includes/form_page.html", {"form": form, "title": "Add an action",
                                                "back": f"/meetings/{item.meeting_id}/live/"}, status=400)


@access.signed_in
@require_POST
def meeting_advance(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    try:
        services.meeting_advance(actor=request.user, meeting=meeting, to=request.POST.get("to", ""),
                                 expected_version=int(request.POST.get("version") or 0), request=request)
        messages.success(request, "Meeting updated.")
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("meeting", pk)


@access.signed_in
@require_POST
def packs_request(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    try:
        packs = services.packs_request(actor=request.user, meeting=meeting, request=request)
        messages.success(request, f"{len(packs)} packs are being built. This page shows when each is ready.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"/meetings/{pk}/#packs")


@access.signed_in
def packs_status(request, pk):
    """The packs panel, polled by htmx every two seconds while any pack is still building."""
    meeting = selectors.meeting_for(request.user, pk)
    return render(request, "panels/_packs.html", {"meeting": meeting, **_packs(request.user, meeting),
                                                  "runs": _runs(request.user, meeting)})


@access.signed_in
def pack_download(request, pk):
    pack = selectors.pack_for(request.user, pk)
    if pack.status != PackStatus.READY:
        raise Http404
    audit.record(actor=request.user, action=AuditAction.DOWNLOAD, target=pack, request=request,
                 detail={"meeting": pack.meeting.audit_label, "agency_id": pack.agency_id,
                         "agenda_version": pack.agenda_version})
    return FileResponse(pack.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"panel-pack-{pack.meeting_id}-{pack.agency.name[:40]}.pdf")


@access.signed_in
def actions(request):
    return render(request, "panels/actions.html", {
        "rows": selectors.my_agency_actions(request.user), "today": timezone.localdate()})


@access.signed_in
def action_update(request, pk):
    action = selectors.action_for(request.user, pk)
    access.require(request.user, Perm.UPDATE_ACTION, action)
    form = ActionUpdateForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        if submit(form, lambda: services.action_report(actor=request.user, action=action, request=request,
                                                       **form.cleaned_data)):
            messages.success(request, "Update added.")
            return redirect("actions")
    return render(request, "includes/form_page.html", {"form": form, "title": "Update an action",
                                                "caption": action.description, "back": "/actions/"})


