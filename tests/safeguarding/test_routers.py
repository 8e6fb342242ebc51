"""The read replica: only reads inside ``replica_reads()`` go there, never a write, and never a stale replica.

In the tests the replica is a mirror of the test database (a second connection to it), so these prove the routing;
a replica's lag is simulated by asking it to have replayed a WAL position the primary has not reached.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from cases.models import YoungPerson
from safeguarding import routers

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_reads_go_to_the_replica_only_inside_the_block_and_writes_never(person):
    with CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        YoungPerson.objects.get(pk=person.pk)
        assert _reads(replica) == 0
        with routers.replica_reads() as used:
            assert used
            read = YoungPerson.objects.get(pk=person.pk)
            assert read._state.db == "replica" and _reads(replica) == 1
            read.known_as = ["JJ"]
            written_before = len(primary)
            read.save()  # a record read from the replica is still written to the primary
            assert len(primary) > written_before
        assert YoungPerson.objects.get(pk=person.pk).known_as == ["JJ"]
        YoungPerson.objects.get(pk=person.pk)
        assert _reads(replica) == 1


def test_a_replica_that_has_not_caught_up_is_not_used(person, settings, monkeypatch):
    settings.REPLICA_WAIT_SECONDS = 0.3
    assert routers.replica_caught_up()  # the mirror is the primary itself: always up to date
    # The position the replica must reach is read on the primary; one far ahead stands for a replica behind it.
    monkeypatch.setattr(routers, "_replayed", lambda position: _replayed_far_ahead())
    assert not routers.replica_caught_up()
    with CaptureQueriesContext(connections["replica"]) as replica, routers.replica_reads() as used:
        assert not used
        YoungPerson.objects.get(pk=person.pk)
    assert _reads(replica) == 0


def _reads(captured) -> int:
    return sum("cases_youngperson" in q["sql"] for q in captured.captured_queries)


def _replayed_far_ahead() -> bool:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT NOT pg_is_in_recovery() AND pg_current_wal_lsn() >= 'FFFFFFFF/FFFFFFFF'::pg_lsn")
        return cursor.fetchone()[0]


def test_nothing_is_ever_migrated_on_the_replica():
    router = routers.ReplicaRouter()
    assert router.allow_migrate("default", "cases") and not router.allow_migrate("replica", "cases")


def test_a_replica_that_cannot_be_reached_is_not_used(person, monkeypatch):
    replica = connections["replica"]
    replica.close()
    monkeypatch.setitem(replica.settings_dict, "PORT", "1")  # nothing listens there
    with routers.replica_reads() as used:
        assert not used
        assert YoungPerson.objects.get(pk=person.pk)._state.db == "default"
    replica.close()
