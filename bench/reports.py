"""Reports figures at scale: the managers' dashboard beside the same aggregates in hand-written SQL, and an export
of every case (a million rows) as CSV and as XLSX.

- Dashboard: ``reports.selectors.dashboard`` as the page runs it (``access.scanning``, no replica), p50 / p95 over
  10 runs, for the first lead authority's team manager (``bench.tm``, as themselves) and for the police force
  (``bench.police``'s agency, as its Partner manager or analyst counts it). Floor: the same tables' aggregates as
  hand-written SQL over the agency's grant rows, one statement per app query.
- Export: a bench-only agency holding a view grant on every case (inserted inside a transaction that is rolled
  back), whose team manager exports the "cases" list; the build runs in this process exactly as the worker runs it
  (``reports.exports.build``), so its time and its peak memory are the export's. Each format in a fresh process.

    DEBUG=1 .venv/bin/python -m bench.reports [--json] dashboard | export csv | export xlsx
"""
# ruff: noqa: S608 -- the floor's SQL is ours, built from model metadata, ids and ISO dates, never from input.

import json
import os
import resource
import sys
import time

REPEAT = 10


def _setup():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    os.environ["REPLICA_DATABASE_URL"] = ""  # one database: the figures are the queries', not replication's
    django.setup()


def _timed(fn) -> dict:
    import statistics

    fn()  # warm
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1)}


def _floor_statements(agency, period, today) -> list[tuple[str, list]]:
    """The dashboard's aggregates as hand-written SQL, one statement for each of the app's queries."""
    from assessments.models import Assessment
    from cases.models import Case, CaseStatus, HarmType, RiskLevel, Sex
    from contexts.models import PeerGroup, Place
    from panels.models import Meeting
    from reports.selectors import AGE_BANDS, ETHNICITIES
    from safeguarding import access

    def grants(model):
        table = access.grant_model(model)._meta.db_table
        return (f"SELECT content_object_id FROM {table} WHERE group_id = {agency.group_id} "
                f"AND permission_id = {access.permission_id(model, access.VIEW)}")

    cases, places, groups = grants(Case), grants(Place), grants(PeerGroup)
    people = (f"SELECT id FROM cases_youngperson WHERE owning_agency_id = {agency.pk} UNION "
              f"SELECT c.young_person_id FROM cases_case c WHERE c.id IN ({cases})")
    start, end, day = period.start.isoformat(), period.end.isoformat(), today.isoformat()
    counts = ["count(*) FILTER (WHERE c.status = 'open')",
              f"count(*) FILTER (WHERE c.opened_on BETWEEN '{start}' AND '{end}')",
              f"count(*) FILTER (WHERE c.closed_on BETWEEN '{start}' AND '{end}')",
              f"count(*) FILTER (WHERE c.status = 'open' AND c.next_review_on < '{day}')"]
    counts += [f"count(*) FILTER (WHERE c.status = 'open' AND c.harm_types @> ARRAY['{k}']::varchar[])"
               for k in HarmType.values]
    counts += [f"count(*) FILTER (WHERE c.status = 'open' AND c.risk_level = '{k}')" for k in RiskLevel.values]
    counts += [f"count(*) FILTER (WHERE c.status = 'open' AND y.sex = '{k}')" for k in Sex.values]
    counts += [f"count(*) FILTER (WHERE c.status = 'open' AND y.ethnicity = '{k}')" for k, _ in ETHNICITIES]
    for _key, _label, youngest, oldest in AGE_BANDS:
        counts.append(f"count(*) FILTER (WHERE c.status = 'open' AND y.date_of_birth > '{day}'::date - "
                      f"interval '{oldest + 1} years' AND y.date_of_birth <= '{day}'::date - interval '{youngest} "
                      "years')")
    stale = f"ended_on IS NULL AND review_by < '{day}'"
    subject = (f"(young_person_id IN ({people}) OR place_id IN ({places}) OR peer_group_id IN ({groups}))")
    meetings = grants(Meeting)
    return [
        (f"SELECT {', '.join(counts)} FROM cases_case c JOIN cases_youngperson y ON y.id = c.young_person_id "
         f"WHERE c.id IN ({cases})", []),
        (f"SELECT c.lead_practitioner_id, u.first_name, u.last_name, u.team_id, t.name, count(*) FROM cases_case c "
         "LEFT JOIN safeguarding_user u ON u.id = c.lead_practitioner_id LEFT JOIN safeguarding_team t ON "
         f"t.id = u.team_id WHERE c.status = '{CaseStatus.OPEN}' AND c.id IN ({cases}) GROUP BY 1, 2, 3, 4, 5", []),
        (f"SELECT kind, status, ward, count(*) FROM contexts_place WHERE id IN ({places}) GROUP BY 1, 2, 3", []),
        (f"SELECT status, count(*) FROM contexts_peergroup WHERE id IN ({groups}) GROUP BY 1", []),
        (f"SELECT count(*) FROM contexts_placelink WHERE {stale} AND place_id IN ({places}) AND "
         f"(young_person_id IN ({people}) OR peer_group_id IN ({groups}))", []),
        (f"SELECT count(*) FROM contexts_membership WHERE {stale} AND peer_group_id IN ({groups}) AND "
         f"young_person_id IN ({people})", []),
        (f"SELECT count(*) FROM contexts_association WHERE {stale} AND person_id IN ({people}) AND "
         f"other_id IN ({people})", []),
        (f"SELECT status, count(*) FROM {Assessment._meta.db_table} WHERE {subject} GROUP BY 1", []),
        ("SELECT r.agency_id, a.name, count(*) FROM assessments_contributionrequest r JOIN safeguarding_agency a ON "
         f"a.id = r.agency_id JOIN assessments_assessment s ON s.id = r.assessment_id WHERE r.status = 'requested' "
         f"AND r.due_on < '{day}' AND (r.agency_id = {agency.pk} OR (s.young_person_id IN ({people}) OR "
         f"s.place_id IN ({places}) OR s.peer_group_id IN ({groups}))) GROUP BY 1, 2", []),
        ("SELECT x.owner_agency_id, a.name, count(*) FILTER (WHERE x.status IN ('open', 'in_progress')), "
         f"count(*) FILTER (WHERE x.status IN ('open', 'in_progress') AND x.due_on < '{day}'), "
         "count(*) FILTER (WHERE x.status = 'done') FROM panels_action x JOIN safeguarding_agency a ON "
         f"a.id = x.owner_agency_id WHERE x.owner_agency_id = {agency.pk} OR x.item_id IN (SELECT i.id FROM "
         f"panels_agendaitem i WHERE i.meeting_id IN ({meetings}) AND (i.kind = 'theme' OR i.young_person_id IN "
         f"({people}) OR i.place_id IN ({places}) OR i.peer_group_id IN ({groups}))) GROUP BY 1, 2", []),
    ]


def dashboard() -> dict:
    _setup()
    from django.db import connection
    from django.utils import timezone

    from reports import selectors
    from safeguarding import access
    from safeguarding.models import User

    period, today = selectors.Period.this_quarter(), timezone.localdate()
    readers = {"bench.tm": User.objects.get(username="bench.tm"),
               "bench.police's agency": access.AgencyReader(User.objects.get(username="bench.police").agency)}
    figures = {}
    for name, reader in readers.items():
        statements = _floor_statements(reader.agency, period, today)

        def app(reader=reader):
            with access.scanning():
                return selectors.dashboard(reader, period)

        def floor(statements=statements):
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        tables = app()
        with connection.cursor() as cursor:
            cursor.execute(statements[0][0])
            open_cases = cursor.fetchone()[0]
        assert tables["totals"][0].count == open_cases, "the dashboard and the hand-written SQL disagree"
        figures[name] = {"agency": reader.agency.name, "open_cases": open_cases, "app": _timed(app),
                         "floor": _timed(floor), "queries": 10}
    return figures


def export(fmt: str) -> dict:
    _setup()
    import tempfile

    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction

    from cases.models import Case
    from reports import exports, services
    from safeguarding import access
    from safeguarding.models import AgencyKind
    from safeguarding.roles import Role
    from safeguarding.services import agency_create, user_create

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-export-")
    system = access.system("bench")
    figures = {}
    with transaction.atomic():
        agency = agency_create(actor=system, name="Bench regional analysts (rolled back)", kind=AgencyKind.OTHER)
        view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases").pk
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO cases_casegroupobjectpermission (group_id, permission_id, content_object_id) "
                           "SELECT %s, %s, id FROM cases_case", [agency.group_id, view_case])
        manager = user_create(actor=system, username="bench.regional.tm", agency=agency, roles=[Role.TEAM_MANAGER])
        request = services.export_request(actor=manager, what="cases", params={}, fmt=fmt)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        made = exports.build(request.pk)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures = {"format": fmt, "rows": made.rows, "all_cases": Case.objects.count(),
                   "bytes": made.size, "seconds": round(elapsed, 1),
                   "peak_mib": round(peak / 1024, 1), "before_mib": round(before / 1024, 1)}
        transaction.set_rollback(True)
    return figures


def main(argv):
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    result = dashboard() if argv[0] == "dashboard" else export(argv[1])
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
