from celery import shared_task
from django.utils import timezone

from .models import UserSession


@shared_task
def sessions_clear_expired() -> int:
    """Remove expired sessions (Django keeps them until asked). Idempotent."""
    deleted, _ = UserSession.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
