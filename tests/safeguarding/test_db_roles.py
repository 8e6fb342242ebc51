"""Least privilege: the tests connect as the app's real role, which owns nothing and may only INSERT and SELECT the
audit log and the change-history tables, whatever it tries from its own session."""

import io

import pghistory.models
import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from cases.models import Case
from safeguarding import audit, dbroles
from safeguarding.models import AuditAction, AuditEvent

AUDIT = AuditEvent._meta.db_table
HISTORY = apps.get_model("cases", "CaseEvent")._meta.db_table
KEY = {AUDIT: "id", HISTORY: "pgh_id"}


def query(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def refused(statement, *, before=None):
    """``statement`` fails for the app role, in a savepoint of its own (the test's transaction goes on)."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        if before:
            cursor.execute(before)
        cursor.execute(statement)


def test_the_tests_connect_as_the_app_role_which_owns_nothing(db):
    [(user, superuser, createdb, createrole, members)] = query(
        "SELECT current_user, r.rolsuper, r.rolcreatedb, r.rolcreaterole, "
        "(SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid) "
        "FROM pg_roles r WHERE r.rolname = current_user")
    assert user == dbroles.app_role() and dbroles.roles_configured(), "run the tests with DATABASE_OWNER_URL set"
    assert (superuser, createdb, createrole, members) == (False, False, False, 0)
    assert query("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
                 [user]) == [(0,)]
    refused("CREATE TABLE public.mine (id int)")


def test_every_history_table_and_the_audit_log_are_append_only_for_the_app_role(db):
    history = {m._meta.db_table for m in apps.get_models() if issubclass(m, pghistory.models.Event)
               and m._meta.managed and not m._meta.proxy}
    ending = {name for (name,) in query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                        "AND tablename LIKE '%%event'")}
    assert HISTORY in history and AUDIT in ending and history <= ending
    assert set(dbroles.append_only_tables()) == history | {AUDIT}
    for table in ending:
        assert query("SELECT has_table_privilege(current_user, %s, 'SELECT, INSERT'), "
                     "has_table_privilege(current_user, %s, 'UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')",
                     [table, table]) == [(True, False)], table
    # Domain tables are read and changed as usual; Django's record of migrations is only read.
    assert query("SELECT has_table_privilege(current_user, 'cases_case', 'SELECT, INSERT, UPDATE, DELETE'), "
                 "has_table_privilege(current_user, 'cases_case', 'TRUNCATE'), "
                 "has_table_privilege(current_user, 'django_migrations', 'INSERT')") == [(True, False, False)]


@pytest.mark.parametrize("table", [AUDIT, HISTORY])
def test_the_app_role_cannot_change_remove_or_unprotect_rows(table, alice, case):
    audit.record(actor=alice, action=AuditAction.VIEW, target=case)  # INSERT works (history: the case's own)
    [(rows,)] = query(f"SELECT count(*) FROM {table}")  # noqa: S608 (a constant)
    assert rows >= 1  # SELECT works
    [(triggers,)] = query("SELECT string_agg(tgname, ',') FROM pg_trigger WHERE tgrelid = %s::regclass "
                          "AND NOT tgisinternal", [table])
    ignore, key = f"SET pgtrigger.ignore = '{{{triggers}}}'", KEY[table]
    for statement, before in [
        (f"UPDATE {table} SET {key} = {key}", None),  # noqa: S608 (constants)
        (f"DELETE FROM {table}", None),  # noqa: S608 (constants)
        (f"TRUNCATE {table}", None),
        (f"TRUNCATE {table} CASCADE", None),
        (f"ALTER TABLE {table} DISABLE TRIGGER USER", None),
        (f"ALTER TABLE {table} DISABLE TRIGGER ALL", None),
        ("SET session_replication_role = replica", None),
        (f"UPDATE {table} SET {key} = {key}", ignore),  # noqa: S608 (constants)
        (f"DELETE FROM {table}", ignore),  # noqa: S608 (constants)
        (f"UPDATE {table} SET {key} = {key}", "SET LOCAL session_replication_role = replica"),  # noqa: S608
    ]:
        refused(statement, before=before)
    assert query(f"SELECT count(*) FROM {table}") == [(rows,)]  # noqa: S608 (a constant)
    assert query("SHOW session_replication_role") == [("origin",)]
    # Still writing: a new audit row and a new history row.
    Case.objects.filter(pk=case.pk).update(closure_note="Updated")  # a domain table takes UPDATE
    audit.record(actor=alice, action=AuditAction.VIEW, target=case)
    assert AuditEvent.objects.count() >= 2


def owner_connection() -> psycopg.Connection:
    """A connection as the owner role (DATABASE_OWNER_URL) to the test database, outside the app's."""
    owner = dbroles.owner_credentials()
    return psycopg.connect(dbname=connection.settings_dict["NAME"], user=owner["USER"],
                           password=owner["PASSWORD"] or None, host=owner["HOST"] or None, port=owner["PORT"] or None)


@pytest.mark.django_db(transaction=True)
def test_the_owner_cannot_truncate_the_audit_log_while_its_trigger_is_on(alice):
    audit.record(actor=alice, action=AuditAction.LOGIN)
    rows = AuditEvent.objects.count()
    with owner_connection() as owner, pytest.raises(psycopg.errors.RaiseException, match="Cannot truncate"):
        owner.execute(f"TRUNCATE {AUDIT} CASCADE")
    assert AuditEvent.objects.count() == rows


@pytest.mark.django_db(transaction=True)
def test_db_roles_runs_again_and_changes_nothing(alice):
    app = dbroles.app_role()
    assert app.endswith("_app")
    grants = "SELECT relname::text, relacl::text FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1"
    before = query(grants)
    out = io.StringIO()
    call_command("db_roles", prefix=app.removesuffix("_app"), owner_createdb=True, stdout=out)
    assert "Roles ready" in out.getvalue() and "(0 objects handed over)" in out.getvalue()
    assert query(grants) == before
    test_the_tests_connect_as_the_app_role_which_owns_nothing(None)
