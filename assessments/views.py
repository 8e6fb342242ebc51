"""Pages for assessments, contributions, safety plans and frameworks. Thin: parse, call a service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import access, add_another, attachments, audit, commitments, disclosures, lists, subjects
from safeguarding.documents import render_pdf
from safeguarding.forms import submit
from safeguarding.inputs import param
from safeguarding.models import AuditAction, User
from safeguarding.pages import form_page

from . import charts, frameworks, policies, selectors, services
from .filters import ASSESSMENTS, CONTRIBUTIONS
from .forms import (
    AssessmentForm,
    ContributionAnswerForm,
    ContributionRequestForm,
    DecisionForm,
    FrameworkForm,
    GoalForm,
    GoalsForm,
    InterventionForm,
    StartForm,
    SubmitAssessmentForm,
)
from .models import Framework, Goal, RequestStatus


def _subject(user, kind: str, pk: int):
    """The record of kind ``kind`` (its word in the address) that the person may see, or 404."""
    return subjects.get_visible_or_404(user, kind, pk)


def subject_url(record) -> str:
    """The page of what ``record`` (an assessment, a safety plan) is about."""
    subject = record.subject
    return subjects.of(subject).url(subject)


# --- Lists -------------------------------------------------------------------------------------------------------

@access.signed_in
def assessments(request):
    listing = lists.list_page(request, selectors.assessments_list(request.user), ASSESSMENTS)
    return render(request, "assessments/assessments.html", {"list": listing}, status=listing.status)


@access.signed_in
def subject_assessments(request, kind, pk):
    """The assessments (and for a context, the safety plan) of one record: a fragment its page loads with htmx."""
    subject = _subject(request.user, kind, pk)
    has_plan = subjects.of(subject).has_safety_plan
    template = "assessments/_subject_assessments.html" if request.htmx else "assessments/subject_assessments.html"
    return render(request, template, {
        "subject": subject, "kind": kind, "rows": selectors.subject_assessments(request.user, subject),
        "can_start": policies.can_start_assessment(request.user, subject),
        "has_plan": has_plan, "plan": selectors.plan_summary(request.user, subject) if has_plan else None,
        "can_plan": has_plan and policies.can_change_safety_plan(request.user, subject),
    })


# --- One assessment -------------------------------------------------------------------------------------------

@access.signed_in
def assessment_start(request, kind, pk):
    subject = _subject(request.user, kind, pk)
    policies.can_start_assessment.ensure(request.user, subject)
    choices = Framework.objects.filter(is_active=True, subject__in=services.frameworks_for(subject))
    return form_page(request, StartForm(request.POST or None, choices=choices), template="assessments/start.html",
                     context={"subject": subject, "subject_url": subjects.of(subject).url(pk)},
                     call=lambda data: services.assessment_start(actor=request.user, subject=subject,
                                                                 framework=data["framework"]),
                     done="Assessment started. Save as you go: a part-done draft always saves.",
                     then=lambda started: reverse("assessment-edit", args=[started.pk]))


def _answer_rows(assessment):
    """Sections with each question and its answer in words, for the page and the PDF."""
    answers = assessment.answers
    scores = frameworks.scores(assessment.framework_version.definition, answers)
    rows = []
    for section in assessment.framework_version.sections:
        items = []
        for question in section.questions:
            value = answers.get(question.key)
            if question.type == "factors":
                factors = [{**row, "kind_label": frameworks.FACTOR_KINDS.get(row.get("kind"), "")}
                           for row in value or []]
                items.append({"question": question, "factors": factors})
            else:
                items.append({"question": question, "answer": question.display(value), "value": value})
        rows.append({"section": section, "items": items, "score": scores.get(section.key)})
    return rows


def _printed_rows(assessment):
    """The answer rows a document prints: only questions answered, and only sections with an answer. A blank
    optional question says nothing on paper, and an empty heading reads as if something was lost."""
    printed = []
    for block in _answer_rows(assessment):
        items = [item for item in block["items"]
                 if item.get("factors") or ("factors" not in item and item["value"] not in (None, "", []))]
        if items:
            printed.append({**block, "items": items})
    return printed


def _assessment_page(request, assessment, *, requests, decision_form=None, status=200):
    user = request.user
    can_edit = policies.can_edit_assessment(user, assessment)
    can_decide = policies.can_decide_assessment(user, assessment)
    definition = assessment.framework_version.definition
    if can_decide and decision_form is None:
        decision_form = DecisionForm(initial={"version": assessment.version}, pending=_open(requests))
    return render(request, "assessments/assessment.html", {
        "assessment": assessment, "sections": _answer_rows(assessment),
        "factor_counts": frameworks.factor_counts(definition, assessment.answers),
        "requests": requests, "addenda": [r for r in requests if r.is_addendum],
        "can_edit": can_edit, "can_request": policies.can_request_contribution(user, assessment),
        "can_decide": can_decide, "decision_form": decision_form if can_decide else None,
        "subject_url": subject_url(assessment), "today": timezone.localdate(),
        **attachments.page_context(user, assessment),
    }, status=status)


def _open(requests) -> list:
    """The requests still waiting, soonest due first (from the ones the page has read already)."""
    return sorted((r for r in requests if r.is_open), key=lambda r: (r.due_on, r.pk))


@access.signed_in
def assessment_detail(request, pk):
    assessment = selectors.assessment_for(request.user, pk)
    audit.record_view(request.user, assessment)
    return _assessment_page(request, assessment, requests=list(selectors.assessment_requests(request.user, assessment)))


def _editing(request, pk):
    """The assessment to edit, or (as a response) the way back to its page when it has been submitted."""
    assessment = selectors.assessment_for(request.user, pk)
    may_edit = policies.can_edit_assessment(request.user, assessment)
    if may_edit.state:  # they may edit its drafts, but this one has been submitted
        messages.info(request, may_edit.reason)
        return assessment, redirect("assessment", pk)
    policies.can_edit_assessment.ensure(request.user, assessment)
    return assessment, None


def _tasks(assessment) -> list[dict]:
    """Each section's line on the task list: its state and how many required questions it still lacks."""
    values = services.held(assessment)
    tasks = []
    for section in frameworks.task_sections(assessment.framework_version.definition):
        state, missing = frameworks.progress(section, values)
        tasks.append({"section": section, "state": state, "missing": missing,
                      "url": reverse("assessment-section", args=[assessment.pk, section.key])})
    return tasks


@access.signed_in
def assessment_edit(request, pk):
    """The task list: each section's state, and submitting once every required question is answered."""
    assessment, elsewhere = _editing(request, pk)
    if elsewhere:
        return elsewhere
    tasks = _tasks(assessment)
    incomplete = [t for t in tasks if t["missing"]]
    pending = list(selectors.pending_requests(request.user, assessment))
    form = SubmitAssessmentForm(request.POST or None, pending=pending, initial={"version": assessment.version})
    if request.method == "GET":
        audit.record_view(request.user, assessment, page="edit")
    refused = request.method == "POST" and bool(incomplete)
    if request.method == "POST" and not incomplete and form.is_valid() and submit(form, lambda: (
            services.assessment_submit(actor=request.user, assessment=assessment,
                                       expected_version=form.cleaned_data["version"],
                                       pending_confirmed=form.cleaned_data.get("pending_confirmed", False)))):
        messages.success(request, "Assessment submitted for approval by a team manager.")
        return redirect("assessment", pk)
    return render(request, "assessments/task_list.html", {
        "form": form, "assessment": assessment, "tasks": tasks, "incomplete": incomplete, "refused": refused,
        "completed": sum(1 for t in tasks if t["state"] == frameworks.COMPLETED),
        "subject_url": subject_url(assessment)},
        status=400 if refused or form.errors else 200)


@access.signed_in
def assessment_section(request, pk, key):
    """One section of an assessment on its own page: save and continue to the next, or come back later."""
    assessment, elsewhere = _editing(request, pk)
    if elsewhere:
        return elsewhere
    sections = frameworks.task_sections(assessment.framework_version.definition)
    index = next((i for i, s in enumerate(sections) if s.key == key), None)
    if index is None:
        raise Http404
    section = sections[index]
    # "Add another factor" or "Remove" without JavaScript: the form again, a row more or less, nothing saved yet.
    step = add_another.round_trip(request, [q.key for q in section.questions if q.type == "factors"])
    form = AssessmentForm(step.data, section=section, values=services.held(assessment),
                          initial={"version": assessment.version}, add_to=step.add)
    if request.method == "GET":
        audit.record_view(request.user, assessment, page=f"edit: {section.title}")
    if request.method == "POST" and not step and form.is_valid():
        # A required factor list has no single field: its errors go on the first row.
        rename = {q.key: f"{q.key}-0-description" for q in section.questions if q.type == "factors"}
        saved = submit(form, lambda: services.assessment_save_section(
            actor=request.user, assessment=assessment, section=key, expected_version=form.cleaned_data["version"],
            seen=form.cleaned_data["seen"], values=form.values()), rename)
        if saved:
            messages.success(request, f"{section.title}: saved at {timezone.localtime(saved.updated_at):%H:%M}.")
            if request.POST.get("action") == "later" or index + 1 == len(sections):
                return redirect("assessment-edit", pk)
            return redirect("assessment-section", pk, sections[index + 1].key)
    return render(request, "assessments/assessment_form.html", {
        "form": form, "assessment": assessment, "section": section, "number": index + 1, "total": len(sections),
        "subject_url": subject_url(assessment)}, status=400 if form.errors else 200)


@access.signed_in
@require_POST
def assessment_decide(request, pk):
    assessment = selectors.assessment_for(request.user, pk)
    policies.can_decide_assessment.ensure(request.user, assessment)
    requests = list(selectors.assessment_requests(request.user, assessment))
    form = DecisionForm(request.POST, pending=_open(requests))
    if form.is_valid() and submit(form, lambda: services.assessment_decide(
            actor=request.user, assessment=assessment, expected_version=form.cleaned_data["version"],
            approve=form.cleaned_data["decision"] == "approve", comments=form.cleaned_data["comments"],
            pending_confirmed=form.cleaned_data.get("pending_confirmed", False))):
        approved = form.cleaned_data["decision"] == "approve"
        messages.success(request, "Assessment approved." if approved else "Assessment returned to its author.")
        return redirect("assessment", pk)
    return _assessment_page(request, assessment, requests=requests, decision_form=form, status=400)


def _history_rows(user, assessment):
    history = list(selectors.history(user, assessment))
    per = [(item, frameworks.scores(item.framework_version.definition, item.answers)) for item in history]
    domains = {}  # section key -> title, in the order of the latest version that has it
    for item, _ in reversed(per):
        for section in item.framework_version.sections:
            if section.is_scored:
                domains.setdefault(section.key, section.title)
    return history, per, domains


@access.signed_in
def assessment_change(request, pk):
    """Measured change: each domain of this subject's assessments on this framework, side by side and charted."""
    assessment = selectors.assessment_for(request.user, pk)
    history, per, domains = _history_rows(request.user, assessment)
    labels = [timezone.localtime(item.created_at).strftime("%b %Y") for item in history]
    series = [(title, [scores.get(key) for _, scores in per]) for key, title in domains.items()]
    table = [{"title": title, "scores": [scores.get(key) for _, scores in per]} for key, title in domains.items()]
    audit.record_view(request.user, assessment, page="measured change")
    return render(request, "assessments/change.html", {
        "assessment": assessment, "history": history, "table": table, "subject_url": subject_url(assessment),
        "chart": charts.change_chart(labels, series, title=f"Domain scores over time: {assessment}"),
    })


@access.signed_in
def assessment_pdf(request, pk):
    assessment = selectors.assessment_for(request.user, pk)
    if not assessment.is_approved:
        raise Http404
    history, per, domains = _history_rows(request.user, assessment)
    labels = [timezone.localtime(item.created_at).strftime("%b %Y") for item in history]
    series = [(title, [scores.get(key) for _, scores in per]) for key, title in domains.items()]
    requests = list(selectors.assessment_requests(request.user, assessment))
    content = render_pdf("assessments/assessment_pdf.html", {
        "assessment": assessment, "sections": _printed_rows(assessment),
        "contributions": [r for r in requests if r.status == RequestStatus.ANSWERED and not r.is_addendum],
        "addenda": [r for r in requests if r.is_addendum], "unanswered": _open(requests),
        "chart": charts.change_chart(labels, series, title="Domain scores over time") if len(history) > 1 else "",
        "printed_by": request.user, "printed_at": timezone.localtime(),
    })
    audit.record(actor=request.user, action=AuditAction.DOWNLOAD, target=assessment,
                 detail={"format": "pdf", "bytes": len(content)})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.audit_label}.pdf"'
    return response


# --- Contributions --------------------------------------------------------------------------------------------

@access.signed_in
def contribution_new(request, pk):
    assessment = selectors.assessment_for(request.user, pk)
    policies.can_request_contribution.ensure(request.user, assessment)
    form = ContributionRequestForm(request.POST or None, exclude_agency=assessment.owning_agency)
    return form_page(request, form, template="assessments/contribution_request_form.html",
                     context={"assessment": assessment},
                     call=lambda data: services.contribution_request(
                         actor=request.user, assessment=assessment, agency=data["agency"], question=data["question"],
                         due_on=data["due_on"], basis=form.basis()),
                     done=lambda asked: f"Request sent to {asked.agency}.",
                     then=reverse("assessment", args=[pk]))


@access.signed_in
@require_POST
def contribution_withdraw(request, pk):
    contribution = selectors.contribution_for(request.user, pk)
    try:
        services.contribution_withdraw(actor=request.user, contribution=contribution)
        messages.success(request, f"Request to {contribution.agency} withdrawn.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assessment", contribution.assessment_id)


@access.signed_in
def contributions(request):
    listing = lists.list_page(request, selectors.requests_to_my_agency(request.user), CONTRIBUTIONS)
    return render(request, "assessments/contributions.html", {"list": listing, "today": timezone.localdate()},
                  status=listing.status)


@access.signed_in
def contribution_detail(request, pk):
    contribution = selectors.contribution_for(request.user, pk)
    can_answer = policies.can_answer_contribution(request.user, contribution)
    form = None
    if can_answer:
        form = ContributionAnswerForm(request.POST or None, initial={"version": contribution.version},
                                      agency=contribution.agency, asking_agency=contribution.assessment.owning_agency)
        answered = request.method == "POST" and form.is_valid() and submit(form, lambda: services.contribution_answer(
            actor=request.user, contribution=contribution, expected_version=form.cleaned_data["version"],
            response=form.cleaned_data["response"], basis=form.basis()))
        if answered:
            messages.success(request, "Your response has been sent to the assessment's author." if not
                             answered.is_addendum else "Your response has been added to the assessment as an "
                             "addendum, and its author has been emailed.")
            return redirect("contribution", pk)
    elif request.method == "POST":
        policies.can_answer_contribution.ensure(request.user, contribution)
    if request.method == "GET":
        audit.record_view(request.user, contribution)
    subject = contribution.assessment.subject
    return render(request, "assessments/contribution.html", {
        "contribution": contribution, "form": form, "mine": contribution.agency_id == request.user.agency_id,
        "subject_visible": access.can(request.user, subject),
        "subject_url": subject_url(contribution.assessment),
        "assessment_visible": access.can(request.user, contribution.assessment),
        "disclosures": disclosures.of(contribution),
    }, status=400 if form is not None and form.errors else 200)


# --- Safety plans ------------------------------------------------------------------------------------------------

def _plan_subject(user, kind, pk):
    """A record of a kind that has a safety plan, that the person may see, or 404."""
    return subjects.get_visible_or_404(user, kind, pk, plan=True)


@access.signed_in
def safety_plan(request, kind, pk):
    subject = _plan_subject(request.user, kind, pk)
    plan = selectors.plan_for(request.user, subject)
    linked = selectors.linked_plans(request.user, subject)
    seen = {"linked": [other.audit_label for other in linked]} if linked else {}
    if plan is not None:
        audit.record_view(request.user, plan, **seen)
    elif linked:  # no plan yet, but the plans linked to it are shown
        audit.record_view(request.user, subject, page="safety plan", **seen)
    return render(request, "assessments/safety_plan.html", {
        "subject": subject, "kind": kind, "plan": plan, "linked": linked,
        "is_person": subjects.of(subject).key == "young_person", "noun": subjects.of(subject).noun,
        "expires_after": settings.LINK_EXPIRES_AFTER_DAYS,
        "can_change": policies.can_change_safety_plan(request.user, subject),
        "subject_url": subjects.of(subject).url(subject), "today": timezone.localdate(),
    })


def _plan_form(request, form, *, call, done, then, rename=None, **context):
    return form_page(request, form, template="includes/form_page.html", call=call, done=done, then=then, rename=rename,
                     context={"back_label": "Back to the safety plan", **context})


def _plan_url(goal) -> str:
    return goal.plan.url


def _plan_url_for(user, goal) -> str:
    """The plan's address for a reader who may see it; "" for an agency owning an intervention on a plan whose place
    or group is not shared with it (the address would name that record)."""
    return _plan_url(goal) if access.can(user, goal) else ""


def _goals_added(goals) -> str:
    return "Goal added to the safety plan." if len(goals) == 1 else f"{len(goals)} goals added to the safety plan."


@access.signed_in
def goal_new(request, kind, pk):
    """One or more goals, a row each (MoJ add-another), saved together or not at all."""
    subject = _plan_subject(request.user, kind, pk)
    policies.can_change_safety_plan.ensure(request.user, subject)
    step = add_another.round_trip(request, [GoalsForm.KEY])
    # "Add another goal" or "Remove" without JavaScript: the rows again as typed, unbound (so not checked, nor saved).
    form = GoalsForm(initial=step.data.dict(), adding=bool(step.add)) if step else GoalsForm(step.data)
    return _plan_form(request, form, call=lambda data: services.goals_add(actor=request.user, subject=subject,
                                                                           goals=form.goals()),
                      rename=form.rename, done=_goals_added, then=lambda goals: _plan_url(goals[0]), subject=subject,
                      title=f"Add goals for {subject}", back=reverse("safety-plan", args=[kind, pk]))


@access.signed_in
def goal_edit(request, pk):
    goal = selectors.goal_for(request.user, pk)
    policies.can_change_safety_plan.ensure(request.user, goal)
    form = GoalForm(request.POST or None, instance=Goal.objects.get(pk=goal.pk), initial={"version": goal.version})
    return _plan_form(request, form, call=lambda data: services.goal_update(
        actor=request.user, goal=goal, expected_version=data["version"], **form.model_fields()),
        done="Goal saved.", then=_plan_url(goal), title="Change a goal", back=_plan_url(goal))


@access.signed_in
def intervention_new(request, pk):
    goal = selectors.goal_for(request.user, pk)
    policies.can_change_safety_plan.ensure(request.user, goal)
    people = User.objects.filter(is_active=True).select_related("agency").order_by("agency__name", "last_name")
    form = InterventionForm(request.POST or None, people=people)
    return _plan_form(request, form, call=lambda data: services.intervention_add(actor=request.user, goal=goal,
                                                                                  **form.model_fields()),
                      done="Intervention added.", then=_plan_url(goal), title="Add an intervention",
                      caption=goal.statement, back=_plan_url(goal))


@access.signed_in
def intervention_update(request, pk):
    intervention = selectors.intervention_for(request.user, pk)
    plan_url = _plan_url_for(request.user, intervention.goal)
    return commitments.update_page(
        request, services.INTERVENTIONS, intervention,
        report=lambda **data: services.intervention_report(intervention=intervention, **data),
        then=plan_url or request.path, back=plan_url, caption=intervention.what, back_label="Back to the safety plan")


# --- Frameworks (administrators) --------------------------------------------------------------------------------

@access.signed_in
def framework_list(request):
    rows = Framework.objects.prefetch_related("versions").order_by("name")
    return render(request, "assessments/frameworks.html", {
        "rows": rows, "can_edit": policies.can_change_framework(request.user)})


@access.signed_in
def framework_detail(request, pk):
    framework = Framework.objects.filter(pk=pk).first() or _not_found()
    versions = list(framework.versions.select_related("created_by").order_by("-number"))
    number = param(request, "version", max_length=10)
    shown = next((v for v in versions if str(v.number) == number), versions[0])
    return render(request, "assessments/framework.html", {
        "framework": framework, "versions": versions, "shown": shown,
        "can_edit": policies.can_change_framework(request.user)})


def _not_found():
    raise Http404


@access.signed_in
def framework_edit(request, pk):
    policies.can_change_framework.ensure(request.user)
    framework = Framework.objects.filter(pk=pk).first() or _not_found()
    current = services.current_version(framework)
    form = FrameworkForm(request.POST or None, initial={"definition": current.definition})
    return form_page(request, form, template="assessments/framework_form.html",
                     context={"framework": framework, "current": current},
                     call=lambda data: services.framework_revise(actor=request.user, framework=framework,
                                                                 definition=data["definition"],
                                                                 change_note=data["change_note"]),
                     done=lambda version: f"Saved as version {version.number}. Assessments already started keep "
                                          "the version they began with.",
                     then=reverse("framework", args=[pk]))
