"""Every write to frameworks, assessments, contributions and safety plans: checked, validated, audited, atomic."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from safeguarding import access, audit, commitments, disclosures, notifications, subjects
from safeguarding.edits import only
from safeguarding.lawful import Basis
from safeguarding.models import Agency, AuditAction, DisclosureCause, NotificationKind
from safeguarding.roles import Perm
from safeguarding.versioning import EditConflict, lock_current

from . import frameworks, policies
from .models import (
    AddedAfter,
    Assessment,
    AssessmentStatus,
    ContributionRequest,
    Framework,
    FrameworkVersion,
    Goal,
    Intervention,
    InterventionUpdate,
    RequestStatus,
    SafetyPlan,
)

OUTCOME_FIELDS = {"priority", "priority_reason"}
GOAL_FIELDS = {"statement", "met_when", "measured_by", "status"}
INTERVENTION_FIELDS = {"what", "owner_agency", "owner", "due_on", "status"}

# Interventions are commitments (safeguarding.commitments): an agency's undertaking, reported on by the agency that
# owns it from the intervention's own page (which it reaches even when the place or group is not shared with it).
INTERVENTIONS = commitments.Kind(
    model=Intervention, update_model=InterventionUpdate, noun="intervention",
    rule=policies.can_report_on_intervention, url=lambda intervention: reverse("intervention-update",
                                                                               args=[intervention.pk]))



# --- Frameworks ------------------------------------------------------------------------------------------------

def _person(actor):
    """Who to name as a framework version's author: a person, or nobody for the system's own install."""
    return None if access.is_system(actor) else actor


def frameworks_for(subject) -> list[str]:
    """The framework subjects that fit a record: its kind's (a school is a place, and also has its own framework)."""
    return subjects.of(subject).frameworks_for(subject)


@transaction.atomic
def framework_install(*, actor, definition: dict) -> FrameworkVersion:
    """Add a framework (as shipped, or a locality's own) at version 1; an existing key gets a new version."""
    policies.can_change_framework.ensure(actor)
    frameworks.check_definition(definition)
    framework, created = Framework.objects.get_or_create(
        key=definition["key"], defaults={"name": definition["name"], "subject": definition["subject"],
                                         "description": definition.get("description", "")})
    if not created:
        return framework_revise(actor=actor, framework=framework, definition=definition, change_note="Reinstalled")
    version = FrameworkVersion.objects.create(framework=framework, number=1, definition=_body(definition),
                                              change_note="First version", created_by=_person(actor))
    audit.record(actor=actor, action=AuditAction.CREATE, target=framework)
    return version


def _body(definition: dict) -> dict:
    return {"sections": definition["sections"]}


@transaction.atomic
def framework_revise(*, actor, framework: Framework, definition: dict, change_note: str):
    """Edit a framework: a new version. Assessments already started keep the version they began with."""
    policies.can_change_framework.ensure(actor)
    frameworks.check_definition(definition)
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    latest = framework.versions.aggregate(n=Max("number"))["n"] or 0
    version = FrameworkVersion.objects.create(framework=framework, number=latest + 1, definition=_body(definition),
                                              change_note=change_note.strip()[:300], created_by=_person(actor))
    audit.record(actor=actor, action=AuditAction.UPDATE, target=framework, detail={"version": version.number})
    return version


def current_version(framework: Framework) -> FrameworkVersion:
    return framework.versions.order_by("-number").first()


# --- Assessments -----------------------------------------------------------------------------------------------

def _subject_fields(subject) -> dict:
    return subjects.fields(subject)


@transaction.atomic
def assessment_start(*, actor, subject, framework: Framework) -> Assessment:
    """A draft assessment of ``subject`` on the framework's current version, led by ``actor``."""
    policies.can_start_assessment.ensure(actor, subject)
    if not framework.is_active or framework.subject not in frameworks_for(subject):
        raise ValidationError({"framework": "Choose a framework for this kind of record."})
    assessment = Assessment(framework_version=current_version(framework), owning_agency=actor.agency,
                            lead_author=actor, **_subject_fields(subject))
    assessment.full_clean()
    assessment.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=assessment,
                 detail={"framework": framework.key, "version": assessment.framework_version.number,
                         "subject": audit.label_of(subject)})
    return assessment


def _editable(actor, assessment: Assessment, expected_version: int) -> Assessment:
    current = lock_current(assessment, expected_version)
    policies.can_edit_assessment.ensure(actor, current)
    return current


@transaction.atomic
def assessment_save(*, actor, assessment: Assessment, expected_version: int, answers: dict,
                    **outcome) -> Assessment:
    """Save a draft. Part-done is fine; an answer the template does not allow is refused and nothing changes."""
    current = _editable(actor, assessment, expected_version)
    current.answers = frameworks.clean_answers(current.framework_version.definition, answers)
    for name, value in only(outcome, OUTCOME_FIELDS).items():
        setattr(current, name, value.strip())
    current.updated_at = timezone.now()
    current.full_clean()
    current.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current,
                 detail={"answered": len(current.answers)})
    return current


def held(assessment: Assessment) -> dict:
    """Everything the author has written: the answers and the outcome, keyed as the task sections ask for them."""
    return {**assessment.answers, "priority": assessment.priority, "priority_reason": assessment.priority_reason}


@transaction.atomic
def assessment_save_section(*, actor, assessment: Assessment, section: str, expected_version: int, seen: str,
                            values: dict) -> Assessment:
    """Save one section of a draft (its own page), leaving the others as they are now.

    ``seen`` is the section's fingerprint when the form was loaded. If someone saved since (``expected_version`` is
    stale) but their save did not touch this section, both edits are kept; if it changed this section, nothing is
    saved (EditConflict), as for a whole-form save.
    """
    by_key = {s.key: s for s in frameworks.task_sections(assessment.framework_version.definition)}
    if section not in by_key:
        raise ValidationError({"section": "There is no such section in this assessment."})
    part = by_key[section]
    locked = Assessment.objects.select_for_update().only("version", "answers", "priority", "priority_reason").get(
        pk=assessment.pk)
    if locked.version != expected_version and frameworks.fingerprint(part, held(locked)) != seen:
        raise EditConflict()
    current = _editable(actor, assessment, locked.version)
    keys = {q.key for q in part.questions}
    if part is frameworks.OUTCOME:
        answers, outcome = current.answers, {k: str(values.get(k) or "") for k in keys}
    else:
        answers = {**{k: v for k, v in current.answers.items() if k not in keys},
                   **{k: values.get(k) for k in keys}}
        outcome = {}
    current.answers = frameworks.clean_answers(current.framework_version.definition, answers)
    for name, value in outcome.items():
        setattr(current, name, value.strip())
    current.updated_at = timezone.now()
    current.full_clean()
    current.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current,
                 detail={"section": section, "answered": len(current.answers)})
    return current


def _pending(assessment: Assessment) -> list[ContributionRequest]:
    """The requests still waiting for an answer: submitting or approving without them needs the person to confirm."""
    return list(assessment.requests.filter(status=RequestStatus.REQUESTED).select_related("agency").order_by(
        "due_on", "id"))


def _unconfirmed(pending: list[ContributionRequest], confirmed: bool, doing: str) -> dict:
    """The refusal, naming each agency still waiting, when there are any and going on without them is unconfirmed."""
    if not pending or confirmed:
        return {}
    today = timezone.localdate()
    named = [f"{r.agency.name} (due {r.due_on:%-d %B %Y}{', overdue' if r.due_on < today else ''})" for r in pending]
    waiting = f"{named[0]} has" if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]} have"
    return {"pending_confirmed": [f"{waiting} not responded yet. Confirm that you want to {doing} without waiting "
                                  "for them"]}


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment, expected_version: int,
                      pending_confirmed: bool = False) -> Assessment:
    """Send a complete assessment to a team manager. Every required answer and the weighting must be there. Requests
    still waiting for an answer are listed and the author confirms going on without them (``pending_confirmed``);
    what those agencies send later is added as an addendum."""
    current = _editable(actor, assessment, expected_version)
    errors = {}
    try:
        frameworks.clean_answers(current.framework_version.definition, current.answers, complete=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not current.priority.strip():
        errors["priority"] = ["Enter what must change first for young people to be safer"]
    if not current.priority_reason.strip():
        errors["priority_reason"] = ["Enter why this must change first"]
    pending = _pending(current)
    errors.update(_unconfirmed(pending, pending_confirmed, "submit it"))
    if errors:
        raise ValidationError(errors)
    current.status, current.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
    current.save()
    audit.record(actor=actor, action=AuditAction.SUBMIT, target=current,
                 detail={"pending_requests": [r.audit_label for r in pending]} if pending else None)
    return current


@transaction.atomic
def assessment_decide(*, actor, assessment: Assessment, expected_version: int, approve: bool,
                      comments: str = "", pending_confirmed: bool = False) -> Assessment:
    """A team manager approves a submitted assessment, or returns it to its author with comments. Approving while
    requests are still waiting needs the manager to confirm (``pending_confirmed``), as submitting does."""
    current = lock_current(assessment, expected_version)
    policies.can_decide_assessment.ensure(actor, current)
    comments = comments.strip()
    if not approve and not comments:
        raise ValidationError({"comments": "Say what needs to change before it can be approved"})
    pending = _pending(current) if approve else []
    if refused := _unconfirmed(pending, pending_confirmed, "approve it"):
        raise ValidationError(refused)
    current.status = AssessmentStatus.APPROVED if approve else AssessmentStatus.RETURNED
    current.decision_comments, current.decided_by, current.decided_at = comments, actor, timezone.now()
    current.save()
    audit.record(actor=actor, action=AuditAction.APPROVE if approve else AuditAction.RETURN, target=current,
                 detail={"pending_requests": [r.audit_label for r in pending]} if pending else None)
    return current


# --- Contributions from other agencies -------------------------------------------------------------------------

@transaction.atomic
def contribution_request(*, actor, assessment: Assessment, agency: Agency, question: str,
                         due_on, basis: Basis | None) -> ContributionRequest:
    """Ask ``agency`` for its part, on the lawful ``basis`` given (the request names the subject to the agency). The
    agency then sees this request, and nothing more."""
    policies.can_request_contribution.ensure(actor, assessment)
    errors = {}
    try:
        basis = disclosures.check(basis, assessment.owning_agency, agency)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if agency.pk == assessment.owning_agency_id:
        errors["agency"] = "Choose another agency: this is the agency writing the assessment."
    elif not agency.is_active:
        errors["agency"] = "This agency is no longer active."
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = "The date to respond by must be today or in the future"
    if not question.strip():
        errors["question"] = "Enter what you are asking for"
    if errors:
        raise ValidationError(errors)
    asked = ContributionRequest(assessment=assessment, agency=agency, asked_by=actor, question=question.strip(),
                                due_on=due_on)
    asked.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            asked.save()
    except IntegrityError:
        raise ValidationError({"agency": "This agency has already been asked."}) from None
    disclosures.record(actor=actor, target=asked, from_agency=assessment.owning_agency, to_agency=agency, basis=basis,
                       cause=DisclosureCause.CONTRIBUTION_REQUEST, cause_label=assessment.audit_label)
    audit.record(actor=actor, action=AuditAction.SHARE, target=asked,
                 detail={"agency_id": agency.pk, "agency": agency.name, "assessment": assessment.audit_label,
                         "rule": "asked to contribute to an assessment", **basis.detail()})
    notifications.notify(kind=NotificationKind.CONTRIBUTION_REQUESTED, title=f"Your agency is asked to contribute to "
                         f"{assessment}", url=reverse("contribution", args=[asked.pk]), agency=agency,
                         perm=Perm.ANSWER_CONTRIBUTION, about=asked)
    return asked


@transaction.atomic
def contribution_answer(*, actor, contribution: ContributionRequest, expected_version: int,
                        response: str, basis: Basis | None) -> ContributionRequest:
    """The asked agency's answer, on the lawful ``basis`` it gives for disclosing it. If the assessment has been
    submitted or approved meanwhile, the answer is an addendum: labelled with what it came after and when, and the
    author (and the approving manager) are emailed."""
    # The assessment first, as submitting and approving lock it: an answer is either in before them, or an addendum.
    assessment = Assessment.objects.select_for_update(of=("self",)).select_related("lead_author", "decided_by").get(
        pk=contribution.assessment_id)
    current = lock_current(contribution, expected_version)
    policies.can_answer_contribution.ensure(actor, current)
    errors = {} if response.strip() else {"response": "Enter your agency's response"}
    try:
        basis = disclosures.check(basis, current.agency, assessment.owning_agency)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    current.response, current.status = response.strip(), RequestStatus.ANSWERED
    current.answered_by, current.answered_at = actor, timezone.now()
    if assessment.status == AssessmentStatus.APPROVED:
        current.added_after, current.added_after_at = AddedAfter.APPROVED, assessment.decided_at
    elif assessment.status == AssessmentStatus.SUBMITTED:
        current.added_after, current.added_after_at = AddedAfter.SUBMITTED, assessment.submitted_at
    current.full_clean(validate_constraints=False)
    current.save()
    disclosures.record(actor=actor, target=current, from_agency=current.agency, to_agency=assessment.owning_agency,
                       basis=basis, cause=DisclosureCause.CONTRIBUTION_ANSWER, cause_label=assessment.audit_label)
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current, detail={
        "answered": True, **({"addendum": current.added_after} if current.is_addendum else {}), **basis.detail()})
    if current.is_addendum:
        _tell_of_addendum(assessment, current)
    return current


def _tell_of_addendum(assessment: Assessment, answered: ContributionRequest):
    """Tell the author, whoever asked, and the approving manager: the assessment they closed has a new part."""
    people = [assessment.lead_author, answered.asked_by]
    if assessment.is_approved and assessment.decided_by is not None:
        people.append(assessment.decided_by)
    notifications.notify(
        kind=NotificationKind.CONTRIBUTION_ADDED, people=people,
        title=f"{answered.agency.name} added to assessment {assessment.audit_label} {answered.addendum_when}",
        url=f"{reverse('assessment', args=[assessment.pk])}#contributions")


@transaction.atomic
def contribution_withdraw(*, actor, contribution: ContributionRequest) -> ContributionRequest:
    current = ContributionRequest.objects.select_for_update().get(pk=contribution.pk)
    policies.can_withdraw_contribution.ensure(actor, current)
    current.status = RequestStatus.WITHDRAWN
    current.version += 1
    current.save()
    audit.record(actor=actor, action=AuditAction.UNSHARE, target=current,
                 detail={"agency_id": current.agency_id})
    return current


# --- Safety plans ----------------------------------------------------------------------------------------------

def _plan_for(actor, subject) -> SafetyPlan:
    policies.can_change_safety_plan.ensure(actor, subject)
    plan, created = SafetyPlan.objects.get_or_create(**_subject_fields(subject), defaults={"created_by": actor})
    if created:
        audit.record(actor=actor, action=AuditAction.CREATE, target=plan)
    return plan


@transaction.atomic
def goal_add(*, actor, subject, **fields) -> Goal:
    """Add a goal to the safety plan of a place or peer group (the plan is made with its first goal)."""
    plan = _plan_for(actor, subject)
    goal = Goal(plan=plan, created_by=actor, **only(fields, GOAL_FIELDS))
    goal.full_clean()
    goal.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=goal,
                 detail={"plan": plan.audit_label})
    return goal


@transaction.atomic
def goals_add(*, actor, subject, goals: list[dict]) -> list[Goal]:
    """Several goals at once (the new-goal page's rows), all or none, each through ``goal_add``. A refused goal is
    named in the error: its fields' messages are keyed ``<n>-<field>``, n its place in ``goals``."""
    policies.can_change_safety_plan.ensure(actor, subject)
    if not goals:
        raise ValidationError("Enter at least one goal.")
    added = []
    for n, fields in enumerate(goals):
        try:
            added.append(goal_add(actor=actor, subject=subject, **fields))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError({f"{n}-{field}": errors for field, errors in exc.error_dict.items()}) from exc
    return added


@transaction.atomic
def goal_update(*, actor, goal: Goal, expected_version: int, **fields) -> Goal:
    policies.can_change_safety_plan.ensure(actor, goal)
    current = lock_current(goal, expected_version)
    for name, value in only(fields, GOAL_FIELDS).items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, target=current,
                 detail={"status": current.status})
    return current


@transaction.atomic
def intervention_add(*, actor, goal: Goal, **fields) -> Intervention:
    policies.can_change_safety_plan.ensure(actor, goal)
    intervention = Intervention(goal=goal, created_by=actor, **only(fields, INTERVENTION_FIELDS))
    commitments.check(owner_agency=intervention.owner_agency, owner=intervention.owner)
    intervention.full_clean()
    intervention.save()
    audit.record(actor=actor, action=AuditAction.CREATE, target=intervention,
                 detail={"owner_agency_id": intervention.owner_agency_id})
    return intervention


@transaction.atomic
def intervention_report(*, actor, intervention: Intervention, text: str, status: str):
    """An update on an intervention, by its owning agency or anyone who may change the plan."""
    policies.can_report_on_intervention.ensure(actor, intervention)
    return commitments.report(INTERVENTIONS, actor=actor, commitment=intervention, text=text, status=status)
