"""The kernel's Celery tasks: used by every app. They take ids or plain values and can safely run twice."""

import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import access, notifications, outbox, reminders, services, subject_access, webhooks
from .models import UserSession


@shared_task
def sessions_clear_expired() -> int:
    """Remove expired sessions (Django keeps them until asked). Idempotent."""
    deleted, _ = UserSession.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, retry_backoff_max=3600,
             retry_jitter=True, max_retries=8)
def email_send(subject: str, body: str, to: list[str]):
    """Send one email. A mail server that is down is retried with back-off; the page or job that asked never
    waits. Queue it with ``outbox.enqueue`` from inside a transaction, so nothing is sent for what rolled back and
    nothing is lost while the broker is down."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, retry_backoff_max=3600,
             retry_jitter=True, max_retries=8)
def invitation_send(user_id: int) -> bool:
    """Email an invited person their link (made now, never stored). Nothing is sent once they have accepted."""
    from . import invitations
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=False).first()
    if user is None or user.has_usable_password() or not user.email:
        return False
    subject, body = invitations.email(user)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


@shared_task
def reminders_daily() -> dict:
    """Every app's registered reminders (``safeguarding.reminders``), as the system actor. Idempotent in a day."""
    return reminders.run_all(actor=access.system(reminders.ACTOR))


@shared_task
def notifications_digest() -> int:
    """The daily email to each person who chose one (``safeguarding.notifications.digest_send``). Idempotent: what
    a digest listed is marked emailed in the same transaction, so a second run sends nothing."""
    return notifications.digest_send()


@shared_task
def outbox_sweep() -> int:
    """Hand the broker every job the outbox still holds (safeguarding.outbox). Run by beat every minute."""
    return outbox.sweep()


@shared_task
def webhooks_purge() -> int:
    """Finished webhook deliveries past ``WEBHOOKS_LOG_DAYS`` leave the log (safeguarding.webhooks.purge). Daily."""
    return webhooks.purge()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def webhook_deliver(delivery_id: int, attempt: int) -> str:
    """One attempt at one webhook delivery (safeguarding.webhooks.attempt): on failure it queues the next through
    the outbox, with back-off. Idempotent: an attempt already made, or a delivery finished, does nothing."""
    return webhooks.attempt(delivery_id, attempt)


@shared_task
def retention_daily() -> dict:
    """List every record past its retention date into its agency's queue (safeguarding.retention), as the system
    actor. Idempotent: a record already listed is not listed again."""
    return services.retention_list_due(actor=access.system("retention"))


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=10 * 60, time_limit=10 * 60 + 30)
def subject_access_build(request_id: int):
    """Make a subject access export's JSON and PDF (safeguarding.subject_access). Idempotent: an export already
    built or signed off is left as it is."""
    try:
        request = subject_access.build(request_id)
    except SoftTimeLimitExceeded:
        subject_access.fail(request_id, "It took too long to make. Try again, or ask an administrator.")
        return None
    except Exception as exc:
        subject_access.fail(request_id, f"The export could not be made ({type(exc).__name__}). Try again.")
        raise
    return request.status if request else None
