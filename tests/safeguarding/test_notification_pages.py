"""A person's notifications: the list, opening one, marking all read, the header's count, the email preference, and
the daily digest (on a real worker and broker). A list is its owner's alone: anyone else's is not found."""

import re
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding import celery_app, notifications, services
from safeguarding.models import AuditAction, AuditEvent, EmailPreference, Notification, NotificationKind, OutboxJob
from safeguarding.tasks import notifications_digest

from ..conftest import assert_queries, client_for, wait_for

pytestmark = pytest.mark.django_db


def _tell(person, n=1, *, kind=NotificationKind.SHARED, title="Case EFH-1 shared with your agency", url="/cases/1/"):
    with transaction.atomic():
        made = []
        for i in range(n):
            made += notifications.notify(kind=kind, title=f"{title} {i}" if n > 1 else title, url=url,
                                         people=[person])
    return made


def _prefer(person, preference):
    person.email_notifications = preference
    person.save(update_fields=["email_notifications"])


# --- The list --------------------------------------------------------------------------------------------------

def test_it_lists_a_persons_notifications_newest_first_with_unread_marked(client, alice, pete):
    old = _tell(pete, title="Place Cobblewick shared with your agency")[0]
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2),
                                                  read_at=timezone.now())
    _tell(pete, title="Case EFH-2 shared with your agency")
    _tell(alice, title="Alice's own news")
    page = client_for(client, pete).get(reverse("notifications")).content.decode()
    assert page.index("Case EFH-2") < page.index("Place Cobblewick")
    assert page.count(">Unread<") == 1
    assert "Alice's own news" not in page
    assert reverse("notification-preference") in page


def test_it_filters_to_unread_and_pages(client, pete):
    _tell(pete, 30, title="Shared")
    first = Notification.objects.filter(recipient=pete).order_by("created_at", "id").first()
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    client_for(client, pete)
    everything = client.get(reverse("notifications"))
    assert everything.context["list"].total == 30 and len(everything.context["list"].page.object_list) == 25
    assert "Showing 1–25 of 30 notifications" in everything.content.decode()
    unread = client.get(reverse("notifications") + "?show=unread")
    assert unread.context["list"].total == 29
    assert "Showing 26–29 of 29" in client.get(reverse("notifications"), {"show": "unread", "page": 2}).content.decode()
    kinds = client.get(reverse("notifications"), {"kind": "nonsense", "page": "abc"})
    assert kinds.status_code == 400 and "There is a problem" in kinds.content.decode()


def test_opening_one_marks_it_read_and_goes_to_its_address(client, pete):
    note = _tell(pete, url="/cases/42/")[0]
    response = client_for(client, pete).post(reverse("notification-open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/cases/42/"
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert AuditEvent.objects.filter(actor=pete, action=AuditAction.UPDATE, target_id=str(note.pk)).exists()


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_opening_one_never_leaves_the_service(client, pete, url):
    note = _tell(pete, url=url)[0]
    response = client_for(client, pete).post(reverse("notification-open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")


def test_opening_needs_a_post(client, pete):
    note = _tell(pete)[0]
    assert client_for(client, pete).get(reverse("notification-open", args=[note.pk])).status_code == 405
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_anyone_elses_notification_is_not_found_and_stays_unread(client, pete, oscar, alice):
    note = _tell(pete)[0]
    for other in (oscar, alice):
        assert client_for(client, other).post(reverse("notification-open", args=[note.pk])).status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None
    assert client_for(client, oscar).post(reverse("notification-open", args=[987654])).status_code == 404


def test_mark_all_as_read_marks_only_ones_own(client, alice, pete):
    _tell(pete, 3)
    _tell(alice, 2)
    response = client_for(client, pete).post(reverse("notifications-read-all"), follow=True)
    assert "3 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=pete, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 2


def test_the_header_count_is_loaded_after_the_page_and_read_out_sensibly(client, pete):
    client_for(client, pete)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'hx-get="{reverse("notifications-count")}"' in page
    assert "none unread" in client.get(reverse("notifications-count")).content.decode()
    _tell(pete, 3)
    count = client.get(reverse("notifications-count")).content.decode()
    assert ">3<span class=\"govuk-visually-hidden\"> unread</span>" in count
    assert f'href="{reverse("notifications")}"' in count


# --- The email preference --------------------------------------------------------------------------------------

def test_a_person_chooses_how_often_they_are_emailed(client, pete):
    client_for(client, pete)
    page = client.get(reverse("notification-preference")).content.decode()
    assert "whatever you choose" in page
    assert re.search(r'value="immediately"[^>]*checked', page)
    response = client.post(reverse("notification-preference"), {"preference": "daily"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    pete.refresh_from_db()
    assert pete.email_notifications == EmailPreference.DAILY
    event = AuditEvent.objects.filter(actor=pete, action=AuditAction.UPDATE, target_id=str(pete.pk)).latest("pk")
    assert event.detail == {"email_notifications": "daily", "was": "immediately"}


def test_a_preference_that_is_not_one_of_the_choices_is_refused(client, pete):
    response = client_for(client, pete).post(reverse("notification-preference"), {"preference": "hourly"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    pete.refresh_from_db()
    assert pete.email_notifications == EmailPreference.IMMEDIATELY


# --- The daily digest -----------------------------------------------------------------------------------------

def _digests():
    return list(OutboxJob.objects.filter(task="safeguarding.tasks.email_send", key__startswith="notification-digest"))


def test_the_digest_lists_kinds_never_titles_and_sends_once(alice, mandy, pete):
    _prefer(pete, EmailPreference.DAILY)
    _prefer(mandy, EmailPreference.DAILY)
    _tell(pete, title="Case about Jayden Okafor")
    _tell(pete, kind=NotificationKind.ACTION_ASSIGNED, title="Action for you: see Jayden")
    read = _tell(mandy)[0]
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())  # read already: nothing to tell her
    _tell(alice)  # straight away: emailed already, never in a digest
    assert notifications.digest_send() == 1
    (job,) = _digests()
    subject, body, to = job.args
    assert to == [pete.email] and "Jayden" not in subject + body
    assert "Shared with your agency" in body and "Action assigned" in body
    assert not Notification.objects.filter(recipient=pete, emailed_at__isnull=True).exists()
    assert notifications.digest_send() == 0 and len(_digests()) == 1  # running again sends nothing
    _tell(pete, title="Something newer")
    assert notifications.digest_send() == 1 and len(_digests()) == 2  # tomorrow's digest: only what is new


def test_nobody_who_chose_off_or_has_no_address_gets_a_digest(pete, sam):
    _prefer(pete, EmailPreference.OFF)
    _prefer(sam, EmailPreference.DAILY)
    sam.email = ""
    sam.save(update_fields=["email"])
    _tell(pete)
    _tell(sam)
    assert notifications.digest_send() == 0 and _digests() == []


@pytest.mark.django_db(transaction=True)
def test_the_digest_on_a_real_worker_sends_one_email_however_often_it_runs(broker, pete, sam):
    _prefer(pete, EmailPreference.DAILY)
    _tell(pete, 2)
    _tell(sam)  # straight away (its email is on the queue too)
    mail.outbox.clear()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        notifications_digest.delay()
        assert wait_for(lambda: any(m.to == [pete.email] for m in mail.outbox), seconds=30)
        notifications_digest.delay()  # run again the same day
        assert wait_for(lambda: not broker.llen("celery"), seconds=30)
        assert wait_for(lambda: not OutboxJob.objects.filter(done_at__isnull=True).exists(), seconds=30)
    digests = [m for m in mail.outbox if m.to == [pete.email]]
    assert len(digests) == 1 and digests[0].subject == "What is new for you: extra-familial harm service"
    assert "Case EFH-1" not in digests[0].body


def test_beat_runs_the_digest_daily():
    entry = celery_app.conf.beat_schedule["notifications-digest"]
    assert entry["task"] == "safeguarding.tasks.notifications_digest"
    assert "safeguarding.tasks.notifications_digest" in celery_app.tasks


# --- Services, as anyone but the recipient --------------------------------------------------------------------

def test_the_services_refuse_whoever_is_not_the_recipient(pete, oscar):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from safeguarding import access

    note = _tell(pete)[0]
    with pytest.raises(Http404):
        services.notification_read(actor=oscar, notification=note)
    with pytest.raises(PermissionDenied):
        services.notification_preference_set(actor=access.system("tests"), preference="off")
    assert services.notifications_read_all(actor=oscar) == 0
    assert Notification.objects.get(pk=note.pk).read_at is None


# --- Query counts ----------------------------------------------------------------------------------------------

PINNED = {
    "list": [
        "session",
        "user and agency",
        "count of the reader's notifications (capped at 10,001)",
        "role permissions",
        "a page of them (25)",
    ],
    "count": [
        "session",
        "user and agency",
        "count of the reader's unread notifications",
    ],
    "preference": [
        "session",
        "user and agency",
        "role permissions",
    ],
}


@pytest.mark.parametrize("size", [5, 60])
def test_the_pages_make_the_same_queries_however_many_notifications(client, pete, size):
    _tell(pete, size)
    assert_queries(client, pete, reverse("notifications"), PINNED["list"])
    assert_queries(client, pete, reverse("notifications") + "?show=unread&page=2", PINNED["list"])
    assert_queries(client, pete, reverse("notifications-count"), PINNED["count"])
    assert_queries(client, pete, reverse("notification-preference"), PINNED["preference"])
