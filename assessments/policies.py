"""What a person may do with assessments, contributions, safety plans and frameworks. Services enforce; views ask."""

from safeguarding import access
from safeguarding.policy import must, rule
from safeguarding.roles import Perm

from .models import AssessmentStatus, RequestStatus


@rule
def can_start_assessment(user, subject):
    """Assess a young person, place or peer group: an agency that may contribute to it."""
    access.require(user, Perm.ADD_ASSESSMENT, subject, level=access.CONTRIBUTE)


@rule
def can_edit_assessment(user, assessment):
    """Write a draft (or a returned) assessment: within the agency writing it."""
    access.require(user, Perm.CHANGE_ASSESSMENT, assessment, level=access.CONTRIBUTE)
    must(assessment.is_editable, "This assessment has been submitted, so it can no longer be changed.")


@rule
def can_attach_to_assessment(user, assessment):
    """Attach a document to an assessment: whoever may edit it, while it is being written (what was approved is
    what it rested on)."""
    access.require(user, Perm.CHANGE_ASSESSMENT, assessment, level=access.CONTRIBUTE)
    must(assessment.is_editable, "This assessment has been submitted, so documents can no longer be added to it.")


@rule
def can_approve_assessments(user):
    """Approve or return assessments at all (a team manager): who is shown the assessments waiting for approval."""
    access.require(user, Perm.APPROVE_ASSESSMENT)


@rule
def can_decide_assessment(user, assessment):
    """Approve or return a submitted assessment: a team manager of the writing agency who did not write it."""
    access.require(user, Perm.APPROVE_ASSESSMENT, assessment, level=access.MANAGE)
    must(assessment.status == AssessmentStatus.SUBMITTED, "Only a submitted assessment can be approved or returned.")
    must(assessment.lead_author_id != user.pk, "Someone other than the author must approve or return an assessment.")


@rule
def can_request_contribution(user, assessment):
    """Ask another agency for its part, or withdraw the request: while the assessment is being written."""
    access.require(user, Perm.REQUEST_CONTRIBUTION, assessment, level=access.CONTRIBUTE)
    must(assessment.is_editable, "Contributions can only be asked for while the assessment is being written.")


@rule
def can_withdraw_contribution(user, contribution):
    access.require(user, Perm.REQUEST_CONTRIBUTION, contribution.assessment, level=access.CONTRIBUTE)
    must(contribution.is_open, "Only a request still waiting for a response can be withdrawn.")


@rule
def can_answer_contribution(user, contribution):
    """Answer a request: the agency asked, while the request is open. A request still open when the assessment was
    submitted or approved can still be answered: the answer is then an addendum (``services.contribution_answer``)."""
    access.require(user, Perm.ANSWER_CONTRIBUTION, contribution, level=access.CONTRIBUTE)
    must(contribution.status != RequestStatus.WITHDRAWN,
         "This request was withdrawn by the assessment's author, so it can no longer be answered.")
    must(contribution.is_open, "This request has already been answered.")


@rule
def can_change_safety_plan(user, record):
    """Add or change goals and interventions of the safety plan of a place or group (``record``: the place or
    group, or a goal of its plan): an agency that may contribute to it."""
    access.require(user, Perm.CHANGE_SAFETY_PLAN, record, level=access.CONTRIBUTE)


@rule
def can_report_on_intervention(user, intervention):
    """Add an update on an intervention: its owning agency, or anyone who may change the plan."""
    access.require(user, Perm.UPDATE_INTERVENTION, intervention)
    if intervention.owner_agency_id != user.agency_id:
        can_change_safety_plan.ensure(user, intervention)


@rule
def can_change_framework(user):
    """Edit an assessment framework (a new version): administrators; the system installs the shipped ones."""
    if not access.is_system(user):
        access.require(user, Perm.CHANGE_FRAMEWORK)


# --- What the dashboard shows (safeguarding.dashboard) --------------------------------------------------------------

@rule
def can_write_assessments(user):
    """Write assessments at all: shown one's own unfinished ones ("Your drafts")."""
    access.require(user, Perm.ADD_ASSESSMENT)


@rule
def can_answer_contributions(user):
    """Answer what other agencies ask of one's agency: shown "Requests to your agency"."""
    access.require(user, Perm.ANSWER_CONTRIBUTION)
