"""Check that PostgreSQL and Redis can be reached, create the database if it is missing, and say exactly
what to start when something is down."""

import sys

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand
from psycopg import sql

START_POSTGRES = (
    "sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   "
    "(or: docker compose up -d postgres)"
)
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no   '
    "(or: docker compose up -d redis)"
)


class Command(BaseCommand):
    help = "Check the database and broker are reachable; create the database if it does not exist."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        ok = True
        params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
                  "password": db["PASSWORD"] or None, "connect_timeout": 5}
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
                if not exists:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created database {db['NAME']}.")
            self.stdout.write(f"PostgreSQL: ok ({db['HOST']}:{db['PORT']}/{db['NAME']})")
        except psycopg.OperationalError as exc:
            ok = False
            self.stderr.write(f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT']}: {exc}".strip())
            self.stderr.write(f"  Start it with: {START_POSTGRES}")
            self.stderr.write("  or point DATABASE_URL at a running server.")
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
            self.stdout.write(f"Redis: ok ({settings.REDIS_URL})")
        except redis.RedisError as exc:
            ok = False
            self.stderr.write(f"Redis is not reachable at {settings.REDIS_URL}: {exc}")
            self.stderr.write(f"  Start it with: {START_REDIS}")
            self.stderr.write("  or point REDIS_URL at a running server.")
        if not ok:
            sys.exit(1)
