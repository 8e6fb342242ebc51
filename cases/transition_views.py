"""Pages of transitional safeguarding (cases.transitions): a case's transition plan, and the board of young people
aged 17 to 25 by where their move to adult services has got to."""

import copy

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from safeguarding import access, audit
from safeguarding.models import AuditAction
from safeguarding.pages import form_page

from . import policies, selectors, transitions
from .forms import TransitionHandoverForm, TransitionPlanForm


@access.signed_in
def transition(request, pk):
    case = selectors.case_for(request.user, pk)
    audit.record_view(request.user, case, page="transition")
    plans = sorted(transitions.plans_of(request.user, case), key=lambda p: (p.is_open, p.opened_at), reverse=True)
    plan = plans[0] if plans else None
    return render(request, "cases/transition.html", {
        "case": case, "plan": plan, "earlier": plans[1:], "from_age": transitions.plan_from_age(),
        "can_open": (plan is None or not plan.is_open) and policies.can_open_transition_plan(request.user, case),
        "can_change": plan is not None and policies.can_change_transition_plan(request.user, plan),
    })


def _open_plan(request, pk):
    case = selectors.case_for(request.user, pk)
    plan = transitions.plan_for(request.user, case)
    if plan is None:
        raise Http404
    policies.can_change_transition_plan.ensure(request.user, plan)
    return case, plan


@access.signed_in
def transition_new(request, pk):
    case = selectors.case_for(request.user, pk)
    policies.can_open_transition_plan.ensure(request.user, case)
    early = case.young_person.age < transitions.plan_from_age()
    form = TransitionPlanForm(request.POST or None, early=early)
    return transitions_form_page(
        request, form, case, lambda data: transitions.transition_plan_open(
            actor=request.user, case=case, early_reason=data.get("early_reason", ""), **form.model_fields()),
        "Transition plan opened.", early=early)


@access.signed_in
def transition_edit(request, pk):
    case, plan = _open_plan(request, pk)
    form = TransitionPlanForm(request.POST or None, instance=copy.copy(plan), initial={"version": plan.version})
    return transitions_form_page(
        request, form, case, lambda data: transitions.transition_plan_update(
            actor=request.user, plan=plan, expected_version=data["version"], agreed=data["agreed"],
            **form.model_fields()),
        "Transition plan saved.", plan=plan)


@access.signed_in
def transition_handover(request, pk):
    case, plan = _open_plan(request, pk)
    form = TransitionHandoverForm(request.POST or None, initial={"version": plan.version})
    return transitions_form_page(
        request, form, case, lambda data: transitions.transition_plan_handover(
            actor=request.user, plan=plan, expected_version=data["version"]),
        f"Handover to {plan.adult_agency} recorded.", plan=plan, template="cases/transition_handover.html")


def transitions_form_page(request, form, case, call, done, *, template="cases/transition_form.html", **context):
    return form_page(request, form, template=template, context={"case": case, **context}, call=call, done=done,
                     then=reverse("transition", args=[case.pk]))


@access.signed_in
def transitions_board(request):
    status = request.GET.get("status", "")
    if status not in dict(transitions.BOARD_STATUSES):
        status = ""
    page = transitions.board_page(request.user, request.GET.get("page"), status=status)
    audit.record(actor=request.user, action=AuditAction.SEARCH, detail={"list": "transitions", "status": status})
    return render(request, "cases/transitions.html", {
        "page": page, "status": status, "statuses": transitions.BOARD_STATUSES,
        "counts": transitions.board_counts(request.user), "from_age": transitions.plan_from_age(),
    })
