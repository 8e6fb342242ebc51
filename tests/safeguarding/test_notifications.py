"""The kernel's notifications: who is told, what is emailed and when, and that a list is its owner's alone."""

import pytest
from django.db import transaction

from safeguarding import access, notifications
from safeguarding.models import EmailPreference, Notification, NotificationKind, OutboxJob
from safeguarding.roles import Perm

pytestmark = pytest.mark.django_db(transaction=True)


def _emails():
    return list(OutboxJob.objects.filter(task="safeguarding.tasks.email_send").order_by("pk"))


def test_named_people_and_an_agency_members_holding_a_permission_are_told(alice, mandy, colin, pete):
    with transaction.atomic():
        made = notifications.notify(kind=NotificationKind.REFERRAL_RECEIVED, title="Referral about J. Doe",
                                    url="/front-door/", people=[pete], agency=alice.agency, perm=Perm.CLOSE_CASE)
    assert {n.recipient for n in made} == {pete, mandy}  # alice and colin's roles cannot close cases
    emails = _emails()
    assert sorted(job.args[2][0] for job in emails) == [mandy.email, pete.email]
    subject, body = emails[0].args[0], emails[0].args[1]
    assert "J. Doe" not in subject + body  # the title may name a young person: never emailed
    assert "/front-door/" in body and subject.startswith("Referral received")


def test_preferences_daily_and_off_are_not_emailed_straight_away_unless_required(alice, mandy, pete):
    mandy.email_notifications = EmailPreference.DAILY
    pete.email_notifications = EmailPreference.OFF
    mandy.save(update_fields=["email_notifications"])
    pete.save(update_fields=["email_notifications"])
    with transaction.atomic():
        notifications.notify(kind=NotificationKind.SHARED, title="A case", url="/cases/1/", people=[mandy, pete])
    assert _emails() == []
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    with transaction.atomic():
        notifications.notify(kind=NotificationKind.REFERRAL_DECIDED, title="Decided", url="/referrals/1/",
                             people=[pete], required=True)
    assert [job.args[2] for job in _emails()] == [[pete.email]]


def test_nothing_is_told_or_emailed_for_a_change_that_rolled_back(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(kind=NotificationKind.SHARED, title="A case", url="/cases/1/", people=[alice])
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists() and _emails() == []


def test_inactive_people_are_not_told(alice, mandy):
    mandy.is_active = False
    mandy.save(update_fields=["is_active"])
    with transaction.atomic():
        made = notifications.notify(kind=NotificationKind.SHARED, title="A case", url="/c/", agency=alice.agency)
    assert mandy not in {n.recipient for n in made} and alice in {n.recipient for n in made}


def test_a_list_is_its_owners_alone(alice, mandy):
    with transaction.atomic():
        notifications.notify(kind=NotificationKind.SHARED, title="A case", url="/c/", people=[alice, mandy])
    assert [n.recipient for n in access.visible(alice, Notification.objects.all())] == [alice]
