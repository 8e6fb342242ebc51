"""``make bench``: build (once) a generated database of N young people, measure, and publish the figures.

    .venv/bin/python -m bench.run --young-people 10000        # make bench BENCH_YOUNG_PEOPLE=10000

Each figure is reported beside a floor measured in the same run on the same machine, so a ratio still means
something on a noisy machine. Writes ``bench/results/<N>.json`` and ``bench/results/latest.json`` and the table in
``docs/BENCHMARKS.md`` (with the query counts of every size measured so far side by side).

- Pickers: a young person type-ahead's search (name fragment, misspelt name, date of birth, case reference) as a
  lead-authority social worker and as the police, through the finder and the endpoint (``bench.pickers``). Floor:
  the same search by hand-written SQL.
- Access filtering: the first page and the total of "cases visible to me" for the partner ``bench.police`` (about 4%
  of all cases), through ``cases.selectors.cases_page`` exactly as the case list page runs it. Floor: the same rows
  by hand-written SQL on the grant table.
- Pages under load: ``bench.load`` (gunicorn and locust), floor a minimal signed-in page on the same server.
- Reports: the managers' dashboard for a lead authority and for the police beside the same aggregates in
  hand-written SQL, and an export of every case (a million rows) as CSV and XLSX, time and peak memory
  (``bench.reports``).
- Panel packs: ``bench.packs`` (time and peak memory for 10, 40, 100 items; floor WeasyPrint on the same HTML).
- Jobs: packs per minute with two worker processes on the packs queue.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "BENCHMARKS.md"
REPEAT = 30
PARTS = ("access", "picker", "reports", "load", "packs", "jobs")


def _env(database_url: str, **extra) -> dict:
    # The benchmark database is built and measured as one role (the generator needs a superuser; see bench.generate).
    return {**os.environ, "DATABASE_URL": database_url, "DATABASE_OWNER_URL": database_url, "DEBUG": "1", **extra}


def _manage(database_url: str, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(database_url), check=True)  # noqa: S603


def prepare(database_url: str, young_people: int):
    """Create, migrate and fill the database the first time; afterwards it is reused as it is."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    _manage(database_url, "migrate", "--no-input", "-v", "0")
    with psycopg.connect(database_url) as conn:
        people = conn.execute("SELECT count(*) FROM cases_youngperson").fetchone()[0]
    if people == 0:
        started = time.perf_counter()
        _manage(database_url, "generate", "--young-people", str(young_people))
        return round(time.perf_counter() - started, 1)
    return None


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2)}


def _timed(fn, repeat=REPEAT) -> dict:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def access_filtering() -> dict:
    from django.contrib.auth.models import Permission
    from django.db import connection

    from cases import selectors
    from cases.models import Case
    from safeguarding.models import User

    police = User.objects.get(username="bench.police")
    rows = selectors.cases_list(police)  # exactly as the case list page reads it (cases.views.cases)
    view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases").pk
    grants = "SELECT content_object_id FROM cases_casegroupobjectpermission WHERE group_id = %s AND permission_id = %s"
    params = [police.agency.group_id, view_case]

    def floor_page():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT c.* FROM cases_case c WHERE c.id IN ({grants}) "  # noqa: S608 (our own SQL)
                           "ORDER BY c.opened_on DESC, c.id DESC LIMIT 25", params)
            return cursor.fetchall()

    def floor_count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_casegroupobjectpermission WHERE group_id = %s "
                           "AND permission_id = %s", params)
            return cursor.fetchone()[0]

    def page_count():
        return selectors.cases_paginator(police).count  # a new paginator each time: its count is not cached

    visible = page_count()
    assert visible == floor_count() == rows.count(), "the page, the selector and the hand-written SQL disagree"
    return {"visible_cases": visible, "all_cases": Case.objects.count(),
            "first_page": _timed(lambda: list(selectors.cases_page(police, 1).object_list)),
            "first_page_floor": _timed(floor_page), "count": _timed(page_count), "count_floor": _timed(floor_count)}


def packs_figures(database_url: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "bench.packs", "--json", "10", "40", "100"], cwd=ROOT,  # noqa: S603
                         env=_env(database_url), check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def reports_figures(database_url: str) -> dict:
    """The dashboard beside its floor, and an export of every case in each format: each a fresh process."""
    def run(*args):
        out = subprocess.run([sys.executable, "-m", "bench.reports", "--json", *args], cwd=ROOT,  # noqa: S603
                             env=_env(database_url), check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    return {"dashboard": run("dashboard"), "exports": [run("export", "csv"), run("export", "xlsx")]}


def jobs_per_minute(database_url: str, packs: int = 12, items: int = 10) -> dict:
    """Packs built per minute by two worker processes, for a meeting attended by ``packs`` agencies."""
    import redis
    from django.conf import settings
    from django.utils import timezone

    from panels import services
    from panels.models import PackStatus, PanelKind, PanelPack
    from safeguarding.models import Agency, User

    chair, manager = User.objects.get(username="bench.chair"), User.objects.get(username="bench.tm")
    agencies = [chair.agency, *Agency.objects.exclude(pk=chair.agency_id).filter(
        users__is_active=True).distinct().order_by("pk")[:packs - 1]]
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    panel = services.panel_create(actor=manager, name=f"Bench jobs {stamp}", kind=PanelKind.MACE,
                                  member_agencies=agencies, chairs=[chair])
    meeting = services.meeting_schedule(actor=chair, panel=panel, starts_at=timezone.now(), location="Bench")
    for agency in agencies[1:]:
        services.attendance_set(actor=chair, meeting=meeting, person=agency.users.filter(is_active=True).first(),
                                status="invited")
    from cases.models import YoungPerson
    from safeguarding import access

    for person in access.visible(chair, YoungPerson.objects.all())[:items]:
        services.agenda_item_add(actor=chair, meeting=meeting, subject=person, reason="Benchmark")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("packs")
    with tempfile.TemporaryDirectory() as media:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "safeguarding", "worker", "-Q", "packs", "--concurrency=2",
             "--loglevel=error", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=_env(database_url, MEDIA_ROOT=media),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(5)  # the worker starts and connects
            started = time.perf_counter()
            requested = services.packs_request(actor=chair, meeting=meeting)
            ids = [p.pk for p in requested]
            deadline = started + 900
            while time.perf_counter() < deadline:
                if PanelPack.objects.filter(pk__in=ids, status=PackStatus.READY).count() == len(ids):
                    break
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
            ready = PanelPack.objects.filter(pk__in=ids, status=PackStatus.READY).count()
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    return {"packs": len(ids), "ready": ready, "items_per_pack": items, "seconds": round(elapsed, 1),
            "packs_per_minute": round(60 * ready / elapsed, 1), "workers": 2}


def load_figures(database_url: str, seconds: int) -> dict:
    from bench import load

    return load.run(database_url=database_url, seconds=seconds)


def machine() -> dict:
    import psycopg

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "psycopg": psycopg.__version__}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--young-people", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--load-seconds", type=int, default=20)
    parser.add_argument("--skip", nargs="*", default=[], choices=list(PARTS),
                        help="parts not to measure this time: their figures from the last run at this size are kept")
    args = parser.parse_args(argv)
    database_url = args.database_url or f"postgres://postgres@127.0.0.1:5432/efh_bench_{args.young_people}"
    generated_in = prepare(database_url, args.young_people)
    previous = RESULTS / f"{args.young_people}.json"
    if generated_in is None and previous.exists():  # reused: the time it took when it was built
        generated_in = json.loads(previous.read_text()).get("generated_in_s")
    os.environ.update(DATABASE_URL=database_url, DATABASE_OWNER_URL=database_url, DEBUG="1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    import django

    django.setup()
    from cases.models import ChronologyEntry, YoungPerson
    from safeguarding.models import User

    result = {"young_people": YoungPerson.objects.count(), "chronology_entries": ChronologyEntry.objects.count(),
              "users": User.objects.count(), "generated_in_s": generated_in, "machine": machine(),
              "measured_at": time.strftime("%Y-%m-%d %H:%M")}
    print(f"Measuring at {result['young_people']:,} young people ...", flush=True)
    if "access" not in args.skip:
        result["access"] = access_filtering()
        print("access filtering:", json.dumps(result["access"]), flush=True)
    if "picker" not in args.skip:
        from bench.pickers import picker_figures

        result["picker"] = picker_figures(_timed)
        print("pickers:", json.dumps(result["picker"]), flush=True)
    if "reports" not in args.skip:
        result["reports"] = reports_figures(database_url)
        print("reports:", json.dumps(result["reports"]), flush=True)
    if "load" not in args.skip:
        result["load"] = load_figures(database_url, args.load_seconds)
    if "packs" not in args.skip:
        result["packs"] = packs_figures(database_url)
    if "jobs" not in args.skip:
        result["jobs"] = jobs_per_minute(database_url)
    if args.skip and previous.exists():  # what was not measured this time stays as last measured, and says when
        before = json.loads(previous.read_text())
        for part in args.skip:
            if part in before:
                result[part] = before[part]
                result.setdefault("carried_over", {})[part] = before.get("carried_over", {}).get(
                    part, before["measured_at"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in (f"{args.young_people}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    from bench.report import write

    write(RESULTS, DOC)
    print(f"Wrote {RESULTS / 'latest.json'} and {DOC}")


if __name__ == "__main__":
    main()
