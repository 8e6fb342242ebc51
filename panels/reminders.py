"""Panels' reminders, run by the kernel's daily job (safeguarding.reminders): overdue actions, and meetings soon."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from safeguarding import commitments
from safeguarding.reminders import Run, link, reminder

from .models import Attendance, AttendanceStatus
from .services import ACTIONS

MEETING_AHEAD = timedelta(days=2)


@reminder
def overdue_actions(run: Run) -> int:
    return commitments.remind_overdue(ACTIONS, run)


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
