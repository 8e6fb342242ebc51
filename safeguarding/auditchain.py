"""The audit log's hash chain: each row carries sha256(previous row's chain_hash + the row's content, canonical).

The hash is computed in the database, by a BEFORE INSERT trigger (``TRIGGER_SQL``), rather than in ``audit._write``:
every way a row can be inserted (the app, the admin, raw SQL, a bulk insert) is chained, and the app role cannot
choose a row's hash. The trigger has no pgtrigger ``ignore`` hook, so no session can skip it.

Concurrent writers cannot fork the chain: the trigger takes a transaction-level advisory lock and links the row to
the row with the highest id; if that row's id is higher than this one's (a writer that got its id later took the
lock first), the row takes a new id from the sequence, so id order is always chain order. The lock is held until
the writer's transaction ends, so the next writer sees the row it links to.
The price: transactions that write an audit row are serialised from that write to their commit (audit rows are
written last in a service, or in a transaction of their own for page views). Under REPEATABLE READ or SERIALIZABLE
a writer could miss a row committed after its snapshot, so the trigger refuses those isolation levels.

An operator may remove the oldest rows at the end of their retention period (``manage.py audit_prune``, as the
owner): the last removed row's id and hash are kept (``AuditChainStart``) and ``verify`` starts from there.

``verify`` walks the chain in id order, recomputing each hash in Python from the row's canonical form (read with
``canonical_sql``, the same expression the trigger uses) and the previous row's stored hash. An owner who changes a
row's content breaks the link at that row; one who deletes a row breaks it at the row after. One who rewrites every
hash after a change is caught only against a head hash recorded elsewhere (``audit_verify --anchor ID:HASH``).

Changing ``canonical_sql`` changes every row's hash: it would need a new chain (and this module's version) together
with a migration re-chaining the rows.
"""

import hashlib
from dataclasses import dataclass

from django.db import connection

TABLE = "safeguarding_auditevent"
GENESIS = "0" * 64
LOCK_KEY = 7_240_318_550_131  # pg_advisory_xact_lock key of the audit chain (any fixed bigint)


def canonical_sql(row: str) -> str:
    """The canonical text of an audit row (a JSON array of its columns; UTC time with microseconds)."""
    return (
        f"jsonb_build_array({row}.id, to_char({row}.occurred_at AT TIME ZONE 'UTC', "
        f"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), {row}.actor_id, {row}.actor_username, {row}.agency_id, "
        f"{row}.action, {row}.target_type_id, {row}.target_id, {row}.target_label, {row}.ip_address::text, "
        f"{row}.user_agent, {row}.request_id, {row}.detail)::text"
    )


def link(previous: str, canonical: str) -> str:
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION {TABLE}_chain() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    previous text;
    last_id bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit rows are written at READ COMMITTED only (the hash chain needs to see the last row)';
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT a.id, a.chain_hash INTO last_id, previous FROM public.{TABLE} a ORDER BY a.id DESC LIMIT 1;
    IF NEW.id <= last_id THEN  -- a writer with a later id went first: this row follows it, with a new id
        NEW.id := nextval(pg_get_serial_sequence('public.{TABLE}', 'id'));
    END IF;
    NEW.chain_hash := encode(sha256(convert_to(coalesce(previous, '{GENESIS}') || {canonical_sql("NEW")},
                                               'UTF8')), 'hex');
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS {TABLE}_chain ON {TABLE};
CREATE TRIGGER {TABLE}_chain BEFORE INSERT ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {TABLE}_chain();
"""  # noqa: S608 (this module's constants only)

DROP_TRIGGER_SQL = f"DROP TRIGGER IF EXISTS {TABLE}_chain ON {TABLE}; DROP FUNCTION IF EXISTS {TABLE}_chain();"

# Rows written before the chain existed are chained once, in id order (as the owner, the append-only trigger off).
BACKFILL_SQL = f"""
ALTER TABLE {TABLE} DISABLE TRIGGER USER;
DO $$
DECLARE
    r record;
    previous text := '{GENESIS}';
BEGIN
    FOR r IN SELECT a.id, {canonical_sql("a")} AS canonical FROM {TABLE} a ORDER BY a.id LOOP
        previous := encode(sha256(convert_to(previous || r.canonical, 'UTF8')), 'hex');
        UPDATE {TABLE} SET chain_hash = previous WHERE id = r.id;
    END LOOP;
END
$$;
ALTER TABLE {TABLE} ENABLE TRIGGER USER;
"""  # noqa: S608 (this module's constants only)


@dataclass
class Result:
    rows: int
    head_id: int | None = None
    head_hash: str = GENESIS
    broken_id: int | None = None
    broken_at: object = None
    after_id: int | None = None
    anchor_problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None and not self.anchor_problem


def start(using=None) -> tuple[int, str]:
    """Where the chain starts: after the last row an operator pruned (``audit_prune``), or at the beginning."""
    conn = connection if using is None else using
    with conn.cursor() as cursor:
        cursor.execute("SELECT after_id, after_hash FROM safeguarding_auditchainstart ORDER BY after_id DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def verify(batch: int = 5000, anchor: tuple[int, str] | None = None, using=None, upto: int | None = None) -> Result:
    """Walk the chain from its start (the first row, or the first kept after a prune); stop at the first row whose
    hash does not follow from the one before. ``upto``: stop after that row."""
    conn = connection if using is None else using
    result = Result(rows=0)
    last_id, previous = start(using)
    anchor_seen = False
    if anchor and anchor[0] <= last_id:  # a row since pruned by an operator: only the chain's start can be checked
        anchor_seen = True
        if anchor[0] == last_id and anchor[1] != previous:
            result.anchor_problem = f"row {anchor[0]}, where the chain now starts, no longer has the hash recorded"
    sql = (f"SELECT a.id, a.occurred_at, a.chain_hash, {canonical_sql('a')} FROM {TABLE} a "  # noqa: S608
           "WHERE a.id > %s AND a.id <= %s ORDER BY a.id LIMIT %s")
    with conn.cursor() as cursor:
        while True:
            cursor.execute(sql, [last_id, upto if upto is not None else 2**63 - 1, batch])
            rows = cursor.fetchall()
            if not rows:
                break
            for row_id, occurred_at, stored, canonical in rows:
                if link(previous, canonical) != stored:
                    result.broken_id, result.broken_at = row_id, occurred_at
                    result.after_id = last_id or None
                    return result
                if anchor and row_id == anchor[0]:
                    anchor_seen = True
                    if stored != anchor[1]:
                        result.anchor_problem = f"row {row_id} no longer has the hash recorded for it"
                result.rows += 1
                previous, last_id = stored, row_id
                result.head_id, result.head_hash = row_id, stored
    if anchor and not anchor_seen and not result.anchor_problem:
        result.anchor_problem = f"row {anchor[0]}, recorded as a link of the chain, is missing"
    return result
