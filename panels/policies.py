"""What a person may do with panels, meetings, actions and packs. Services enforce; views and templates ask."""

from cases import policies as case_policies
from safeguarding import access
from safeguarding.policy import must, need, rule
from safeguarding.roles import Perm

from .models import MeetingStatus, PackStatus, ShareRequestStatus


def _chairs(user, panel) -> bool:
    known = getattr(panel, "_chaired_by", None)
    if known is None or known[0] != user.pk:
        panel._chaired_by = known = (user.pk, panel.chairs.filter(pk=user.pk).exists())
    return known[1]


@rule
def can_add_panel(user):
    access.require(user, Perm.ADD_PANEL)


@rule
def can_change_panel(user, panel):
    """Change a panel's settings (its terms of reference, whether agencies that sent apologies get packs): one of its
    chairs."""
    access.require(user, Perm.RUN_MEETING)
    need(_chairs(user, panel), "Only a chair of this panel can change its settings.")


@rule
def can_schedule_meeting(user, panel):
    """Schedule a meeting of a panel: one of its chairs."""
    access.require(user, Perm.RUN_MEETING)
    need(_chairs(user, panel), "Only a chair of this panel can schedule its meetings.")


@rule
def can_run_meeting(user, meeting):
    """Set the agenda, invite, minute, add actions, send packs and move the meeting on: a chair of *this* panel,
    in the agency that holds the meeting."""
    access.require(user, Perm.RUN_MEETING, meeting, level=access.MANAGE)
    need(_chairs(user, meeting.panel), "Only a chair of this panel can run its meetings.")


@rule
def can_report_on_action(user, action):
    """Add an update on an action: its owning agency, or whoever runs the meeting that set it."""
    access.require(user, Perm.UPDATE_ACTION, action)
    if action.owner_agency_id != user.agency_id:
        can_run_meeting.ensure(user, action.item.meeting)


@rule
def can_record_feedback_given(user, item):
    """Record that what the panel said was fed back to the young person, and how: after the meeting, someone who may
    record the young person's own words (``cases.policies.can_record_voice``), in the agency that holds their record
    (the lead practitioner's) or who presented the item."""
    must(item.kind == "young_person", "Only an item about a young person has feedback to give them.")
    must(item.meeting.status in (MeetingStatus.IN_PROGRESS, MeetingStatus.MINUTES_DRAFTED,
                                 MeetingStatus.MINUTES_APPROVED), "Feedback is recorded after the meeting has met.")
    need(item.presenter_id == user.pk or item.young_person.owning_agency_id == user.agency_id,
         "Only the agency that holds the young person's record, or whoever presented the item, can record this.")
    case_policies.can_record_voice.ensure(user, item.young_person)


@rule
def can_ask_to_share(user, item):
    """Ask the agency holding an agenda item's record to share it with panel agencies that cannot see it: a chair
    running the meeting, who can see the record, before the minutes are approved."""
    can_run_meeting.ensure(user, item.meeting)
    subject = item.subject
    must(subject is not None, "A theme names no record, so there is nothing to share.")
    access.require(user, None, subject)
    must(item.meeting.status != MeetingStatus.MINUTES_APPROVED,
         "The minutes are approved, so the meeting's record can no longer change.")


@rule
def can_decide_share_request(user, share_request):
    """Approve or decline a panel's request to share a record: whoever may share that record (its owning agency,
    with a role that shares), while the request waits."""
    access.require(user, None, share_request)
    record = share_request.item.record_to_share()
    must(record is not None, "There is no open case to share.")
    access.can_share.ensure(user, record)
    must(share_request.status == ShareRequestStatus.ASKED, "This request has already been decided.")


@rule
def can_attach_to_meeting(user, meeting):
    """Add a paper to a meeting: whoever runs it (a chair of its panel)."""
    can_run_meeting.ensure(user, meeting)


@rule
def can_rebuild_pack(user, pack):
    """Have a pack whose file went missing built again: whoever may download it (their agency's, or the chair's)."""
    access.require(user, None, pack)
    must(pack.status in (PackStatus.READY, PackStatus.QUEUED, PackStatus.BUILDING),
         "Only a pack that was built can be built again this way.")


# --- What the dashboard shows (safeguarding.dashboard) --------------------------------------------------------------

@rule
def can_chair_panels(user):
    """Run panels' meetings at all (a panel chair): shown the coming meetings they chair and how ready each is."""
    access.require(user, Perm.RUN_MEETING)


@rule
def can_see_meetings(user):
    """See the meetings one's agency is invited to: anyone whose agency's records they may open."""
    access.require(user, Perm.VIEW_RECORDS)


@rule
def can_report_on_own_actions(user):
    """Report on the actions and interventions one is named on, in a lead authority (where the agency's own list is
    long and one's team's work is another section): shown "Your actions"."""
    access.require(user, Perm.UPDATE_ACTION)
    need(user.agency.is_lead_authority, "A partner agency's actions are listed for the whole agency.")


@rule
def can_report_on_agency_actions(user):
    """Report on one's agency's actions and interventions, in a partner agency (a few, for the whole agency): shown
    "Your agency's actions"."""
    access.require(user, Perm.UPDATE_ACTION)
    need(not user.agency.is_lead_authority, "A lead authority's actions are listed by who is named on them.")
