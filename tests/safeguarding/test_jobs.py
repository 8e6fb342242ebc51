"""Background jobs run on a real Celery worker against the real Redis broker (no eager mode)."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from safeguarding import celery_app
from safeguarding.models import UserSession as Session
from safeguarding.tasks import sessions_clear_expired

from ..conftest import wait_for


def test_the_worker_is_configured_not_to_lose_work():
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert not conf.task_always_eager


@pytest.mark.django_db(transaction=True)
def test_a_task_is_sent_only_when_its_transaction_commits(broker):
    with transaction.atomic():
        sessions_clear_expired.delay_on_commit()
        assert broker.llen("celery") == 0
    assert broker.llen("celery") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        sessions_clear_expired.delay_on_commit()
        raise RuntimeError("rolled back")
    assert broker.llen("celery") == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_clears_expired_sessions(broker):
    Session.objects.create(session_key="old" * 10, session_data="", expire_date=timezone.now() - timedelta(hours=1))
    Session.objects.create(session_key="new" * 10, session_data="", expire_date=timezone.now() + timedelta(hours=1))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        sessions_clear_expired.delay()
        assert wait_for(lambda: not Session.objects.filter(session_key="old" * 10).exists())
    assert Session.objects.filter(session_key="new" * 10).exists()
