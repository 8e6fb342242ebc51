"""Telling people: an in-app list of what they should know, emailed as each person prefers.

Apps call ``notify`` from inside the service that made the change, so a notification exists only for what was
saved, and its email goes through the outbox (sent once the change commits; a broker or mail server that is down
delays it, never loses it). A person chooses to be emailed straight away, once a day, or never
(``User.email_notifications``); what the service must tell them (``required``) is emailed straight away whatever
they chose. An email never carries the title, which may name a young person: only what kind of thing happened and
where to look.

People who chose "once a day" get one email listing the kinds of what is new and unread (``digest_send``, run by its
own beat entry, ``safeguarding.tasks.notifications_digest``); a notification goes in one digest at most.
"""

import django_filters
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import outbox
from .lists import Column, GdsDateFilter, ListSpec
from .models import Agency, EmailPreference, Notification, NotificationKind, User


def recipients(*, people=(), agency: Agency | None = None, perm: str | None = None) -> list[User]:
    """The active people named, and the active members of ``agency`` (only those whose role holds ``perm``)."""
    found = {person.pk: person for person in people if person is not None and person.is_active}
    if agency is not None:
        members = User.objects.filter(agency=agency, is_active=True)
        if perm is not None:
            app_label, codename = perm.split(".")
            holds = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            members = members.filter(Q(groups__permissions__in=holds) | Q(user_permissions__in=holds)).distinct()
        found.update({person.pk: person for person in members})
    return list(found.values())


def email_body(kinds: list[str], url: str | None = None) -> str:
    base = settings.SITE_URL.rstrip("/")
    lines = [f"- {NotificationKind(kind).label}" for kind in kinds]
    where = f"{base}{url}" if url else f"{base}/notifications/"
    return ("There is something new for you in the extra-familial harm service:\n\n" + "\n".join(lines)
            + f"\n\nSign in to see it: {where}\n\nYou can choose how often we email you on your notifications page.")


@transaction.atomic
def notify(*, kind: str, title: str, url: str, people=(), agency: Agency | None = None, perm: str | None = None,
           required: bool = False, emailed: bool = False, about=None,
           about_agency: Agency | None = None) -> list[Notification]:
    """Tell the people named and/or ``agency``'s members (holding ``perm``) that ``title`` happened, at ``url``.

    ``emailed``: the caller has emailed them already (a reminder): the notification is only for the list.
    ``about``: the record this is about, when it is addressed to an agency (``agency``, or ``about_agency`` where only
    some of its people are told): the agency's partner systems subscribed to this kind are told too, thinly
    (safeguarding.webhooks), even when no person is."""
    from . import webhooks
    from .tasks import email_send

    kind = NotificationKind(kind)
    now = timezone.now()
    made = Notification.objects.bulk_create([
        Notification(recipient=person, kind=kind, title=title[:300], url=url, required=required, created_at=now,
                     emailed_at=now if emailed else None)
        for person in recipients(people=people, agency=agency, perm=perm)])
    straight_away = [] if emailed else [n for n in made if n.recipient.email and (
        required or n.recipient.email_notifications == EmailPreference.IMMEDIATELY)]
    for note in straight_away:
        outbox.enqueue(email_send, f"{kind.label}: extra-familial harm service", email_body([kind], url),
                       [note.recipient.email], key=f"notification:{note.pk}")
    if straight_away:
        Notification.objects.filter(pk__in=[n.pk for n in straight_away]).update(emailed_at=now)
    addressed = about_agency or agency
    if about is not None and addressed is not None and kind in webhooks.EVENT_OF_NOTIFICATION:
        webhooks.emit(webhooks.EVENT_OF_NOTIFICATION[kind], agency=addressed, record=about)
    return made


def digest_send(limit: int = 1000) -> int:
    """One email to each person who chose a daily email, listing the kinds of what is new for them (not yet emailed,
    not yet read), which is then marked emailed. Returns how many emails were queued; running it again sends none.

    Each person is done in a transaction of their own, their rows locked, so two runs at once send one email."""
    from .tasks import email_send

    waiting = Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True,
                                          recipient__email_notifications=EmailPreference.DAILY,
                                          recipient__is_active=True).exclude(recipient__email="")
    sent = 0
    for person_id in waiting.values_list("recipient_id", flat=True).distinct().order_by("recipient_id")[:limit]:
        with transaction.atomic():
            rows = list(waiting.filter(recipient_id=person_id).select_for_update(of=("self",))
                        .select_related("recipient").order_by("created_at", "id"))
            if not rows:  # another run took them meanwhile
                continue
            kinds = list(dict.fromkeys(row.kind for row in rows))
            last = max(row.pk for row in rows)
            outbox.enqueue(email_send, "What is new for you: extra-familial harm service", email_body(kinds),
                           [rows[0].recipient.email], key=f"notification-digest:{person_id}:{last}")
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
            sent += 1
    return sent



# --- The notifications list (safeguarding.lists) ------------------------------------------------------------------

class NotificationFilter(django_filters.FilterSet):
    """The notifications page: unread only (``show=unread``, as before), kind, and when they came."""

    show = django_filters.ChoiceFilter(choices=[("unread", "Unread only")], method="unread", label="Show",
                                       empty_label="All")
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label="Kind", empty_label="Any kind")
    since = GdsDateFilter(field_name="created_at", lookup_expr="date__gte", label="Since",
                          help_text="For example, 1 9 2026")

    def unread(self, rows, name, value):
        return rows.filter(read_at__isnull=True)


NOTIFICATIONS = ListSpec(filterset=NotificationFilter, default_sort="-created", noun="notification", tie=("-id",),
                         columns=[Column("created", "When", ("created_at",), first="descending")])
