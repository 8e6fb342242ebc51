"""Pages under load: latency and throughput of the main pages, served by gunicorn as in production, under locust.

    .venv/bin/python -m bench.load --database-url postgres://postgres@127.0.0.1:5432/efh_bench [--seconds 20]
        [--users 8] [--out FILE] [--redis-url redis://127.0.0.1:6379/7]

Needs the ``bench`` extra (``pip install -e '.[bench]'``: locust) and a database made by ``manage.py generate``
(its logins ``bench.sw`` and ``bench.police``). What it does:

1. In this process (Django set up with ``bench.settings_http`` against the database): picks the pages to measure
   (below), checks the two logins' passwords (a wrong one would count towards a django-axes lockout), and counts
   each page's queries once with the test client, after one warm-up request.
2. Starts gunicorn (``--workers 2 --threads 2``) on 127.0.0.1 with production settings over plain HTTP
   (``bench.settings_http``: DEBUG off, a throwaway secret key; cookies not marked secure, no HTTPS redirect, and
   a ``/bench/floor/`` page), and waits for ``/healthz`` (which needs Redis).
3. Signs in through the sign-in form, one session per simulated user, for each login; warms every page up.
4. For each page in turn, and for the floor first, runs locust headless (``bench/locustfile.py``) for ``seconds``
   with ``users`` users requesting the page back to back; only a 200 counts as a success.
5. Stops gunicorn, always.

The pages, chosen in the database as what these people would really open: for ``bench.sw`` the dashboard, the case
list, a young person they can see (the median by chronology length among those with an association, so the
network picture has something in it), that person's network picture, a place they can see (median by links) and a
meeting they can see (median by agenda items); for ``bench.police`` the case list and a young person they can
see (median by chronology length), and the partner API's case list (``/api/v1/cases/``, first page) as a client of
the police registered for the run (``police_api``: a bearer credential instead of a session). The floor is the
cheapest signed-in page: the whole middleware stack and a tiny response. ``api_vs_html_p95`` is the API case list's
p95 over the HTML case list's, for the same agency (target: within 2x).

Returns (and prints, as JSON) ``{"pages": {name: figures}, "floor": figures, "ratio_p95": {name: p95 / floor
p95}, "queries": {name: n}, "targets": {name: path}, ...}`` where figures are ``requests``, ``failures``,
``p50_ms``, ``p95_ms`` and ``rps`` (plus ``errors``, a count by reason, when any failed). Percentiles are over
every request of the run, exact (not locust's rounded buckets). Each page runs alone, so its percentiles are its
own; locust shares the machine with gunicorn and PostgreSQL, so the figures are for this machine, not absolute.
Signing in, viewing a person and the session's periodic touch write rows (audit events, sessions) as in real
use: run it on a benchmark database only.
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
SETTINGS_MODULE = "bench.settings_http"
WORKERS, THREADS = 2, 2
PREFERRED_PORT = 18123
FLOOR = "/bench/floor/"
WARM_UP_REQUESTS = 6  # per page, before it is measured: both workers' templates, connections and caches


def _environment(database_url: str, redis_url: str, secret_key: str) -> dict[str, str]:
    """What the service's settings read, for production over plain HTTP on this machine."""
    return {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        # The partner API's per-client throttle would refuse a load test's back-to-back calls; its Redis count is
        # still made on every call, as in production.
        "API_THROTTLE_RATE": "100000000/min",
        # WhiteNoise warns, in every process, that there is no collectstatic output; pages do not need it.
        "PYTHONWARNINGS": "ignore:No directory at",
    }


def _setup_django(environment: dict[str, str]):
    import django
    import environ
    from django.conf import settings

    if not settings.configured:
        os.environ.update({**environment, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"})
        django.setup()
    wanted = environ.Env.db_url_config(environment["DATABASE_URL"])["NAME"]
    if settings.DATABASES["default"]["NAME"] != wanted:
        raise RuntimeError(f"Django is already set up against {settings.DATABASES['default']['NAME']!r}, "
                           f"not {wanted!r}: run bench.load in a fresh process")


def _median(queryset):
    n = queryset.count()
    return queryset[n // 2] if n else None


def _targets(sw, police) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """``{name: (login, path)}`` of the pages to measure, and why any page could not be found.

    Each record is the median (by its size) of those with every part of its page filled in, so that a page at
    10,000 young people and at 1,000,000 shows the same parts and their query counts can be compared: a place
    the social worker's agency owns (its sharing panel shown), a young person with an association the viewer can
    see (the network picture goes two steps out), a meeting with actions of its own and outstanding ones from
    the panel's earlier meetings (failing that, with actions of its own; or any). The dashboard's "recently
    viewed" is filled by the warm-up (``_query_counts``).
    """
    from django.db.models import Count, Exists, OuterRef, Q

    from cases.models import YoungPerson
    from contexts.models import Association, Place
    from panels.models import OUTSTANDING, Action, Meeting
    from safeguarding.access import visible

    def person(user, *, with_network: bool):
        people = visible(user, YoungPerson.objects.all())
        if with_network:  # a current association the viewer can see: the picture goes a second step out
            links = visible(user, Association.objects.filter(ended_on__isnull=True))
            people = people.filter(Exists(links.filter(Q(person=OuterRef("pk")) | Q(other=OuterRef("pk")))))
        return _median(people.annotate(n=Count("cases__chronology")).order_by("n", "pk"))

    def median_by(model, related, rows):
        return _median(rows.annotate(n=Count(related)).filter(n__gt=0).order_by("n", "pk"))

    # Actions on its own items, and outstanding ones from the panel's earlier meetings: both lists are shown.
    own = Action.objects.filter(item__meeting=OuterRef("pk"))
    earlier = Action.objects.filter(item__meeting__panel=OuterRef("panel"), status__in=OUTSTANDING,
                                    item__meeting__starts_at__lt=OuterRef("starts_at"))
    found = {
        "sw.young_person": person(sw, with_network=True) or person(sw, with_network=False),
        "sw.place": median_by(Place, "links", visible(sw, Place.objects.filter(owning_agency_id=sw.agency_id))),
        "sw.meeting": next(filter(None, (median_by(Meeting, "items", visible(sw, Meeting.objects.filter(*wanted)))
                                         for wanted in ([Exists(own), Exists(earlier)], [Exists(own)], []))), None),
        "police.young_person": person(police, with_network=False),
    }
    pages = {"sw.dashboard": ("sw", "/"), "sw.cases": ("sw", "/cases/")}
    if found["sw.young_person"]:
        pages["sw.young_person"] = ("sw", f"/young-people/{found['sw.young_person'].pk}/")
    if found["sw.place"]:
        pages["sw.place"] = ("sw", f"/places/{found['sw.place'].pk}/")
    if found["sw.young_person"]:
        pages["sw.network"] = ("sw", f"/young-people/{found['sw.young_person'].pk}/network/")
    if found["sw.meeting"]:
        pages["sw.meeting"] = ("sw", f"/meetings/{found['sw.meeting'].pk}/")
    pages["police.cases"] = ("police", "/cases/")
    pages["police.api_cases"] = ("police_api", "/api/v1/cases/")
    if found["police.young_person"]:
        pages["police.young_person"] = ("police", f"/young-people/{found['police.young_person'].pk}/")
    missing = [f"{name}: nothing visible" for name, obj in found.items() if obj is None]
    return pages, missing


def _query_counts(logins: dict, pages: dict[str, tuple[str, str]], credential: str = ""
                  ) -> tuple[dict[str, int], dict[str, int]]:
    """Queries per page, on the second request of a signed-in test client (every page is opened once first, so the
    dashboard's "recently viewed" has people in it as it would in use); and any non-200. The API's pages are
    called with ``credential``."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    counts, statuses = {}, {}
    plain_http = override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, ROOT_URLCONF="bench.urls")
    with warnings.catch_warnings(), plain_http:
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        clients = {}
        for login, user in logins.items():
            clients[login] = Client(raise_request_exception=False)
            clients[login].force_login(user)
        clients["police_api"] = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {credential}")
        every = {**pages, "floor": ("sw", FLOOR)}
        for login, path in every.values():  # all pages once first: a page's second opening is counted
            clients[login].get(path)
        for name, (login, path) in every.items():
            with CaptureQueriesContext(connection) as queries:
                response = clients[login].get(path)
            counts[name] = len(queries)
            if response.status_code != 200:
                statuses[name] = response.status_code
    return counts, statuses


def _port() -> int:
    for port in (PREFERRED_PORT, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


def _start_gunicorn(environment: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "safeguarding.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads", str(THREADS),
        "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "10",
        "--error-logfile", str(log), "--log-level", "warning", "--chdir", str(ROOT),
    ]
    # Django logs (errors, 404s) go to stderr: into the same file as gunicorn's own.
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **environment},  # noqa: S603
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)


def _stop(process: subprocess.Popen):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _wait_healthy(base: str, process: subprocess.Popen, log: Path, timeout: float = 60):
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}: {error.read()[:300]!r}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.25)
    raise RuntimeError(f"/healthz did not answer 200 within {timeout:.0f}s ({last}):\n{_tail(log)}")


def _sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the form, as a browser does; returns the session id."""
    import requests

    browser = requests.Session()
    form = browser.get(f"{base}/sign-in/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if form.status_code != 200 or not token:
        raise RuntimeError(f"sign-in form: HTTP {form.status_code}, CSRF token {'found' if token else 'missing'}")
    answer = browser.post(f"{base}/sign-in/", allow_redirects=False, timeout=30, headers={"Referer": form.url},
                          data={"csrfmiddlewaretoken": token.group(1), "login": username, "password": password})
    session = browser.cookies.get("sessionid")
    if answer.status_code != 302 or not session:
        raise RuntimeError(f"signing in {username} failed: HTTP {answer.status_code} (locked out? "
                           "`manage.py axes_reset` clears django-axes lockouts)")
    return session


def _credentials(session: str) -> dict:
    """How a request proves who it is: a session cookie, or (the API's "sessions") a bearer credential."""
    if session.startswith("Bearer:"):
        return {"headers": {"Authorization": "Bearer " + session.removeprefix("Bearer:")}}
    return {"cookies": {"sessionid": session}}


def api_credential(police) -> str:
    """A new API client of the police's agency for this run, with read on every resource (through the service,
    as an administrator registers one)."""
    from django.utils import timezone

    from safeguarding import access, apiclients, services

    _, credential = services.api_client_register(
        actor=access.system("bench"), agency=police.agency, name=f"Bench load {timezone.now():%Y%m%d%H%M%S}",
        scopes=dict.fromkeys(apiclients.RESOURCES, apiclients.READ))
    return credential


def _warm_up(base: str, path: str, session: str) -> dict[str, int]:
    import requests

    statuses: dict[str, int] = {}
    for _ in range(WARM_UP_REQUESTS):  # a new connection each time, so that both workers are likely to get some
        status = requests.get(f"{base}{path}", **_credentials(session), allow_redirects=False,
                              timeout=120).status_code
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return statuses


def _percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not ordered:
        return 0.0
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _load(base: str, name: str, path: str, sessions: list[str], seconds: int, users: int, workdir: Path) -> dict:
    out = workdir / f"{name}.json"
    environment = {**os.environ, "BENCH_PATH": path, "BENCH_NAME": name, "BENCH_SESSIONS": " ".join(sessions),
                   "BENCH_OUT": str(out)}
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base,
               "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
               "--only-summary", "--loglevel", "WARNING"]
    # In a scratch folder, so that locust picks up no configuration file (it reads pyproject.toml in its folder).
    finished = subprocess.run(command, cwd=workdir, env=environment, capture_output=True, text=True,  # noqa: S603
                              timeout=seconds + 120, check=False)
    if not out.exists():
        raise RuntimeError(f"locust wrote no results for {name} (exit {finished.returncode}):\n"
                           f"{finished.stderr[-3000:]}")
    data = json.loads(out.read_text())
    times = sorted(data["times_ms"])
    failures = sum(data["failures"].values())
    figures = {
        "requests": len(times),
        "failures": failures,
        "p50_ms": round(_percentile(times, 50), 1),
        "p95_ms": round(_percentile(times, 95), 1),
        "rps": round(len(times) / data["span_s"], 1) if data["span_s"] else 0.0,
    }
    if failures:
        figures["errors"] = data["failures"]
    return figures


def run(*, database_url: str, seconds: int = 20, users: int = 8, redis_url: str | None = None,
        progress=None) -> dict:
    """Measure every page under ``users`` concurrent users for ``seconds`` each; see the module's docstring."""
    import importlib.util

    for module in ("locust", "gunicorn", "requests"):
        if importlib.util.find_spec(module) is None:
            raise RuntimeError(f"{module} is not installed: pip install -e '.[bench]'")
    say = progress or (lambda message: None)
    started = time.monotonic()
    redis_url = redis_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"
    environment = _environment(database_url, redis_url, secrets.token_urlsafe(50))
    _setup_django(environment)

    from django.db import connections

    from bench.generate import BENCH_PASSWORD
    from safeguarding.models import User

    logins = {"sw": User.objects.get(username="bench.sw"), "police": User.objects.get(username="bench.police")}
    for user in logins.values():
        # Refuse here rather than fail at the form: failed sign-ins count towards a django-axes lockout.
        if not user.is_active or not user.check_password(BENCH_PASSWORD):
            raise RuntimeError(f"{user.username} is inactive or not on the generated password")
    pages, missing = _targets(logins["sw"], logins["police"])
    say("pages: " + ", ".join(f"{name} {path}" for name, (_, path) in pages.items()))
    credential = api_credential(logins["police"])
    queries, query_statuses = _query_counts(logins, pages, credential)
    connections.close_all()

    result = {
        "config": {"seconds": seconds, "users": users, "workers": WORKERS, "threads": THREADS,
                   "database": environment["DATABASE_URL"].rsplit("/", 1)[-1]},
        "targets": {name: path for name, (_, path) in pages.items()} | {"floor": FLOOR},
        "pages": {}, "floor": {}, "ratio_p95": {}, "queries": queries,
    }
    if missing:
        result["skipped"] = missing
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        workdir = Path(scratch)
        log = workdir / "gunicorn.log"
        port = _port()
        base = f"http://127.0.0.1:{port}"
        server = _start_gunicorn(environment, port, log)
        try:
            _wait_healthy(base, server, log)
            say(f"gunicorn up on {base} ({WORKERS} workers x {THREADS} threads); signing in")
            sessions = {login: [_sign_in(base, user.username, BENCH_PASSWORD) for _ in range(users)]
                        for login, user in logins.items()}
            sessions["police_api"] = [f"Bearer:{credential}"] * users
            warm = {"floor": ("sw", FLOOR), **pages}
            with ThreadPoolExecutor(max_workers=2) as pool:
                statuses = dict(zip(warm, pool.map(lambda item: _warm_up(base, item[1], sessions[item[0]][0]),
                                                   warm.values()), strict=True))
            not_ok = {name: s for name, s in statuses.items() if set(s) != {"200"}} | {
                name: {str(status): 1} for name, status in query_statuses.items()}
            if not_ok:
                result["warm_up_not_200"] = not_ok
            for name, (login, path) in warm.items():
                say(f"{name}: {path} for {seconds}s, {users} users")
                figures = _load(base, name, path, sessions[login], seconds, users, workdir)
                if name == "floor":
                    result["floor"] = figures
                else:
                    result["pages"][name] = figures
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn died during {name}:\n{_tail(log)}")
            errors = _tail(log, 2000).strip()
            if errors:
                result["server_log_tail"] = errors
        finally:
            _stop(server)
    floor_p95 = result["floor"]["p95_ms"]
    result["ratio_p95"] = {name: round(figures["p95_ms"] / floor_p95, 1) if floor_p95 else None
                           for name, figures in result["pages"].items()}
    api, html = result["pages"].get("police.api_cases"), result["pages"].get("police.cases")
    if api and html and html["p95_ms"]:
        result["api_vs_html_p95"] = round(api["p95_ms"] / html["p95_ms"], 2)
    result["elapsed_s"] = round(time.monotonic() - started, 1)
    return result


def table(result: dict) -> str:
    rows = [f"{'page':<22}{'path':<26}{'requests':>9}{'failures':>9}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}"
            f"{'x floor':>9}{'queries':>9}"]
    for name, figures in [("floor", result["floor"]), *result["pages"].items()]:
        ratio = 1.0 if name == "floor" else result["ratio_p95"].get(name)
        rows.append(f"{name:<22}{result['targets'][name]:<26}{figures['requests']:>9}{figures['failures']:>9}"
                    f"{figures['p50_ms']:>9.1f}{figures['p95_ms']:>9.1f}{figures['rps']:>8.1f}"
                    f"{ratio if ratio is not None else '-':>9}{result['queries'].get(name, '-'):>9}")
    config = result["config"]
    rows.append(f"{config['users']} users, {config['seconds']}s a page, gunicorn {config['workers']} workers x "
                f"{config['threads']} threads, database {config['database']}; {result['elapsed_s']}s in all")
    return "\n".join(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=20, help="per page (default 20)")
    parser.add_argument("--users", type=int, default=8, help="concurrent users (default 8)")
    parser.add_argument("--redis-url", default=None, help="default: $REDIS_URL, else redis://127.0.0.1:6379/7")
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)  # so that gunicorn is stopped (run's finally)

    signal.signal(signal.SIGTERM, terminate)
    result = run(database_url=args.database_url, seconds=args.seconds, users=args.users, redis_url=args.redis_url,
                 progress=lambda message: print(message, file=sys.stderr, flush=True))
    print(table(result), file=sys.stderr)
    for name, figures in [("floor", result["floor"]), *result["pages"].items()]:
        if figures["failures"]:
            print(f"FAILURES on {name}: {figures['errors']}", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
