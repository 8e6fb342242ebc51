"""The read replica: heavy reads that build documents (panel packs, and later reports) go to a streaming replica of
the database, so they never compete with practitioners' pages on the primary.

Nothing goes there by accident. Every query uses the primary unless it runs inside ``replica_reads()``, and even
then only when a replica is configured (``REPLICA_DATABASE_URL``) and it has replayed everything the primary had
committed when the block began: a pack is never built from grants or an agenda older than the request for it. A
replica further behind than ``REPLICA_WAIT_SECONDS``, or one that cannot be reached, is not waited for: the block
reads from the primary instead.
Writes always go to the primary, even for a record that was read from the replica.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)
log = logging.getLogger(__name__)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading_replica.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica is changed only by replication


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _replayed(position: str) -> bool:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
        return cursor.fetchone()[0]


def replica_caught_up(timeout: float | None = None) -> bool:
    """Whether the replica has replayed everything committed on the primary until now, waiting up to ``timeout``
    seconds for it. A database that is not in recovery (the primary itself, as in tests) is always caught up."""
    timeout = settings.REPLICA_WAIT_SECONDS if timeout is None else timeout
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        position = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while not _replayed(position):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


@contextmanager
def replica_reads():
    """Route the reads inside the block to the replica when there is one, it is up to date, and the block is not
    inside a transaction on the primary; yields whether it did. Not for anything that reads in order to write (a
    read followed by an update belongs on the primary)."""
    use = False
    # Inside a transaction on the primary, its own uncommitted writes are visible only there: read them there.
    if replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        try:
            use = replica_caught_up()
        except DatabaseError:
            log.warning("The read replica cannot be reached: reading from the primary.", exc_info=True)
        else:
            if not use:
                log.warning("The read replica is more than %s s behind: reading from the primary.",
                            settings.REPLICA_WAIT_SECONDS)
    token = _reading_replica.set(use)
    try:
        yield use
    finally:
        _reading_replica.reset(token)
