from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def sessions_clear_expired() -> int:
    """Remove expired sessions (Django keeps them until asked). Idempotent."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
