"""Tamper evidence: every audit row is hash-chained to the one before, and ``audit_verify`` finds the first broken
link when the owner (who alone can get past the append-only rule) changes or removes a row."""

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from safeguarding import audit, auditchain
from safeguarding.models import AuditAction, AuditEvent

from .test_db_roles import owner_connection


def verify(*args) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def write(actor, n, **detail):
    return [audit.record(actor=actor, action=AuditAction.VIEW, target=actor, detail={"i": i, **detail})
            for i in range(n)]


def test_each_row_is_chained_to_the_one_before(alice):
    assert "chain intact" in verify()
    write(alice, 3, note="naïve — “quoted” \\ 'x'")
    rows = list(AuditEvent.objects.order_by("id"))
    assert len({row.chain_hash for row in rows}) == len(rows) and all(len(row.chain_hash) == 64 for row in rows)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {auditchain.canonical_sql('a')} FROM {auditchain.TABLE} a ORDER BY a.id")  # noqa: S608
        canonical = [text for (text,) in cursor.fetchall()]
    previous = auditchain.GENESIS
    for row, text in zip(rows, canonical, strict=True):
        assert row.chain_hash == auditchain.link(previous, text)
        previous = row.chain_hash
    assert f"{len(rows)} rows, chain intact" in verify()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(alice):
    errors = []

    def writer(k):
        try:
            for i in range(10):
                with transaction.atomic():
                    audit.record(actor=alice, action=AuditAction.VIEW, target=alice, detail={"writer": k, "i": i})
                    audit.record(actor=alice, action=AuditAction.SEARCH, detail={"writer": k, "i": i})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    count = AuditEvent.objects.count()
    assert count >= 80  # alice's creation wrote rows too
    assert f"{count} rows, chain intact" in verify()


def _trigger(owner, name):
    return owner.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s",
                         [auditchain.TABLE, f"pgtrigger_{name}_%"]).fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_audit_verify_finds_a_row_the_owner_changed(alice):
    rows = write(alice, 6)
    changed = rows[3]
    with owner_connection() as owner:  # the owner, with the append-only trigger switched off for its session
        owner.execute(f"SET pgtrigger.ignore = '{{{_trigger(owner, 'append_only')}}}'")
        owner.execute(f"UPDATE {auditchain.TABLE} SET target_label = 'someone else' WHERE id = %s",  # noqa: S608
                      [changed.pk])
    with pytest.raises(CommandError, match=f"Broken link at row {changed.pk} ") as broken:
        verify()
    assert f"does not follow from row {rows[2].pk}" in str(broken.value)
    assert timezone.localtime(changed.occurred_at).strftime("%Y-%m-%d %H:%M:%S") in str(broken.value)


@pytest.mark.django_db(transaction=True)
def test_audit_verify_finds_a_row_the_owner_removed(alice):
    rows = write(alice, 6)
    with owner_connection() as owner:
        owner.execute(f"ALTER TABLE {auditchain.TABLE} DISABLE TRIGGER USER")
        owner.execute(f"DELETE FROM {auditchain.TABLE} WHERE id = %s", [rows[2].pk])  # noqa: S608
        owner.execute(f"ALTER TABLE {auditchain.TABLE} ENABLE TRIGGER USER")
    with pytest.raises(CommandError, match=f"Broken link at row {rows[3].pk} .*follow from row {rows[1].pk}\\."):
        verify()


@pytest.mark.django_db(transaction=True)
def test_a_rewritten_chain_is_caught_against_a_head_recorded_elsewhere(alice):
    write(alice, 4)
    head = verify().splitlines()[-1].split()  # "head: ID HASH"
    anchor = f"{head[1]}:{head[2]}"
    assert "chain intact" in verify("--anchor", anchor)
    # The owner changes an early row and computes every hash after it again: the chain itself is intact ...
    with owner_connection() as owner:
        owner.execute(f"SET pgtrigger.ignore = '{{{_trigger(owner, 'append_only')}}}'")
        first = owner.execute(f"SELECT min(id) FROM {auditchain.TABLE}").fetchone()[0]  # noqa: S608
        owner.execute(f"UPDATE {auditchain.TABLE} SET actor_username = 'nobody' WHERE id = %s", [first])  # noqa: S608
        previous = auditchain.GENESIS
        for row_id, text in owner.execute(
                f"SELECT a.id, {auditchain.canonical_sql('a')} FROM {auditchain.TABLE} a ORDER BY a.id").fetchall():  # noqa: S608
            previous = auditchain.link(previous, text)
            owner.execute(f"UPDATE {auditchain.TABLE} SET chain_hash = %s WHERE id = %s", [previous, row_id])  # noqa: S608
    assert "chain intact" in verify()
    # ... but not the head recorded before.
    with pytest.raises(CommandError, match="no longer has the hash recorded for it"):
        verify("--anchor", anchor)
