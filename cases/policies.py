"""What a person may do with young people, cases and chronologies. Services enforce; views and templates ask."""

from safeguarding import access
from safeguarding.policy import must, need, rule
from safeguarding.roles import Perm

from .models import ReferralStatus


@rule
def can_add_young_person(user):
    access.require(user, Perm.ADD_YOUNG_PERSON)


@rule
def can_change_young_person(user, person):
    """Edit a young person's details or their trusted adults: an agency that may contribute to one of their cases."""
    access.require(user, Perm.CHANGE_YOUNG_PERSON, person, level=access.CONTRIBUTE)


@rule
def can_record_voice(user, person):
    """Record the young person's own words."""
    access.require(user, Perm.ADD_CHRONOLOGY_ENTRY, person, level=access.CONTRIBUTE)


@rule
def can_open_case(user, person):
    access.require(user, Perm.ADD_CASE, person)


@rule
def can_change_case(user, case):
    access.require(user, Perm.CHANGE_CASE, case, level=access.MANAGE)
    must(case.is_open, "This case is closed. Reopen work by opening a new case.")


@rule
def can_close_case(user, case):
    access.require(user, Perm.CLOSE_CASE, case, level=access.MANAGE)
    must(case.is_open, "This case is already closed.")


@rule
def can_add_chronology_entry(user, case):
    access.require(user, Perm.ADD_CHRONOLOGY_ENTRY, case, level=access.CONTRIBUTE)


@rule
def can_attach_to_case(user, case):
    """Attach a document to a case: whoever may add to its chronology (an agency it is shared with to contribute)."""
    access.require(user, Perm.ADD_CHRONOLOGY_ENTRY, case, level=access.CONTRIBUTE)


@rule
def can_print_case_summary(user, case):
    """Print the case's summary and chronology (what the person may see of it): any practitioner who sees the case."""
    access.require(user, Perm.VIEW_RECORDS, case)


# --- Missing episodes, return home interviews, NRM referrals: recorded by whoever may add to the chronology -------

@rule
def can_record_missing_episode(user, case):
    """Record a missing episode on a case: whoever may add to its chronology (a partner the case is shared with to
    contribute: the police take missing-person reports), while the case is open."""
    can_add_chronology_entry.ensure(user, case)
    must(case.is_open, "This case is closed. Record it on the young person's open case.")


@rule
def can_update_missing_episode(user, episode):
    """Record that they were found, or correct an episode, or record its return home interview: whoever may record
    an episode on its case."""
    can_record_missing_episode.ensure(user, episode.case)


@rule
def can_record_return_interview(user, episode):
    """Record the return home interview: once the young person is back."""
    can_update_missing_episode.ensure(user, episode)
    must(episode.found_at is not None, "They have not been found yet: record when they returned first.")


@rule
def can_record_nrm_referral(user, case):
    """Record an NRM referral on a case: whoever may add to its chronology, while the case is open."""
    can_add_chronology_entry.ensure(user, case)
    must(case.is_open, "This case is closed. Record it on the young person's open case.")


@rule
def can_update_nrm_referral(user, referral):
    """Record the reasonable-grounds or conclusive-grounds decision, or correct the referral."""
    can_record_nrm_referral.ensure(user, referral.case)


# --- The front door and transfers (cases.referrals, cases.transfers): every kind of referral and transfer ---------

@rule
def can_refer(user, to_agency=None):
    """Refer a young person, a place or a peer group to a lead authority: any practitioner, to an active lead
    authority other than their own agency (which records it itself)."""
    access.require(user, Perm.REFER)
    if to_agency is not None:
        must(to_agency.is_lead_authority and to_agency.is_active, "Choose an active lead authority to refer to.")
        need(to_agency.pk != user.agency_id, "Your own agency records this directly; refer to another authority.")


@rule
def can_triage(user):
    """See the front door's queue: a lead authority's team manager."""
    access.require(user, Perm.TRIAGE)
    need(user.agency.is_lead_authority, "Only a lead authority has a front door.")


@rule
def can_decide_referral(user, referral):
    """Accept, decline or ask more about a referral: a team manager of the authority it was referred to, while it
    waits for a decision."""
    access.require(user, Perm.TRIAGE, referral)
    need(referral.to_agency_id == user.agency_id, "Only the authority it was referred to decides a referral.")
    must(referral.status != ReferralStatus.MORE_INFORMATION,
         "More information has been asked for: the referrer's answer brings it back.")
    must(referral.status == ReferralStatus.WAITING, "This referral has already been decided.")


@rule
def can_answer_referral(user, referral):
    """Give the more information asked for: the referring agency."""
    access.require(user, Perm.REFER, referral)
    need(referral.referring_agency_id == user.agency_id, "Only the referring agency answers.")
    must(referral.status == ReferralStatus.MORE_INFORMATION, "No more information has been asked for.")


def _is_closed(record) -> bool:
    return getattr(record, "is_closed", None) or getattr(record, "is_open", True) is False


@rule
def can_request_transfer(user, record):
    """Ask another agency to take over a case, place or peer group: a manager of its owning agency, while it is open."""
    access.require(user, Perm.REQUEST_TRANSFER, record, level=access.MANAGE)
    must(not _is_closed(record), "A closed record cannot be transferred.")


@rule
def can_decide_transfer(user, transfer):
    """Accept or reject a transfer: a team manager of the agency asked to take it, while it is asked."""
    access.require(user, Perm.DECIDE_TRANSFER, transfer)
    need(transfer.to_agency_id == user.agency_id, "Only the agency asked decides a transfer.")
    must(transfer.is_open, "This transfer has already been decided.")


# --- Transitional safeguarding (cases.transitions): whoever may change the case plans its move to adult services ---

@rule
def can_open_transition_plan(user, case):
    access.require(user, Perm.CHANGE_CASE, case, level=access.MANAGE)
    must(case.is_open, "This case is closed. Reopen work by opening a new case.")


@rule
def can_change_transition_plan(user, plan):
    """Update a plan or record its handover: who may change the case, while the plan and the case are open."""
    access.require(user, Perm.CHANGE_CASE, plan.case, level=access.MANAGE)
    must(plan.case.is_open, "This case is closed.")
    must(plan.is_open, "This plan has been handed over: open a new plan if support needs planning again.")


# --- What the dashboard shows (safeguarding.dashboard): each section asks one of these -------------------------------

@rule
def can_lead_cases(user):
    """Be the lead practitioner on cases (a social worker, a team manager): shown "Your cases"."""
    access.require(user, Perm.ADD_CASE)


@rule
def can_oversee_team_cases(user):
    """See the caseload and overdue reviews of one's team: who may close cases (a team manager)."""
    access.require(user, Perm.CLOSE_CASE)


@rule
def can_find_young_people(user):
    """Search for and open young people's records: anyone whose agency's records they may open."""
    access.require(user, Perm.VIEW_RECORDS)
