"""Create or update the database's two roles and their rights (idempotent): run by an administrator.

    manage.py db_roles --admin-url postgres://postgres@db.example:5432/efh [--prefix efh]

- ``<prefix>_owner`` (LOGIN; not a superuser, cannot create roles) owns the database, its ``public`` schema and every
  table, sequence and function in it: migrations run as it (DATABASE_OWNER_URL).
- ``<prefix>_app`` (LOGIN, owns nothing, inherits nothing) is what the web server and the workers connect as
  (DATABASE_URL): it may SELECT, INSERT, UPDATE and DELETE the domain tables and use their sequences, but only INSERT
  and SELECT the audit log and the change-history (event) tables; it cannot create anything in the schema.

The database is created (owned by the owner) if it does not exist; objects an earlier migrate created as another
role are handed to the owner. Passwords come from --owner-password/--app-password (or EFH_DB_OWNER_PASSWORD /
EFH_DB_APP_PASSWORD, or the password in DATABASE_OWNER_URL / DATABASE_URL when its user is the role); without one a
role's password is left as it is (for trust, peer or certificate authentication).
"""

import os

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from safeguarding import dbroles

ROLE = "LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS"


class Command(BaseCommand):
    help = "Create or update the owner and app database roles, and the app role's rights (run as a superuser)."

    def add_arguments(self, parser):
        parser.add_argument("--prefix", default=os.environ.get("EFH_DB_ROLE_PREFIX", "efh"),
                            help="roles are <prefix>_owner and <prefix>_app (default: $EFH_DB_ROLE_PREFIX or efh)")
        parser.add_argument("--admin-url", default=os.environ.get("DATABASE_ADMIN_URL", ""),
                            help="a superuser's URL (default: $DATABASE_ADMIN_URL, else user postgres on "
                                 "DATABASE_URL's server)")
        parser.add_argument("--database", default="", help="the database (default: DATABASE_URL's)")
        parser.add_argument("--owner-password", default=os.environ.get("EFH_DB_OWNER_PASSWORD", ""))
        parser.add_argument("--app-password", default=os.environ.get("EFH_DB_APP_PASSWORD", ""))
        parser.add_argument("--owner-createdb", action="store_true",
                            help="let the owner create databases (developers and CI: the test database)")

    def handle(self, *args, prefix, admin_url, database, owner_password, app_password, owner_createdb, **options):
        default = settings.DATABASES["default"]
        owner, app = f"{prefix}_owner", f"{prefix}_app"
        try:
            dbroles.quote(owner), dbroles.quote(app)
        except ValueError as exc:
            raise CommandError(f"--prefix must be lower-case letters, digits and _: {exc}") from exc
        database = database or default["NAME"]
        admin = self._admin(admin_url, default)
        owner_password = owner_password or _password_in(settings.DATABASE_OWNER, owner)
        app_password = app_password or _password_in(default, app)
        try:
            with psycopg.connect(**{**admin, "dbname": "postgres"}, autocommit=True) as conn:
                self._roles(conn, owner, app, owner_password, app_password, owner_createdb)
                self._database(conn, database, owner, app)
            with psycopg.connect(**{**admin, "dbname": database}) as conn, conn.transaction():
                moved = self._hand_over(conn, owner, app)
                conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
                append_only = dbroles.grant_app_role(conn.cursor(), app)
        except psycopg.Error as exc:
            raise CommandError(f"Could not set the roles up as {admin['user']}: {exc}".strip()) from exc
        self.stdout.write(f"Roles ready in {database}: {owner} owns the schema ({moved} objects handed over), "
                          f"{app} may only INSERT and SELECT {len(append_only)} append-only tables.")
        self.stdout.write(f"  DATABASE_OWNER_URL=postgres://{owner}:...@{admin['host']}:{admin['port']}/{database}")
        self.stdout.write(f"  DATABASE_URL=postgres://{app}:...@{admin['host']}:{admin['port']}/{database}")

    def _admin(self, admin_url: str, default: dict) -> dict:
        if admin_url:
            cfg = environ.Env.db_url_config(admin_url)
        else:
            cfg = {"USER": "postgres", "PASSWORD": "", "HOST": default["HOST"], "PORT": default["PORT"]}
        return {"user": cfg["USER"], "password": cfg["PASSWORD"] or None, "host": cfg["HOST"] or "127.0.0.1",
                "port": cfg["PORT"] or 5432, "connect_timeout": 10}

    def _roles(self, conn, owner, app, owner_password, app_password, owner_createdb):
        for role, attributes, password in (
            (owner, f"{ROLE} INHERIT {'CREATEDB' if owner_createdb else 'NOCREATEDB'}", owner_password),
            (app, f"{ROLE} NOINHERIT NOCREATEDB", app_password),
        ):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(sql.SQL(f"{verb} ROLE {{}} {attributes}").format(sql.Identifier(role)))
            if password:
                conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        # The app role is a member of no role (it could otherwise SET ROLE to the owner).
        for (granted,) in conn.execute("SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                                       "JOIN pg_roles a ON a.oid = m.member WHERE a.rolname = %s", [app]).fetchall():
            conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(granted), sql.Identifier(app)))

    def _database(self, conn, database, owner, app):
        ident = sql.Identifier(database)
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(ident, sql.Identifier(owner)))
            self.stdout.write(f"Created database {database}.")
        else:
            conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident, sql.Identifier(owner)))
        conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(ident, sql.Identifier(app)))

    def _hand_over(self, conn, owner, app) -> int:
        """Give the owner the public schema's objects created by anyone else (say, an earlier migrate as postgres)."""
        owner_id = sql.Identifier(owner)
        conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(sql.Identifier(app)))
        if conn.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'").fetchone()[0] \
                != "pg_database_owner":
            conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_id))
        # Tables, views and free-standing sequences (a column's own sequence follows its table); no extension's.
        relations = conn.execute(
            "SELECT c.oid::regclass::text, CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END "
            "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "AND pg_get_userbyid(c.relowner) <> %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND (d.deptype = 'e' "
            "OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))", [owner]).fetchall()
        for name, kind in relations:
            conn.execute(sql.SQL(f"ALTER {kind} {{}} OWNER TO {{}}").format(sql.SQL(name), owner_id))
        functions = conn.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
            "AND pg_get_userbyid(p.proowner) <> %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')", [owner]).fetchall()
        for (signature,) in functions:
            conn.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), owner_id))
        return len(relations) + len(functions)


def _password_in(cfg: dict, role: str) -> str:
    return cfg.get("PASSWORD", "") if cfg.get("USER") == role else ""
