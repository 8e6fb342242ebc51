"""Daily reminders by email: overdue actions, reviews due, young people nearing 18, links past review, meetings.

Each reminder is recorded (``ReminderSent``) before its email is queued, in one transaction, so running the job
twice in a day sends each reminder once. Emails go through Django's email backend in their own retried task, so a
mail server that is down delays a reminder and never loses or blocks one.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus
from contexts.models import Association, Membership, PlaceLink

from .models import OUTSTANDING, Action, Attendance, AttendanceStatus, ReminderSent

TURNING_18_WITHIN = timedelta(days=183)
REVIEW_AHEAD = timedelta(days=7)
MEETING_AHEAD = timedelta(days=2)


def _remind(kind: str, key, person, subject: str, body: str) -> bool:
    from .tasks import email_send

    if person is None or not person.is_active or not person.email:
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=str(key), person=person)
            email_send.delay_on_commit(subject, body, [person.email])
    except IntegrityError:
        return False  # already reminded today
    return True


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def overdue_actions(today) -> int:
    sent = 0
    rows = Action.objects.filter(status__in=OUTSTANDING, due_on__lt=today).select_related("owner", "owner_agency")
    for action in rows.iterator():
        # The named owner, or else everyone in the owning agency who can update actions.
        people = [action.owner] if action.owner else list(
            action.owner_agency.users.filter(is_active=True, groups__permissions__codename="add_actionupdate")
            .distinct())
        for person in people:
            sent += _remind("overdue_action", action.pk, person, f"Action {action.audit_label} is overdue",
                            f"An action your agency owns was due on {action.due_on:%-d %B %Y} and is not done.\n"
                            f"{_link(reverse('actions'))}")
    return sent


def reviews_due(today) -> int:
    sent = 0
    cases = Case.objects.filter(status=CaseStatus.OPEN, next_review_on__lte=today + REVIEW_AHEAD).select_related(
        "lead_practitioner")
    for case in cases.iterator():
        sent += _remind("case_review", case.pk, case.lead_practitioner, f"Review due: {case.reference}",
                        f"The review of case {case.reference} is due on {case.next_review_on:%-d %B %Y}.\n"
                        f"{_link(reverse('case', args=[case.pk]))}")
    return sent


def turning_18(today) -> int:
    """Lead practitioners of open cases whose young person turns 18 within six months: plan the transition."""
    sent, horizon = 0, today + TURNING_18_WITHIN
    born_after = today.replace(year=today.year - 18)
    born_before = horizon.replace(year=horizon.year - 18) if not (horizon.month == 2 and horizon.day == 29) else (
        horizon.replace(year=horizon.year - 18, day=28))
    cases = Case.objects.filter(status=CaseStatus.OPEN, young_person__date_of_birth__gt=born_after,
                                young_person__date_of_birth__lte=born_before).select_related(
        "lead_practitioner", "young_person")
    for case in cases.iterator():
        birthday = case.young_person.date_of_birth.replace(year=case.young_person.date_of_birth.year + 18)
        sent += _remind("turning_18", case.pk, case.lead_practitioner, f"Transition planning: {case.reference}",
                        f"The young person on case {case.reference} turns 18 on {birthday:%-d %B %Y}. Plan the "
                        f"handover to adult services with them.\n{_link(reverse('case', args=[case.pk]))}")
    return sent


def links_past_review(today) -> int:
    sent = 0
    for model in (Membership, Association, PlaceLink):
        for link in model.objects.filter(ended_on__isnull=True, review_by__lt=today).select_related(
                "source_person").iterator():
            sent += _remind(f"review_{model._meta.model_name}", link.pk, link.source_person,
                            "A link you recorded is past its review date",
                            f"A link you recorded was due for review on {link.review_by:%-d %B %Y}. Review it or "
                            f"end it.\n{_link(reverse('to-review'))}")
    return sent


def meetings_soon(now) -> int:
    sent = 0
    rows = Attendance.objects.filter(
        status=AttendanceStatus.INVITED, meeting__starts_at__gte=now, meeting__starts_at__lt=now + MEETING_AHEAD,
    ).select_related("meeting__panel", "person")
    for row in rows.iterator():
        meeting = row.meeting
        sent += _remind("meeting", meeting.pk, row.person, f"Reminder: {meeting.panel.name}",
                        f"{meeting} at {timezone.localtime(meeting.starts_at):%H:%M}, {meeting.location or 'online'}."
                        f"\n{_link(reverse('meeting', args=[meeting.pk]))}")
    return sent


def run_daily() -> dict[str, int]:
    today, now = timezone.localdate(), timezone.now()
    return {"overdue_actions": overdue_actions(today), "reviews_due": reviews_due(today),
            "turning_18": turning_18(today), "links_past_review": links_past_review(today),
            "meetings_soon": meetings_soon(now)}
