"""Panels' reminders, run by the kernel's daily job (safeguarding.reminders): overdue actions, and meetings soon."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from safeguarding import commitments, notifications
from safeguarding.models import Notification, NotificationKind
from safeguarding.notifications import recipients
from safeguarding.reminders import Run, link, reminder
from safeguarding.roles import Perm

from .models import OUTSTANDING, Action, Attendance, AttendanceStatus
from .services import ACTIONS

MEETING_AHEAD = timedelta(days=2)


@reminder
def overdue_actions(run: Run) -> int:
    sent = commitments.remind_overdue(ACTIONS, run)
    for action in Action.objects.filter(status__in=OUTSTANDING, due_on__lt=run.today).select_related(
            "owner", "owner_agency"):
        _notify_overdue(action)
    return sent


def _notify_overdue(action: Action):
    """Beside the daily reminder email: one notification in each list, once for each date the action was due (not
    emailed again: the reminder was)."""
    url = f"{ACTIONS.url(action)}#action-{action.pk}"
    people = [action.owner] if action.owner else recipients(agency=action.owner_agency, perm=Perm.UPDATE_ACTION)
    told = set(Notification.objects.filter(kind=NotificationKind.ACTION_OVERDUE, url=url,
                                           created_at__date__gt=action.due_on).values_list("recipient_id", flat=True))
    people = [person for person in people if person is not None and person.pk not in told]
    # Called even with no one left to tell: the agency's partner systems are told once per due date (webhooks).
    notifications.notify(kind=NotificationKind.ACTION_OVERDUE, title=f"Action overdue: {action.description}",
                         url=url, people=people, emailed=True, about=action, about_agency=action.owner_agency)


@reminder
def meetings_soon(run: Run) -> int:
    """Everyone invited to a meeting in the next two days."""
    sent = 0
    rows = Attendance.objects.filter(
        status=AttendanceStatus.INVITED, meeting__starts_at__gte=run.now,
        meeting__starts_at__lt=run.now + MEETING_AHEAD,
    ).select_related("meeting__panel", "person")
    for row in rows.iterator():
        meeting = row.meeting
        sent += run.remind("meeting", meeting.pk, row.person, f"Reminder: {meeting.panel.name}",
                           f"{meeting} at {timezone.localtime(meeting.starts_at):%H:%M}, "
                           f"{meeting.location or 'online'}.\n{link(reverse('meeting', args=[meeting.pk]))}")
    return sent
