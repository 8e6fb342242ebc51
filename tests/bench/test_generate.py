"""The benchmark data generator (bench.generate), run small: its proportions, its grants, the benchmark partner's view,
and that the app works normally afterwards (sequences, history triggers and foreign-key checks back on)."""

import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone

from assessments import frameworks
from assessments.models import Assessment
from bench.generate import BENCH_AGENCY, Refused, generate
from cases import services as case_services
from cases.models import Case, CaseGroupObjectPermission, ChronologyEntry, EntryKind, HarmType, YoungPerson
from contexts.models import Association, Membership, PeerGroup, Place, PlaceLink
from panels.models import Action, AgendaItem, Meeting, MeetingGroupObjectPermission
from safeguarding import access, dbroles
from safeguarding.models import Agency, User
from tests.conftest import LAWFUL

N = 300
# The generator drops and rebuilds indexes, so it runs as the owner role (not a superuser: history triggers stay on)
# and commits; the tests then read as the app role, and the tables are emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)


def _as_owner_on_a_migrated_database():
    """Connect as the owner, with the data the migrations installed (an earlier test's flush emptied it)."""
    for migration in ("assessments.migrations.0002_shipped_frameworks",
                      "safeguarding.migrations.0003_language_phrases_default"):
        importlib.import_module(migration).Migration.operations[-1].code(apps, None)
    return dbroles.as_owner()


def _indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        return set(cursor.fetchall())


@pytest.fixture
def generated(db):
    indexes_before = _indexes()
    out = io.StringIO()
    with _as_owner_on_a_migrated_database():
        result = generate(young_people=N, seed=7, stdout=out)
    result["output"] = out.getvalue()
    result["indexes_before"] = indexes_before
    return result


def test_counts_are_in_proportion(generated):
    cases = Case.objects.count()
    entries = ChronologyEntry.objects.count()
    shares = CaseGroupObjectPermission.objects.exclude(group_id=F("content_object__owning_agency__group_id")).count()
    assert YoungPerson.objects.count() == N
    assert 0.95 * N <= cases <= 1.1 * N  # most have one case, some none, some two
    assert 1.6 * N <= shares <= 2.5 * N  # about two share grants per young person beyond ownership
    assert 4 <= entries / cases <= 12  # about six, plus the long tail
    assert ChronologyEntry.objects.values("case").annotate(n=Count("id")).order_by("-n").first()["n"] >= 500
    assert Place.objects.count() == 20 and PeerGroup.objects.count() == 5
    assert Membership.objects.exists() and Association.objects.exists() and PlaceLink.objects.exists()
    assert Assessment.objects.count() == N // 20
    # The benchmark authority's three meetings: held, held last week with actions (some still outstanding from the
    # first), and one to come.
    held, last_week, coming = Meeting.objects.order_by("starts_at")
    assert held.panel_id == last_week.panel_id == coming.panel_id
    for meeting in (held, last_week, coming):
        assert 8 <= AgendaItem.objects.filter(meeting=meeting).count() <= 12
        grants = MeetingGroupObjectPermission.objects.filter(content_object=meeting)
        assert grants.values("group").distinct().count() > 1
    assert Action.objects.filter(item__meeting=last_week).exists()
    assert not Action.objects.filter(item__meeting=coming).exists()
    assert generated["counts"]["cases_case"] == cases
    assert "verify foreign keys" in generated["timings"]
    assert "sees" in generated["output"] and "total" in generated["output"]


def test_every_shared_record_has_its_owners_three_levels(generated):
    def owner_grant(model, level):
        return Exists(access.grant_model(model).objects.filter(
            content_object=OuterRef("pk"), group_id=OuterRef("owning_agency__group_id"),
            permission__codename=access.codename(model, level)))

    for model in (Case, Place, PeerGroup, Meeting):
        assert model.objects.exists()
        for level in access.LEVELS:
            assert not model.objects.exclude(owner_grant(model, level)).exists(), (model, level)
    # Sharing reaches other agencies: every case is shared with at least one, at view or more.
    shared = CaseGroupObjectPermission.objects.filter(content_object=OuterRef("pk"), permission__codename="view_case")
    assert not Case.objects.exclude(Exists(shared.exclude(group_id=OuterRef("owning_agency__group_id")))).exists()


def test_the_benchmark_force_sees_some_cases_but_not_all(generated):
    police = User.objects.get(username="bench.police")
    assert police.agency.name == BENCH_AGENCY
    seen = access.visible(police, Case.objects.all()).count()
    assert 0 < seen < Case.objects.count()
    assert seen == generated["bench_visible_cases"]
    # Young people through their cases; chronology through the case.
    people = access.visible(police, YoungPerson.objects.all())
    assert people.count() == access.visible(police, Case.objects.all()).values("young_person").distinct().count()
    entries = access.visible(police, ChronologyEntry.objects.all())
    assert 0 < entries.count() < ChronologyEntry.objects.count()
    # The authority's social worker sees every case it owns.
    sw = User.objects.get(username="bench.sw")
    assert access.visible(sw, Case.objects.all()).count() == Case.objects.filter(owning_agency=sw.agency).count()


def test_the_app_works_normally_afterwards(generated):
    sw = User.objects.get(username="bench.sw")
    police = Agency.objects.get(name=BENCH_AGENCY)
    last_case = Case.objects.order_by("-pk").first().pk
    CaseEvent = apps.get_model("cases", "CaseEvent")
    events = CaseEvent.objects.count()
    person = case_services.young_person_create(actor=sw, first_name="Test", last_name="Person",
                                               date_of_birth=timezone.localdate() - timedelta(days=15 * 365),
                                               sex="female")
    case = case_services.case_open(actor=sw, young_person=person, harm_types=[HarmType.CCE])
    assert case.pk > last_case  # the sequence was moved past the generated rows
    assert case.reference == f"EFH-{case.opened_on:%Y}-{case.pk:06d}"
    case_services.chronology_add(actor=sw, case=case, kind=EntryKind.NOTE, occurred_at=timezone.now(),
                                 text="First visit arranged.")
    access.share(actor=sw, obj=case, agency=police, level=access.CONTRIBUTE, basis=LAWFUL)
    assert access.can(User.objects.get(username="bench.police"), case, access.CONTRIBUTE)
    assert CaseEvent.objects.count() > events  # history triggers are on again
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign keys of the rows just written


def test_no_constraint_is_broken(generated):
    # Every index dropped for the copy is back, as it was (unique ones included, so duplicates would have failed).
    assert _indexes() == generated["indexes_before"]
    # A sample of every kind of record passes the models' own validation (validators and constraints).
    for model in (YoungPerson, Case, ChronologyEntry, Place, PeerGroup, Membership, Association, PlaceLink,
                  Assessment, Meeting, AgendaItem, Agency):
        for record in model.objects.order_by("?")[:25]:
            record.full_clean()
    for user in User.objects.order_by("?")[:25]:
        user.full_clean(exclude=["password"])
    for assessment in Assessment.objects.select_related("framework_version"):
        frameworks.clean_answers(assessment.framework_version.definition, assessment.answers,
                                 complete=assessment.status != "draft")


def test_refuses_a_database_that_already_holds_young_people(generated):
    with pytest.raises(Refused):
        generate(young_people=10, stdout=io.StringIO())
    if "bench" not in connection.settings_dict["NAME"]:
        with pytest.raises(Refused):
            generate(young_people=10, stdout=io.StringIO(), force=True)
    with pytest.raises(CommandError):
        call_command("generate", young_people=10, stdout=io.StringIO())


def test_the_command_generates(db):
    out = io.StringIO()
    with _as_owner_on_a_migrated_database():
        call_command("generate", young_people=50, seed=3, stdout=out)
    assert YoungPerson.objects.count() == 50
    assert BENCH_AGENCY in out.getvalue()


def test_the_load_benchmark_measures_the_police_api_case_list_beside_the_html_one(generated):
    """bench.load's partner API page: a client of the police registered for the run reads its case list (200, the
    same cases as the HTML list's first page, the API's four queries)."""
    from django.test import Client

    from bench import load
    from cases import selectors

    logins = {"sw": User.objects.get(username="bench.sw"), "police": User.objects.get(username="bench.police")}
    pages, _ = load._targets(logins["sw"], logins["police"])
    assert pages["police.api_cases"] == ("police_api", "/api/v1/cases/")
    credential = load.api_credential(logins["police"])
    counts, statuses = load._query_counts(logins, {k: pages[k] for k in ("police.cases", "police.api_cases")},
                                          credential)
    assert statuses == {} and counts["police.api_cases"] == 4
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {credential}").get("/api/v1/cases/").json()["results"]
    html = selectors.cases_list(logins["police"])[:25]  # the HTML list's first page, in its order
    assert [row["id"] for row in listed] == [case.pk for case in html]
