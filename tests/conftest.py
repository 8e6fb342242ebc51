"""The cast: people in four agencies of a fictional borough, each with one role.

alice   social worker, lead authority (owns the cases below)
mandy   team manager, lead authority
colin   panel chair, lead authority
adam    administrator, lead authority
pete    partner practitioner, police (sees what is shared with the police)
sam     partner practitioner, school
oscar   partner practitioner, housing: the outsider, with whom nothing is shared
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguarding import access, dbroles, services
from safeguarding import scanner as clamav
from safeguarding.lawful import Basis
from safeguarding.models import AgencyKind
from safeguarding.roles import Role

from .factories import CaseFactory, YoungPersonFactory

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """The test database is created, migrated and dropped by the owner role (DATABASE_OWNER_URL)..."""
    dbroles.use_owner()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """... and every test connects as the app's real role (DATABASE_URL), which owns nothing."""
    dbroles.use_app()
    yield
    dbroles.use_owner()


# The lawful basis tests share on (every share, contribution request and answer records one: safeguarding.lawful).
LAWFUL = Basis(lawful_basis="public_task", special_category="safeguarding", told="told",
               reason="The agencies need to know to keep the young person safe")
# A referral's basis (its reason is what the referrer is worried about; who was told, what the family know).
REFERRAL_LAWFUL = {"lawful_basis": LAWFUL.lawful_basis, "special_category": LAWFUL.special_category}
# The same, as a form posts it.
LAWFUL_FORM = {"lawful_basis": LAWFUL.lawful_basis, "special_category": LAWFUL.special_category,
               "reason": LAWFUL.reason, "told": LAWFUL.told}

# The fixtures set up agencies and people as a command would: as the named system actor.
SYSTEM = access.system("tests")


@pytest.fixture
def agencies(db):
    """The cast's agencies ask for no second factor (the product's default is to ask: Agency.mfa_required), so every
    test can sign the cast in with a password or ``force_login``; the tests of second factors
    (tests/safeguarding/test_factors.py, tests/e2e/test_sign_in_mfa.py) turn it on."""
    def make(**kwargs):
        return services.agency_create(actor=SYSTEM, mfa_required=False, **kwargs)

    return {
        "la": make(name="Northfield Council", kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_lead_authority=True),
        "police": make(name="Northfield Police", kind=AgencyKind.POLICE),
        "school": make(name="Northfield Academy", kind=AgencyKind.EDUCATION),
        "housing": make(name="Northfield Homes", kind=AgencyKind.HOUSING),
    }


def _person(agencies, username, agency, role, password=None):
    return services.user_create(
        actor=SYSTEM, username=username, agency=agencies[agency], roles=[role], password=password,
        first_name=username.capitalize(), last_name="Test", email=f"{username}@example.org",
    )


@pytest.fixture
def alice(agencies):
    return _person(agencies, "alice", "la", Role.SOCIAL_WORKER, PASSWORD)


@pytest.fixture
def mandy(agencies):
    return _person(agencies, "mandy", "la", Role.TEAM_MANAGER)


@pytest.fixture
def colin(agencies):
    return _person(agencies, "colin", "la", Role.PANEL_CHAIR)


@pytest.fixture
def adam(agencies):
    return _person(agencies, "adam", "la", Role.ADMINISTRATOR)


@pytest.fixture
def pete(agencies):
    return _person(agencies, "pete", "police", Role.PARTNER_PRACTITIONER)


@pytest.fixture
def sam(agencies):
    return _person(agencies, "sam", "school", Role.PARTNER_PRACTITIONER)


@pytest.fixture
def oscar(agencies):
    return _person(agencies, "oscar", "housing", Role.PARTNER_PRACTITIONER)


@pytest.fixture
def anna(agencies):
    """An analyst in the lead authority: figures, never individual records."""
    return _person(agencies, "anna", "la", Role.ANALYST)


@pytest.fixture
def polly(agencies):
    """A manager in the police (Partner manager): a partner practitioner who also sees the police's figures (what is
    shared with them) and the lists behind them."""
    return _person(agencies, "polly", "police", Role.PARTNER_MANAGER)


@pytest.fixture
def cast(alice, mandy, colin, adam, pete, sam, oscar):
    return {"alice": alice, "mandy": mandy, "colin": colin, "adam": adam, "pete": pete, "sam": sam, "oscar": oscar}


@pytest.fixture
def person(alice):
    return YoungPersonFactory(actor=alice, first_name="Jayden", last_name="Okafor", known_as=["JJ"])


@pytest.fixture
def case(alice, person):
    return CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)


@pytest.fixture
def shared_case(case, alice, agencies):
    """Alice's case, shared with the police to view and contribute."""
    from safeguarding import access

    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    return case


def client_for(client, user):
    """``client`` signed in as ``user`` just now: a sign-in is as fresh as a step-up asks (safeguarding.factors), as
    after the sign-in page."""
    client.force_login(user)
    signed_in_just_now(client, user)
    return client


def signed_in_just_now(client, user, method="password"):
    """Record in the client's session that ``user`` signed in with ``method`` just now, as allauth does."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": method, "at": time.time(), "username": user.username}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture(autouse=True)
def _rate_limits_forgotten():
    """allauth's rate-limit counters live in Redis (the cache) and would outlast a test: each test starts without."""
    from django.core.cache import cache

    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = cache.make_key("")
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def assert_queries(client, user, url, expected: list[str], headers=None):
    """``user`` opening ``url`` makes one query for each of ``expected``, short descriptions of them in order.

    Pages pin their queries this way in each app's tests. The second opening is counted: the first may read what a
    process reads once and keeps (permission ids). On a mismatch every query's SQL is shown, numbered, beside the
    description expected at its place."""
    client_for(client, user)
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    sql = [query["sql"] for query in queries.captured_queries]
    made, pinned = len(sql), len(expected)
    assert made == pinned, _side_by_side(f"{user.username} opening {url}", expected, sql)


def _side_by_side(what: str, expected: list[str], sql: list[str]) -> str:
    lines = [f"{what}: {len(sql)} queries, {len(expected)} expected"]
    for i in range(max(len(expected), len(sql))):
        lines.append(f"{i + 1:3}. {expected[i] if i < len(expected) else '(not expected)'}")
        lines.append(f"     {sql[i] if i < len(sql) else '(no query)'}")
    return "\n".join(lines)


QUEUES = ("celery", "packs")


@pytest.fixture
def media(tmp_path, settings):
    """Uploaded and generated files (packs, exports, attached documents) in this test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "documents"}}}
    return tmp_path


def eicar() -> bytes:
    return clamav.eicar()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A private ClamAV daemon (Debian's clamd) on a free local port, with one local signature: the EICAR test file
    (a body signature, so it is found anywhere in a file). Production points CLAMAV_URL at a clamd whose databases
    freshclam keeps current; here there is no network, and no need for them. Its address, as CLAMAV_URL wants it."""
    folder = tmp_path_factory.mktemp("clamd")
    port = free_port()
    daemon = clamav.local_daemon(folder, port)
    url = f"tcp://127.0.0.1:{port}"
    log = folder / "clamd.log"
    try:
        started = wait_for(lambda: clamav.pong(port) or daemon.poll() is not None, seconds=60) and daemon.poll() is None
        assert started, f"clamd did not start: {log.read_text()[-2000:] if log.exists() else ''}"
        yield url
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)


@pytest.fixture
def scanner(clamd, settings, media):
    """Uploads scanned by the private clamd, stored in this test's own folder."""
    settings.CLAMAV_URL = clamd
    return clamd


@pytest.fixture
def broker():
    """The real Redis broker, with only this test's messages in the queues a test worker consumes."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(*QUEUES)
    yield client
    client.delete(*QUEUES)


def wait_for(condition, seconds=60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def run_reminders_twice(broker, *, emails: int):
    """The kernel's daily reminders on a real worker, run twice the same day: the first run sends at least
    ``emails``; the second must add nothing (the caller checks what ``mail.outbox`` holds)."""
    from celery.contrib.testing.worker import start_worker
    from django.core import mail

    from safeguarding import celery_app
    from safeguarding.tasks import reminders_daily

    mail.outbox.clear()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        reminders_daily.delay()
        assert wait_for(lambda: len(mail.outbox) >= emails, seconds=30)
        reminders_daily.delay()  # run again the same day
        assert wait_for(lambda: not broker.llen("celery"), seconds=30)
    return mail.outbox


@contextmanager
def prefork_worker(queue: str, **env):
    """A real Celery worker in a process of its own (prefork, one pool process) on ``queue``, against the test
    database, for a test that kills its pool process mid-job (``kill_pool_process``). Stopped when the block ends."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    worker = subprocess.Popen(  # noqa: S603 (our own worker command)
        [sys.executable, "-m", "celery", "-A", "safeguarding", "worker", "-Q", queue, "--pool=prefork",
         "--concurrency=1", "--loglevel=warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env={**os.environ, "DATABASE_URL": url, "REPLICA_DATABASE_URL": url, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def kill_pool_process(worker) -> None:
    """SIGKILL the process doing the worker's job, as an out-of-memory kill or a lost machine would."""
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(worker.pid)], capture_output=True, text=True,  # noqa: S603, S607
                           check=True).stdout.split()
    assert found, "the worker has no pool process"
    os.kill(int(found[0]), signal.SIGKILL)
