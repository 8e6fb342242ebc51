"""Pages for missing episodes, their return home interviews, and NRM referrals: each a record on a case, added and
changed through cases.services, seen by whoever may see the case."""

import copy

from django.shortcuts import render
from django.urls import reverse

from safeguarding import access, audit
from safeguarding.pages import form_page

from . import policies, selectors, services
from .forms import MissingEpisodeForm, NrmReferralForm, ReturnInterviewForm


@access.signed_in
def episode_new(request, pk):
    case = selectors.case_for(request.user, pk)
    policies.can_record_missing_episode.ensure(request.user, case)
    form = MissingEpisodeForm(request.POST or None)
    return form_page(request, form, template="cases/missing_form.html", context={"case": case},
                     call=lambda data: services.missing_episode_record(actor=request.user, case=case,
                                                                       **form.model_fields()),
                     rename=form.rename(), done="Missing episode recorded.",
                     then=lambda episode: reverse("missing-episode", args=[episode.pk]))


@access.signed_in
def episode_detail(request, pk):
    episode = selectors.episode_for(request.user, pk)
    audit.record_view(request.user, episode)
    return render(request, "cases/missing_episode.html", {
        "episode": episode, "case": episode.case, "interview": episode.interview,
        "can_update": policies.can_update_missing_episode(request.user, episode),
        "can_interview": policies.can_record_return_interview(request.user, episode)})


@access.signed_in
def episode_edit(request, pk):
    episode = selectors.episode_for(request.user, pk)
    policies.can_update_missing_episode.ensure(request.user, episode)
    form = MissingEpisodeForm(request.POST or None, instance=episode)
    return form_page(request, form, template="cases/missing_form.html", context={"case": episode.case,
                                                                                "episode": episode},
                     call=lambda data: services.missing_episode_update(
                         actor=request.user, episode=episode, expected_version=data["version"],
                         **form.model_fields()),
                     rename=form.rename(), done="Missing episode updated.",
                     then=reverse("missing-episode", args=[episode.pk]))


@access.signed_in
def return_interview(request, pk):
    """Record the episode's return home interview, or change the one recorded."""
    episode = selectors.episode_for(request.user, pk)
    policies.can_record_return_interview.ensure(request.user, episode)
    interview = episode.interview
    form = ReturnInterviewForm(request.POST or None, instance=interview)
    if interview is None:
        def call(data):
            return services.return_interview_record(actor=request.user, episode=episode, **form.model_fields())
    else:
        def call(data):
            return services.return_interview_update(actor=request.user, interview=copy.copy(interview),
                                                    expected_version=data["version"], **form.model_fields())
    return form_page(request, form, template="cases/return_interview_form.html",
                     context={"case": episode.case, "episode": episode}, call=call, rename=form.rename(),
                     done="Return home interview recorded.", then=reverse("missing-episode", args=[episode.pk]))


@access.signed_in
def nrm_new(request, pk):
    case = selectors.case_for(request.user, pk)
    policies.can_record_nrm_referral.ensure(request.user, case)
    form = NrmReferralForm(request.POST or None)
    return form_page(request, form, template="cases/nrm_form.html", context={"case": case},
                     call=lambda data: services.nrm_referral_record(actor=request.user, case=case,
                                                                    **form.model_fields()),
                     done="NRM referral recorded.", then=lambda referral: reverse("nrm-referral", args=[referral.pk]))


@access.signed_in
def nrm_detail(request, pk):
    referral = selectors.nrm_referral_for(request.user, pk)
    audit.record_view(request.user, referral)
    return render(request, "cases/nrm_referral.html", {
        "referral": referral, "case": referral.case,
        "child": referral.child_when_referred(referral.case.young_person),
        "can_update": policies.can_update_nrm_referral(request.user, referral)})


@access.signed_in
def nrm_edit(request, pk):
    referral = selectors.nrm_referral_for(request.user, pk)
    policies.can_update_nrm_referral.ensure(request.user, referral)
    form = NrmReferralForm(request.POST or None, instance=referral)
    return form_page(request, form, template="cases/nrm_form.html", context={"case": referral.case,
                                                                            "referral": referral},
                     call=lambda data: services.nrm_referral_update(
                         actor=request.user, referral=referral, expected_version=data["version"],
                         **form.model_fields()),
                     done="NRM referral updated.", then=reverse("nrm-referral", args=[referral.pk]))
