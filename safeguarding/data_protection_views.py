"""Pages for data protection: the retention queue (keep or dispose), subject access requests and their exports, who
has seen a record, and the audit log's export for the data protection officer. Thin: a selector or a service each."""

import csv
import json

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import access, audit, outbox, policies, retention, selectors, services, subjects, viewers
from .forms import (
    AuditSearchForm,
    RetentionDisposeForm,
    RetentionKeepForm,
    SubjectAccessRequestForm,
    SubjectAccessSignOffForm,
    submit,
)
from .models import AuditAction, SubjectAccessStatus
from .pages import form_page
from .spreadsheets import neutralise

PAGE = 50


# --- Retention -----------------------------------------------------------------------------------------------------

@access.signed_in
def retention_queue(request):
    policies.can_see_retention_queue.ensure(request.user)
    page = Paginator(selectors.retention_queue(request.user), PAGE).get_page(request.GET.get("page"))
    return render(request, "safeguarding/retention_queue.html", {
        "page": page, "types": retention.types(), "today": timezone.localdate()})


def _item_page(request, pk, form_class, template, call, done):
    item = selectors.retention_item_for(request.user, pk)
    policies.can_decide_retention.ensure(request.user, item)
    kind = retention.get(item.record_type)
    record = retention.record_of(item)
    form = form_class(request.POST or None, initial={"version": item.version})
    return form_page(request, form, template=template, context={
        "item": item, "kind": kind, "record_url": kind.url(record) if kind.url and record else ""},
        call=lambda data: call(item, data), done=done, then=reverse("retention-queue"))


@access.signed_in
def retention_keep(request, pk):
    return _item_page(request, pk, RetentionKeepForm, "safeguarding/retention_keep.html",
                      lambda item, data: services.retention_item_keep(
                          actor=request.user, item=item, expected_version=data["version"], reason=data["reason"],
                          keep_until=data["keep_until"]),
                      lambda item: f"{item.record_label} will be kept until {item.keep_until:%d %B %Y}.")


@access.signed_in
def retention_dispose(request, pk):
    return _item_page(request, pk, RetentionDisposeForm, "safeguarding/retention_dispose.html",
                      lambda item, data: services.retention_item_dispose(
                          actor=request.user, item=item, expected_version=data["version"]),
                      lambda item: f"{item.record_label} has been disposed of.")


# --- Subject access ------------------------------------------------------------------------------------------------

@access.signed_in
def subject_access_list(request):
    policies.can_list_subject_access.ensure(request.user)
    page = Paginator(selectors.subject_access_requests(request.user), PAGE).get_page(request.GET.get("page"))
    return render(request, "safeguarding/subject_access_list.html", {"page": page, "today": timezone.localdate()})


@access.signed_in
def subject_access_new(request, pk):
    person = subjects.get_visible_or_404(request.user, "young-person", pk)
    policies.can_request_subject_access.ensure(request.user, person)
    form = SubjectAccessRequestForm(request.POST or None)
    return form_page(request, form, template="includes/form_page.html",
                     call=lambda data: services.subject_access_request(
                         actor=request.user, young_person=person, requested_by=data["requested_by"],
                         received_on=data["received_on"]),
                     done="The export is being made. It must be signed off before it can be downloaded.",
                     then=lambda sar: reverse("subject-access", args=[sar.pk]),
                     context={"title": "Subject access request", "caption": person.audit_label, "subject": person,
                              "back": reverse("young-person", args=[person.pk])})


def _request_page(request, sar, form=None, status=200):
    form = form or SubjectAccessSignOffForm(initial={"version": sar.version})
    form.helper.form_action = reverse("subject-access-sign-off", args=[sar.pk])
    return render(request, "safeguarding/subject_access.html", {
        "sar": sar, "form": form,
        "can_sign_off": policies.can_sign_off_subject_access(request.user, sar),
        "can_rebuild": policies.can_rebuild_subject_access(request.user, sar),
        "can_download": policies.can_download_subject_access(request.user, sar),
        "waiting": sar.status in (SubjectAccessStatus.QUEUED, SubjectAccessStatus.BUILDING),
        "broker_waiting": sar.status == SubjectAccessStatus.QUEUED and outbox.waiting(
            [f"subject-access:{sar.pk}", f"subject-access:{sar.pk}:{sar.version}"]),
    }, status=status)


@access.signed_in
def subject_access_detail(request, pk):
    sar = selectors.subject_access_request_for(request.user, pk)
    policies.can_see_subject_access.ensure(request.user, sar)
    return _request_page(request, sar)


@access.signed_in
@require_POST
def subject_access_sign_off(request, pk):
    sar = selectors.subject_access_request_for(request.user, pk)
    policies.can_sign_off_subject_access.ensure(request.user, sar)
    form = SubjectAccessSignOffForm(request.POST)
    if form.is_valid() and submit(form, lambda: services.subject_access_sign_off(
            actor=request.user, request=sar, expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"])):
        return redirect("subject-access", pk=sar.pk)
    return _request_page(request, sar, form, status=400)


@access.signed_in
@require_POST
def subject_access_rebuild(request, pk):
    sar = selectors.subject_access_request_for(request.user, pk)
    services.subject_access_rebuild(actor=request.user, request=sar, expected_version=sar.version)
    return redirect("subject-access", pk=sar.pk)


def _download(request, pk, field: str, content_type: str, suffix: str):
    sar = selectors.subject_access_request_for(request.user, pk)
    policies.can_download_subject_access.ensure(request.user, sar)
    file = getattr(sar, field)
    if not file:
        raise Http404
    audit.record(actor=request.user, action=AuditAction.DOWNLOAD, target=sar,
                 detail={"young_person": sar.young_person_label, "format": suffix,
                         "before_release": sar.status != SubjectAccessStatus.RELEASED})
    return FileResponse(file.open("rb"), as_attachment=True, content_type=content_type,
                        filename=f"subject-access-{sar.audit_label}.{suffix}")


@access.signed_in
def subject_access_pdf(request, pk):
    return _download(request, pk, "pdf_file", "application/pdf", "pdf")


@access.signed_in
def subject_access_json(request, pk):
    return _download(request, pk, "json_file", "application/json", "json")


# --- Who has seen this record --------------------------------------------------------------------------------------

@access.signed_in
def record_viewers(request, kind, pk):
    found = viewers.kind(kind)
    record = viewers.record_for(request.user, kind, pk)
    policies.can_see_viewers.ensure(request.user, record)
    page = Paginator(viewers.viewers_of(record), PAGE).get_page(request.GET.get("page"))
    # Looking at who saw a record is itself an access to the audit log.
    audit.record(actor=request.user, action=AuditAction.SEARCH, target=record, detail={"viewers": True})
    return render(request, "safeguarding/record_viewers.html", {
        "record": record, "kind": found, "page": page, "back": reverse(found.page, args=[record.pk])})


# --- The audit log's export, for the data protection officer -------------------------------------------------------

COLUMNS = ["id", "occurred_at", "actor_username", "actor_name", "agency", "action", "record_type", "record_id",
           "record_reference", "ip_address", "request_id", "detail", "chain_hash"]


def _cell(value) -> str:
    """A cell a spreadsheet can never run as a formula."""
    return neutralise("" if value is None else str(value))


class _Echo:
    def write(self, value):
        return value


@access.signed_in
def audit_export(request):
    """The audit log as CSV, filtered as the search page is, streamed row by row (memory stays flat however many)."""
    policies.can_export_audit.ensure(request.user)
    form = AuditSearchForm(request.GET or None)
    events = selectors.audit_events_for(request.user)
    filters = {}
    if form.is_bound:
        if not form.is_valid():
            return render(request, "safeguarding/audit_search.html", {
                "form": form, "page": Paginator(events.none(), PAGE).get_page(1)}, status=400)
        events = form.filter(events)
        filters = {k: str(v) for k, v in form.cleaned_data.items() if v}
    audit.record(actor=request.user, action=AuditAction.EXPORT, detail={"audit_log": True, **filters})
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(COLUMNS)
        for e in events.order_by("id").iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in (
                e.pk, e.occurred_at.isoformat(), e.actor_username, e.actor.get_full_name() if e.actor else "",
                e.agency.name if e.agency else "", e.action, e.target_type.model if e.target_type else "",
                e.target_id, e.target_label, e.ip_address, e.request_id, json.dumps(e.detail, sort_keys=True),
                e.chain_hash)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.now():%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "no-store"
    return response
