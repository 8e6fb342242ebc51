import copy

from django.conf import settings
from django.contrib import messages
from django.forms import HiddenInput
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import access, attachments, audit, lists, sharing
from safeguarding import dashboard as sections
from safeguarding import selectors as kernel_selectors
from safeguarding.documents import render_pdf
from safeguarding.forms import submit
from safeguarding.models import AuditAction, User
from safeguarding.pages import form_page

from . import policies, selectors, services
from .filters import CASE_LIST, CHRONOLOGY, YOUNG_PEOPLE
from .forms import (
    CaseCloseForm,
    CaseForm,
    CaseSummaryForm,
    ChronologyEntryForm,
    TrustedAdultForm,
    VoiceEntryForm,
    YoungPersonForm,
)
from .models import Case, ChronologyEntry, EntryKind

RECORDED_KINDS = ChronologyEntry.RECORDED_KINDS


def _colleagues(user):
    return User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("last_name", "first_name")


@access.signed_in
def dashboard(request):
    """The sections the person's capabilities open (safeguarding.dashboard), each short and linking to its list."""
    return render(request, "cases/dashboard.html", {"sections": sections.sections_for(request.user)})


@access.signed_in
def young_people(request):
    """Search first: no one is listed until a name or a date of birth is given (data minimisation); then the matches
    the reader may see, best first, in pages, narrowed by the filters. Each search is audited with its total, never
    the words typed."""
    people = selectors.young_people_found(request.user)
    if not any(request.GET.get(name) for name in ("q", "dob_0", "dob_1", "dob_2")):
        people = people.none()  # not even counted
    listing = lists.list_page(request, people, YOUNG_PEOPLE)
    searched = listing.filterset.searched()
    if searched:
        audit.record(actor=request.user, action=AuditAction.SEARCH, detail={
            "results": listing.total, "by_date_of_birth": bool(listing.filterset.form.cleaned_data["dob"])})
    return render(request, "cases/young_people.html", {"list": listing, "searched": searched},
                  status=listing.status)


@access.signed_in
def young_person_new(request):
    policies.can_add_young_person.ensure(request.user)
    form = YoungPersonForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.model_fields()
        if not form.cleaned_data["confirmed_new"]:
            duplicates = list(selectors.possible_duplicates(
                request.user, first_name=data["first_name"], last_name=data["last_name"],
                date_of_birth=data["date_of_birth"]))
        if not duplicates:
            person = submit(form, lambda: services.young_person_create(actor=request.user, **data))
            if person:
                messages.success(request, f"{person.full_name} has been added.")
                return redirect("young-person", pk=person.pk)
    if not duplicates and not form.data.get("confirmed_new"):
        # The confirmation only means something once possible matches have been shown.
        form.fields["confirmed_new"].widget = HiddenInput()
    return render(request, "cases/young_person_form.html", {"form": form, "duplicates": duplicates})


# The long record pages' sections, for their sub-navigation (includes/sub_navigation.html): anchor and name.
YOUNG_PERSON_SECTIONS = [("details", "Details"), ("cases", "Cases"), ("voice", "Their words"),
                         ("contexts", "Contexts"), ("assessments", "Assessments"), ("trusted-adults", "Trusted adults")]
CASE_SECTIONS = [("details", "Details"), ("missing", "Missing"), ("nrm", "NRM referrals"),
                 ("chronology", "Chronology"), ("documents", "Documents"), ("sharing", "Shared with")]


@access.signed_in
def young_person_detail(request, pk):
    person = selectors.young_person_for(request.user, pk)
    audit.record_view(request.user, person)
    return render(request, "cases/young_person.html", {
        "person": person,
        "cases": selectors.cases_of(request.user, person),
        "voice_entries": selectors.voice_entries_for(request.user, person)[:10],
        "can_edit": policies.can_change_young_person(request.user, person),
        "can_open_case": policies.can_open_case(request.user, person), "sections": YOUNG_PERSON_SECTIONS,
    })


@access.signed_in
def young_person_edit(request, pk):
    person = selectors.young_person_for(request.user, pk)
    policies.can_change_young_person.ensure(request.user, person)
    form = YoungPersonForm(request.POST or None, instance=copy.copy(person), initial={"version": person.version})
    return form_page(request, form, template="cases/young_person_form.html", context={"person": person},
                     call=lambda data: services.young_person_update(
                         actor=request.user, young_person=person, expected_version=data["version"],
                         **form.model_fields()),
                     done="Changes saved.", then=reverse("young-person", args=[person.pk]))


def _add_to_person(request, pk, rule, form_class, service, template, message):
    person = selectors.young_person_for(request.user, pk)
    rule.ensure(request.user, person)
    return form_page(request, form_class(request.POST or None), template=template, context={"person": person},
                     call=lambda data: service(actor=request.user, young_person=person, **data),
                     done=message, then=reverse("young-person", args=[person.pk]))


@access.signed_in
def trusted_adult_new(request, pk):
    return _add_to_person(request, pk, policies.can_change_young_person, TrustedAdultForm,
                          services.trusted_adult_add, "cases/trusted_adult_form.html", "Trusted adult added.")


@access.signed_in
def voice_entry_new(request, pk):
    return _add_to_person(request, pk, policies.can_record_voice, VoiceEntryForm, services.voice_entry_add,
                          "cases/voice_entry_form.html", "Their words have been recorded.")


@access.signed_in
def case_new(request, pk):
    person = selectors.young_person_for(request.user, pk)
    policies.can_open_case.ensure(request.user, person)
    form = CaseForm(request.POST or None, colleagues=_colleagues(request.user),
                    initial={"lead_practitioner": request.user})
    return form_page(request, form, template="cases/case_form.html", context={"person": person},
                     call=lambda data: services.case_open(actor=request.user, young_person=person,
                                                          **form.model_fields()),
                     done=lambda case: f"Case {case.reference} opened.",
                     then=lambda case: reverse("case", args=[case.pk]))


@access.signed_in
def cases(request):
    listing = lists.list_page(request, selectors.cases_list(request.user), CASE_LIST,
                              fast_count=lambda: access.visible_count(request.user, Case),
                              rows_for_page=selectors.joined)
    return render(request, "cases/cases.html", {"list": listing}, status=listing.status)


def _chronology(request, case):
    """The case's chronology in pages of the entries the reader may see (restricted ones only to those named),
    narrowed by kind and dates from the address."""
    return lists.list_page(request, selectors.chronology_for(request.user, case), CHRONOLOGY)


def _case_page(request, case, *, entry_form=None, share_form=None, status=200):
    colleagues = _colleagues(request.user)
    chronology = _chronology(request, case)
    return sharing.record_page(
        request, "cases/case.html", case, noun="case", url_name="case", share_form=share_form,
        status=max(status, chronology.status), case=case, chronology=chronology,
        entry_form=entry_form or ChronologyEntryForm(colleagues=colleagues),
        can_contribute=policies.can_add_chronology_entry(request.user, case),
        episodes=selectors.missing_episodes_for(request.user, case),
        nrm_referrals=selectors.nrm_referrals_for(request.user, case),
        can_record_missing=policies.can_record_missing_episode(request.user, case),
        can_record_nrm=policies.can_record_nrm_referral(request.user, case), recorded_kinds=RECORDED_KINDS,
        can_edit=policies.can_change_case(request.user, case), can_close=policies.can_close_case(request.user, case),
        sections=CASE_SECTIONS, **attachments.page_context(request.user, case))


@access.signed_in
def case_detail(request, pk):
    case = selectors.case_for(request.user, pk)
    audit.record_view(request.user, case)
    return _case_page(request, case)


@access.signed_in
@require_POST
def chronology_add(request, pk):
    case = selectors.case_for(request.user, pk)
    policies.can_add_chronology_entry.ensure(request.user, case)
    colleagues = _colleagues(request.user)
    form = ChronologyEntryForm(request.POST, colleagues=colleagues)
    saved = form.is_valid() and submit(form, lambda: services.chronology_add(
        actor=request.user, case=case, kind=form.cleaned_data["kind"], occurred_at=form.occurred_at(),
        text=form.cleaned_data["text"], restricted=form.cleaned_data["restricted"],
        restricted_to=form.cleaned_data["restricted_to"]), rename={"occurred_at": "occurred_on"})
    if request.htmx:
        return render(request, "cases/_chronology.html", {
            "case": case, "recorded_kinds": RECORDED_KINDS,
            "chronology": _chronology(request, case),
            "entry_form": ChronologyEntryForm(colleagues=colleagues) if saved else form,
            "can_contribute": True,
            "added": bool(saved),
        })
    if saved:
        messages.success(request, "Entry added to the chronology.")
        return redirect(reverse("case", args=[case.pk]) + "#chronology")
    return _case_page(request, case, entry_form=form, status=400)


@access.signed_in
def case_edit(request, pk):
    case = selectors.case_for(request.user, pk)
    policies.can_change_case.ensure(request.user, case)
    form = CaseForm(request.POST or None, instance=copy.copy(case), colleagues=_colleagues(request.user),
                    initial={"version": case.version})
    return form_page(request, form, template="cases/case_form.html",
                     context={"person": case.young_person, "case": case},
                     call=lambda data: services.case_update(actor=request.user, case=case,
                                                            expected_version=data["version"], **form.model_fields()),
                     done="Case updated.", then=reverse("case", args=[case.pk]))


@access.signed_in
def case_close(request, pk):
    case = selectors.case_for(request.user, pk)
    policies.can_close_case.ensure(request.user, case)
    form = CaseCloseForm(request.POST or None, initial={"version": case.version})
    return form_page(request, form, template="cases/case_close.html", context={"case": case},
                     call=lambda data: services.case_close(
                         actor=request.user, case=case, expected_version=data["version"], reason=data["reason"],
                         note=data["note"], closed_on=data["closed_on"]),
                     done=f"Case {case.reference} closed.", then=reverse("case", args=[case.pk]))


@access.signed_in
@require_POST
def case_share(request, pk):
    case = selectors.case_for(request.user, pk)
    return sharing.share_view(request, case, page=_case_page, then=reverse("case", args=[case.pk]))


@access.signed_in
@require_POST
def case_unshare(request, pk, agency_pk):
    case = selectors.case_for(request.user, pk)
    return sharing.unshare_view(request, case, agency_pk, then=reverse("case", args=[case.pk]))


@access.signed_in
def case_summary(request, pk):
    """A printable summary of the case and its chronology (PDF), narrowed by kind of entry and dates: what the reader
    may see of it, restricted entries only for the people they are restricted to. Audited as an export."""
    case = selectors.case_for(request.user, pk)
    policies.can_print_case_summary.ensure(request.user, case)
    form = CaseSummaryForm(request.GET or None)
    if not (form.is_bound and form.is_valid()):
        return render(request, "cases/case_summary_form.html", {"form": form, "case": case})
    data = form.cleaned_data
    entries = selectors.chronology_printed(request.user, case, kinds=data["kinds"], date_from=data["date_from"],
                                           date_to=data["date_to"])
    more = len(entries) > selectors.SUMMARY_LIMIT
    entries = entries[:selectors.SUMMARY_LIMIT]
    kinds = [EntryKind(k).label for k in data["kinds"]]
    content = render_pdf("cases/case_summary_pdf.html", {
        "case": case, "entries": entries, "more": more, "limit": selectors.SUMMARY_LIMIT, "kinds": kinds,
        "date_from": data["date_from"], "date_to": data["date_to"],
        "documents": kernel_selectors.documents_of(request.user, case),
        "printed_by": request.user, "printed_at": timezone.localtime(), "classification": settings.CLASSIFICATION,
    })
    audit.record(actor=request.user, action=AuditAction.EXPORT, target=case, detail={
        "format": "pdf", "what": "case summary and chronology", "kinds": data["kinds"],
        "date_from": data["date_from"].isoformat() if data["date_from"] else "",
        "date_to": data["date_to"].isoformat() if data["date_to"] else "", "entries": len(entries),
        "restricted_entries": sum(1 for e in entries if e.restricted), "bytes": len(content)})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-{case.reference}-summary.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
