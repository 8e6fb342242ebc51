"""Least privilege in the database: an owner role that owns the schema (migrations run as it) and an app role that
owns nothing (the web server, the workers and the tests connect as it).

The app role may read and change the domain tables, but only INSERT and SELECT the audit log and every
django-pghistory event table: it cannot UPDATE, DELETE or TRUNCATE them, ALTER them (to switch a trigger off), or set
``session_replication_role`` (superusers only). Switching a pgtrigger trigger off for its session
(``SET pgtrigger.ignore``) gains it nothing: the privilege is missing before any trigger runs.

- ``manage.py db_roles`` (as a superuser or other administrator) creates or updates both roles, gives the database
  and every existing schema object to the owner, and grants the app role its rights.
- ``manage.py migrate`` and ``flush`` always run as the owner (``DATABASE_OWNER_URL``): see ``as_owner``.
- After every migrate (``post_migrate``), still as the owner, ``grant_app_role`` applies the grants again to every
  table, so a table added by a later migration gets the same rules. The owner's default privileges give a new table
  only SELECT and INSERT to the app role (never more than an append-only table may have) until then.

A developer who has not set the roles up leaves ``DATABASE_OWNER_URL`` unset: the owner is then the app's own
connection, and nothing here changes anything.
"""

import re
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")
_app_credentials: dict[str, dict] = {}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def quote(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"Not a plain role or table name: {name!r}")
    return f'"{name}"'


def owner_credentials() -> dict:
    return {key: settings.DATABASE_OWNER.get(key, "") for key in CREDENTIALS}


def app_role(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The role the app connects as (DATABASE_URL's user), even while a connection has been turned to the owner."""
    return (_app_credentials.get(alias) or connections[alias].settings_dict)["USER"]


def roles_configured(alias: str = DEFAULT_DB_ALIAS) -> bool:
    return bool(owner_credentials()["USER"]) and owner_credentials()["USER"] != app_role(alias)


def use_owner(alias: str = DEFAULT_DB_ALIAS):
    """Turn the connection ``alias`` to the owner's credentials (same database); ``use_app`` turns it back."""
    connection = connections[alias]
    if not roles_configured(alias) or alias in _app_credentials:
        return
    connection.close()
    _app_credentials[alias] = {key: connection.settings_dict.get(key, "") for key in CREDENTIALS}
    connection.settings_dict.update(owner_credentials())


def use_app(alias: str = DEFAULT_DB_ALIAS):
    if alias not in _app_credentials:
        return
    connection = connections[alias]
    connection.close()
    connection.settings_dict.update(_app_credentials.pop(alias))


@contextmanager
def as_owner(alias: str = DEFAULT_DB_ALIAS):
    """Run the block connected as the owner role (a no-op when it is already, or when no roles are set up)."""
    turned = roles_configured(alias) and alias not in _app_credentials
    if turned:
        use_owner(alias)
    try:
        yield
    finally:
        if turned:
            use_app(alias)


def append_only_tables() -> list[str]:
    """The audit log and every django-pghistory event table (their tables end with ``event``)."""
    import pghistory.models

    from .models import AuditEvent

    tables = {AuditEvent._meta.db_table}
    for model in apps.get_models():
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy and model._meta.managed:
            tables.add(model._meta.db_table)
    return sorted(tables)


# Django's own record of migrations: the app reads it, only migrate (the owner) writes it. Likewise where the audit
# chain starts after an operator pruned it (audit_prune, as the owner).
READ_ONLY_TABLES = ["django_migrations", "safeguarding_auditchainstart"]


def grant_app_role(cursor, app: str, schema: str = "public"):
    """Give ``app`` its rights on every table and sequence of ``schema``, as their owner (the cursor's role).

    Idempotent: every right is taken away and given again, in the caller's transaction."""
    role, ns = quote(app), quote(schema)
    cursor.execute("SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = %s::regnamespace "
                   "AND c.relkind IN ('r', 'p')", [schema])
    tables = {name for (name,) in cursor.fetchall()}
    append_only = sorted(t for t in tables if t.endswith("event") or t in append_only_tables())
    read_only = sorted(tables & set(READ_ONLY_TABLES))
    statements = [
        f"GRANT USAGE ON SCHEMA {ns} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {ns} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {ns} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {ns} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {ns} TO {role}",
        *(f"REVOKE INSERT, UPDATE, DELETE ON {ns}.{quote(t)} FROM {role}" for t in read_only),
        *(f"REVOKE UPDATE, DELETE ON {ns}.{quote(t)} FROM {role}" for t in append_only),
        # Tables made by later migrations: until the next grant, the app may only read and add rows.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ns} REVOKE ALL ON TABLES FROM {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ns} GRANT SELECT, INSERT ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ns} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    for statement in statements:
        cursor.execute(statement)
    return append_only


def on_post_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After a migrate or flush (run as the owner), grant the app role its rights on every table again."""
    if sender.name != "safeguarding" or not roles_configured(using):
        return
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == app_role(using):
            return  # the app role cannot grant (a migrate run without the owner's URL): db_roles will
        grant_app_role(cursor, app_role(using))
