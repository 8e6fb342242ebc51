"""Celery tasks for panels: they take ids, call the mechanism that does the work, and can safely run twice.

Emails go through the kernel's retried task (``safeguarding.tasks.email_send``); the daily reminders are the
kernel's job too, and this app's own are in ``reminders.py``."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.urls import reverse

from safeguarding import outbox
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
    pack = PanelPack.objects.select_related("meeting__panel", "agency").filter(pk=pack_id).first()
    if pack is None:  # its transaction was rolled back: nothing to tell anyone
        return
    to = _attendees(pack.meeting, pack.agency_id)
    if to:  # keyed by the pack: a notice handed twice still sends one email
        outbox.enqueue(email_send, f"Your pack is ready: {pack.meeting}",
                       f"The panel pack for {pack.agency} is ready to download (it is OFFICIAL-SENSITIVE: "
                       f"do not forward it).\n{settings.SITE_URL}{reverse('meeting', args=[pack.meeting_id])}",
                       to, key=f"pack-ready-email:{pack.pk}")


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
