"""Celery tasks for panels: they take ids, call the mechanism that does the work, and can safely run twice.

Emails go through the kernel's retried task (``safeguarding.tasks.email_send``); the daily reminders are the
kernel's job too, and this app's own are in ``reminders.py``."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from safeguarding import notifications, outbox
from safeguarding.models import Notification, NotificationKind
from safeguarding.tasks import email_send

from . import packs
from .models import AttendanceStatus, Meeting, PanelPack


@shared_task(acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=settings.PACK_SOFT_TIME_LIMIT, time_limit=settings.PACK_SOFT_TIME_LIMIT + 30)
def pack_build(pack_id: int):
    """Build one agency's pack. A worker killed mid-build leaves the message unacknowledged: it is built again."""
    try:
        pack = packs.build(pack_id)
    except SoftTimeLimitExceeded:
        packs.fail(pack_id, "It took too long to build. Try again, or split the agenda.")
        return None
    except Exception as exc:  # the reason goes on the job row for the chair to see; the error is logged
        packs.fail(pack_id, f"The pack could not be built ({type(exc).__name__}). Try again.")
        raise
    return pack.status if pack else None


def _attendees(meeting: Meeting, agency_id=None):
    rows = meeting.attendance.filter(status__in=[AttendanceStatus.INVITED, AttendanceStatus.PRESENT],
                                     person__is_active=True).select_related("person")
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return sorted({row.person.email for row in rows if row.person.email})


@shared_task
def pack_ready_notify(pack_id: int):
    """Tell the agency's people invited to the meeting that its pack is ready: a notification each, emailed as each
    prefers (safeguarding.notifications). Once per pack, however often the notice is handed."""
    with transaction.atomic():
        pack = PanelPack.objects.select_for_update(of=("self",)).select_related("meeting__panel", "agency").filter(
            pk=pack_id).first()
        if pack is None:  # its transaction was rolled back: nothing to tell anyone
            return
        url = f"{reverse('meeting', args=[pack.meeting_id])}#pack-{pack.pk}"
        if Notification.objects.filter(kind=NotificationKind.PACK_READY, url=url).exists():
            return  # told already (the pack's row lock makes a second delivery wait, then see it)
        people = [row.person for row in pack.meeting.attendance.filter(
            status__in=[AttendanceStatus.INVITED, AttendanceStatus.PRESENT], agency_id=pack.agency_id,
        ).select_related("person")]
        notifications.notify(kind=NotificationKind.PACK_READY, title=f"Panel pack for {pack.agency} ready: "
                             f"{pack.meeting}", url=url, people=people, about=pack, about_agency=pack.agency)


@shared_task
def minutes_circulate(meeting_id: int):
    meeting = Meeting.objects.select_related("panel").filter(pk=meeting_id).first()
    if meeting is None:
        return
    to = _attendees(meeting)
    if to:
        outbox.enqueue(email_send, f"Minutes approved: {meeting}",
                       f"The minutes of {meeting} have been approved. Read them and your agency's actions here:\n"
                       f"{settings.SITE_URL}{reverse('meeting', args=[meeting.pk])}", to,
                       key=f"minutes-email:{meeting.pk}")
