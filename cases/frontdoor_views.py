"""Pages of the front door (referrals and their triage) and of transfers. Thin: parse, call a selector or service,
render. Every kind of referral and transfer uses these pages; a kind brings its own accept (``referrals.Kind``)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safeguarding import access, audit, lists
from safeguarding.forms import submit
from safeguarding.models import User
from safeguarding.pages import form_page

from . import policies, referrals, selectors, services, transfers
from .filters import FRONT_DOOR, REFERRALS_SENT, TRANSFERS_ASKED
from .forms import (
    ReferralAcceptForm,
    ReferralAnswerForm,
    ReferralAskForm,
    ReferralDeclineForm,
    TransferAcceptForm,
    TransferRejectForm,
    TransferRequestForm,
    YoungPersonReferralForm,
)
from .models import Case, CaseStatus, RiskLevel


def _colleagues(user):
    return User.objects.filter(agency_id=user.agency_id, is_active=True).order_by("last_name", "first_name")


def _kind(word: str) -> referrals.Kind:
    kind = referrals.KINDS.get(word)
    if kind is None:
        raise Http404
    return kind


# Several forms share one page: each its own element ids (the names posted stay plain).
AUTO_ID = {name: f"{name}-%s" for name in ("accept", "decline", "ask", "answer", "reject")}


def _acting(form, url: str):
    form.helper.form_action = url
    return form


# --- Lists --------------------------------------------------------------------------------------------------------

def _referral_list(request, by_kind: dict, spec):
    """Every kind's referrals as one list (``merged_list_page``), each row knowing its kind (its address, its noun)."""
    listing = lists.merged_list_page(request, list(by_kind.values()), spec)
    for referral in listing.page:
        referral.referral_kind = referrals.kind_of(referral)
    return listing


@access.signed_in
def front_door(request):
    """Referrals to the reader's agency, overdue first then the soonest decide-by date; the open ones unless a status
    is chosen."""
    policies.can_triage.ensure(request.user)
    listing = _referral_list(request, selectors.front_door(request.user, open_only=not request.GET.get("status")),
                             FRONT_DOOR)
    return render(request, "referrals/front_door.html", {
        "list": listing, "days": settings.REFERRAL_DECISION_WORKING_DAYS}, status=listing.status)


@access.signed_in
def referrals_sent(request):
    listing = _referral_list(request, selectors.agency_referrals(request.user), REFERRALS_SENT)
    return render(request, "referrals/sent.html", {
        "list": listing, "may_refer": policies.can_refer(request.user),
        "may_triage": policies.can_triage(request.user)}, status=listing.status)


# --- Referring ----------------------------------------------------------------------------------------------------

def referral_form_page(request, form, *, call, noun: str):
    """The page of a referral form, for any kind: send it, and go to the referral's page."""
    return form_page(request, form, template="referrals/referral_form.html", context={"noun": noun},
                     call=call, then=referrals.url,
                     done=lambda referral: f"Your referral has been sent to {referral.to_agency}.")


@access.signed_in
def referral_new(request):
    policies.can_refer.ensure(request.user)
    form = YoungPersonReferralForm(request.POST or None, user=request.user)
    return referral_form_page(request, form, noun="a young person",
                              call=lambda data: services.referral_create(actor=request.user, **data))


# --- A referral and its decisions -------------------------------------------------------------------------------

def _referral_page(request, kind, referral, *, bound=None, status=200):
    user, bound = request.user, bound or {}
    here = referrals.url(referral)
    context = {"referral": referral, "kind": kind, "outcome_url": kind.outcome_url(referral),
               "may_decide": policies.can_decide_referral(user, referral)}
    if context["may_decide"]:
        version = {"version": referral.version}
        duplicates = kind.duplicates(user, referral)
        context.update(duplicates=duplicates, accept_form=_acting(bound.get("accept") or ReferralAcceptForm(
            initial=version, auto_id=AUTO_ID["accept"], **kind.accept_form_options(user, referral, duplicates)),
            here + "accept/"),
            decline_form=_acting(bound.get("decline") or ReferralDeclineForm(initial=version, auto_id=AUTO_ID[
                "decline"]), here + "decline/"),
            ask_form=_acting(bound.get("ask") or ReferralAskForm(initial=version, auto_id=AUTO_ID["ask"]),
                             here + "more-information/"))
    if policies.can_answer_referral(user, referral):
        context["answer_form"] = _acting(bound.get("answer") or ReferralAnswerForm(
            initial={"version": referral.version}, auto_id=AUTO_ID["answer"]), here + "answer/")
    return render(request, "referrals/referral.html", context, status=status)


@access.signed_in
def referral_detail(request, kind, pk):
    referral = selectors.referral_for(request.user, kind, pk)
    audit.record_view(request.user, referral)
    return _referral_page(request, _kind(kind), referral)


def _decide(request, kind_word, pk, *, rule, name, form, call, done):
    kind = _kind(kind_word)
    referral = selectors.referral_for(request.user, kind_word, pk)
    rule.ensure(request.user, referral)
    bound = form(referral, kind)
    if bound.is_valid():
        result = submit(bound, lambda: call(referral, kind, bound))
        if result:
            messages.success(request, done)
            return redirect(kind.outcome_url(result) or referrals.url(result) if name == "accept"
                            else referrals.url(referral))
    return _referral_page(request, kind, referral, bound={name: bound}, status=400)


@access.signed_in
@require_POST
def referral_accept(request, kind, pk):
    def form(referral, kind):
        return ReferralAcceptForm(request.POST, auto_id=AUTO_ID["accept"], **kind.accept_form_options(
            request.user, referral, kind.duplicates(request.user, referral)))

    return _decide(request, kind, pk, rule=policies.can_decide_referral, name="accept", form=form,
                   call=lambda referral, kind, f: kind.accept(request.user, referral, f),
                   done="Referral accepted. The referrer has been told.")


@access.signed_in
@require_POST
def referral_decline(request, kind, pk):
    return _decide(request, kind, pk, rule=policies.can_decide_referral, name="decline",
                   form=lambda referral, kind: ReferralDeclineForm(request.POST, auto_id=AUTO_ID["decline"]),
                   call=lambda referral, kind, f: referrals.referral_decline(
                       actor=request.user, referral=referral, expected_version=f.cleaned_data["version"],
                       reason=f.cleaned_data["reason"], advice=f.cleaned_data["advice"]),
                   done="Referral declined. The referrer has been told.")


@access.signed_in
@require_POST
def referral_ask(request, kind, pk):
    return _decide(request, kind, pk, rule=policies.can_decide_referral, name="ask",
                   form=lambda referral, kind: ReferralAskForm(request.POST, auto_id=AUTO_ID["ask"]),
                   call=lambda referral, kind, f: referrals.referral_ask(
                       actor=request.user, referral=referral, expected_version=f.cleaned_data["version"],
                       question=f.cleaned_data["question"]),
                   done="The referrer has been asked for more information.")


@access.signed_in
@require_POST
def referral_answer(request, kind, pk):
    return _decide(request, kind, pk, rule=policies.can_answer_referral, name="answer",
                   form=lambda referral, kind: ReferralAnswerForm(request.POST, auto_id=AUTO_ID["answer"]),
                   call=lambda referral, kind, f: referrals.referral_answer(
                       actor=request.user, referral=referral, expected_version=f.cleaned_data["version"],
                       answer=f.cleaned_data["answer"]),
                   done="Your answer has been sent; the referral is back with the front door.")


# A young person's referral: what accepting may do, and doing it.

def person_accept_options(user, referral, duplicates) -> dict:
    cases = access.visible(user, Case.objects.filter(young_person__in=duplicates, status=CaseStatus.OPEN),
                           access.MANAGE).select_related("young_person").order_by("-opened_on")
    options = [(f"case:{case.pk}", f"Join open case {case.reference} of {case.young_person.full_name}")
               for case in cases]
    options += [(f"person:{person.pk}", f"Open a new case for {person.full_name} (YP-{person.pk}), born "
                                        f"{person.date_of_birth:%-d %B %Y}") for person in duplicates]
    options.append(("new", "Add them as a new young person and open a case"))
    return {"options": options, "colleagues": _colleagues(user), "risk": True}


def person_accept(actor, referral, form):
    what, pk = form.chosen()
    data = form.cleaned_data
    return services.referral_accept(
        actor=actor, referral=referral, expected_version=data["version"],
        young_person=selectors.young_person_for(actor, pk) if what == "person" else None,
        case=selectors.case_for(actor, pk) if what == "case" else None,
        risk_level=data.get("risk_level") or RiskLevel.MEDIUM, lead_practitioner=data["lead_practitioner"])


# --- Transfers ----------------------------------------------------------------------------------------------------

def transfer_request_page(request, record, *, back: str):
    """Ask another agency to take ``record`` over (a case's, place's or group's page links here)."""
    policies.can_request_transfer.ensure(request.user, record)
    form = TransferRequestForm(request.POST or None, record=record)
    return form_page(request, form, template="transfers/request.html", context={"record": record, "back": back},
                     call=lambda data: transfers.transfer_request(
                         actor=request.user, record=record, to_agency=data["to_agency"], reason=data["reason"],
                         keep_view=data["keep_view"], basis=form.basis()),
                     done=lambda transfer: f"Transfer asked of {transfer.to_agency}.", then=transfers.url)


@access.signed_in
def transfers_list(request):
    """Those waiting for the agency's answer (all of them: they are answered, not browsed), then every transfer the
    agency asked for, as a list."""
    listing = lists.merged_list_page(request, selectors.transfers_outgoing(request.user), TRANSFERS_ASKED)
    return render(request, "transfers/transfers.html", {
        "incoming": selectors.transfers_incoming(request.user), "list": listing}, status=listing.status)


def _transfer_page(request, transfer, *, bound=None, status=200):
    user, bound = request.user, bound or {}
    here = transfers.url(transfer)
    context = {"transfer": transfer, "may_decide": policies.can_decide_transfer(user, transfer)}
    if context["may_decide"]:
        version = {"version": transfer.version}
        context.update(
            accept_form=_acting(bound.get("accept") or TransferAcceptForm(
                initial={**version, "lead_practitioner": user}, colleagues=_colleagues(user)), here + "accept/"),
            reject_form=_acting(bound.get("reject") or TransferRejectForm(initial=version, auto_id=AUTO_ID["reject"]),
                                here + "reject/"))
    elif transfer.status == "accepted" and transfer.to_agency_id == user.agency_id:
        context["record_url"] = _record_url(transfer.record)
    return render(request, "transfers/transfer.html", context, status=status)


def _record_url(record) -> str:
    from safeguarding import subjects

    if isinstance(record, Case):
        return reverse("case", args=[record.pk])
    return subjects.of(record).url(record)


@access.signed_in
def transfer_detail(request, kind, pk):
    transfer = selectors.transfer_for(request.user, kind, pk)
    audit.record_view(request.user, transfer)
    return _transfer_page(request, transfer)


@access.signed_in
@require_POST
def transfer_accept(request, kind, pk):
    transfer = selectors.transfer_for(request.user, kind, pk)
    policies.can_decide_transfer.ensure(request.user, transfer)
    form = _acting(TransferAcceptForm(request.POST, colleagues=_colleagues(request.user)), request.path)
    if form.is_valid() and submit(form, lambda: transfers.transfer_accept(
            actor=request.user, transfer=transfer, expected_version=form.cleaned_data["version"],
            lead_practitioner=form.cleaned_data["lead_practitioner"])):
        messages.success(request, f"{transfer.record} is now your agency's.")
        return redirect(_record_url(transfer.record))
    return _transfer_page(request, transfer, bound={"accept": form}, status=400)


@access.signed_in
@require_POST
def transfer_reject(request, kind, pk):
    transfer = selectors.transfer_for(request.user, kind, pk)
    policies.can_decide_transfer.ensure(request.user, transfer)
    form = _acting(TransferRejectForm(request.POST, auto_id=AUTO_ID["reject"]), request.path)
    if form.is_valid() and submit(form, lambda: transfers.transfer_reject(
            actor=request.user, transfer=transfer, expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"])):
        messages.success(request, "Transfer rejected. The asking agency has been told.")
        return redirect(transfers.url(transfer))
    return _transfer_page(request, transfer, bound={"reject": form}, status=400)


@access.signed_in
def case_transfer(request, pk):
    case = selectors.case_for(request.user, pk)
    return transfer_request_page(request, case, back=reverse("case", args=[case.pk]))
