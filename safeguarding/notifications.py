"""Telling people: an in-app list of what they should know, emailed as each person prefers.

Apps call ``notify`` from inside the service that made the change, so a notification exists only for what was
saved, and its email goes through the outbox (sent once the change commits; a broker or mail server that is down
delays it, never loses it). A person chooses to be emailed straight away, once a day, or never
(``User.email_notifications``); what the service must tell them (``required``) is emailed straight away whatever
they chose. An email never carries the title, which may name a young person: only what kind of thing happened and
where to look.
"""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import outbox
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
           required: bool = False) -> list[Notification]:
    """Tell the people named and/or ``agency``'s members (holding ``perm``) that ``title`` happened, at ``url``."""
    from .tasks import email_send

    kind = NotificationKind(kind)
    now = timezone.now()
    made = Notification.objects.bulk_create([
        Notification(recipient=person, kind=kind, title=title[:300], url=url, required=required, created_at=now)
        for person in recipients(people=people, agency=agency, perm=perm)])
    straight_away = [n for n in made if n.recipient.email and (
        required or n.recipient.email_notifications == EmailPreference.IMMEDIATELY)]
    for note in straight_away:
        outbox.enqueue(email_send, f"{kind.label}: extra-familial harm service", email_body([kind], url),
                       [note.recipient.email], key=f"notification:{note.pk}")
    if straight_away:
        Notification.objects.filter(pk__in=[n.pk for n in straight_away]).update(emailed_at=now)
    return made
