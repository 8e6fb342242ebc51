"""Disproportionality: every figure against an independent count (plain Python over the rows the reader's agency can
see, read from its grant rows, never through reports.selectors), the confidence interval on a known example,
suppression of small numbers for everyone, what an outsider sees, and the page's queries pinned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment, Framework
from cases import services as case_services
from cases.models import Case, CaseGroupObjectPermission, ChronologyEntry, EntryKind, Sex, TrustedAdult
from panels import services as panel_services
from panels.models import Action, MeetingGroupObjectPermission
from reports import selectors, stats
from safeguarding import access
from safeguarding.models import AgencyKind

from ..conftest import assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory
from ..security import world as world_module
from .conftest import years_ago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scanner")]  # the world scans its documents
URL = "/reports/disproportionality/"


@pytest.fixture
def data(alice, mandy, colin, adam, pete, sam, oscar, agencies, cast):
    world, _ = world_module.build(cast, agencies)
    now = timezone.now()
    mix = [(Sex.MALE, "black_caribbean", 14)] * 7 + [(Sex.MALE, "white_british", 15)] * 8 \
        + [(Sex.FEMALE, "white_british", 16)] * 6 + [(Sex.FEMALE, "asian_pakistani", 19)] * 2
    people = []
    for i, (sex, ethnicity, age) in enumerate(mix):
        person = YoungPersonFactory(actor=alice, sex=sex, ethnicity=ethnicity, date_of_birth=years_ago(age, 10))
        case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice)
        people.append(person)
        if i % 2:
            case_services.trusted_adult_add(actor=alice, young_person=person, name="A friend", relationship="Uncle")
        if i % 3 == 0:
            case_services.chronology_add(actor=alice, case=case, kind=EntryKind.ARREST, occurred_at=now, text="x")
        if i % 4 == 0:
            case_services.chronology_add(actor=alice, case=case, kind=EntryKind.NRM_REFERRAL, occurred_at=now,
                                         text="x")
        if i % 3 == 1:
            assessment_services.assessment_start(actor=alice, subject=person,
                                                 framework=Framework.objects.get(key="individual-screening"))
        if i % 5 == 0:
            case_services.chronology_add(actor=alice, case=case, kind=EntryKind.RETURN_INTERVIEW, occurred_at=now,
                                         text="x")
    panel_services.action_add(actor=colin, item=world["item"], description="Disruption visit",
                              owner_agency=agencies["police"], due_on=timezone.localdate() + timedelta(days=7))
    return {"world": world, "people": people}


def _independent(reader_agency) -> dict:
    """Per young person with a case the agency can see: their groups and which measures are recorded."""
    group = reader_agency.group
    cases = {row.content_object_id for row in CaseGroupObjectPermission.objects.filter(
        group=group, permission__codename="view_case")}
    meetings = {row.content_object_id for row in MeetingGroupObjectPermission.objects.filter(
        group=group, permission__codename="view_meeting")}
    today = timezone.localdate()
    people = {}
    for case in Case.objects.filter(pk__in=cases).select_related("young_person"):
        person = case.young_person
        dob = person.date_of_birth
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        band = next((key for key, _l, youngest, oldest in selectors.AGE_BANDS if youngest <= age <= oldest), "other")
        people[person.pk] = {"ethnicity": person.ethnicity, "sex": person.sex, "band": band}
    entries = [e for e in ChronologyEntry.objects.all() if e.case_id in cases and not e.restricted]
    for pk, row in people.items():
        kinds = {e.kind for e in entries if Case.objects.get(pk=e.case_id).young_person_id == pk}
        row["trusted"] = TrustedAdult.objects.filter(young_person_id=pk).exists()
        row["nrm"] = EntryKind.NRM_REFERRAL in kinds
        row["rhi"] = EntryKind.RETURN_INTERVIEW in kinds
        row["arrest"] = EntryKind.ARREST in kinds
        row["assessed"] = any(a.young_person_id == pk for a in Assessment.objects.all())
        row["police_action"] = any(
            a.item.young_person_id == pk and a.owner_agency.kind == AgencyKind.POLICE
            and (a.owner_agency_id == reader_agency.pk or a.item.meeting_id in meetings)
            for a in Action.objects.select_related("item", "owner_agency"))
        row["welfare"] = row["trusted"] or row["nrm"] or row["rhi"] or row["assessed"]
        row["enforcement"] = row["arrest"] or row["police_action"]
    return people


def test_the_interval_on_a_known_example():
    result = stats.rate_ratio(20, 100, 10, 100)  # 20% against 10%
    assert result.ratio == pytest.approx(2.0)
    # 1.96 * sqrt(1/20 - 1/100 + 1/10 - 1/100) = 1.96 * sqrt(0.13) = 0.706693
    assert result.low == pytest.approx(0.98656, abs=1e-4)
    assert result.high == pytest.approx(4.05448, abs=1e-4)
    assert stats.rate_ratio(0, 10, 3, 10) is None and stats.rate_ratio(3, 10, 0, 10) is None


@pytest.mark.parametrize("who", ["mandy", "anna", "polly"])
def test_every_figure_matches_an_independent_count(data, mandy, anna, polly, agencies, settings, who):
    settings.REPORTS_SUPPRESS_BELOW = 1  # nothing suppressed: every figure is compared
    reader = {"mandy": mandy, "anna": anna, "polly": polly}[who]
    people = _independent(reader.agency)
    assert people
    for measure in selectors.MEASURE_KEYS:
        for table in selectors.disproportionality(reader, measure, {}):
            expected = {}
            for row in people.values():
                n, count = expected.get(row[table.key], (0, 0))
                expected[row[table.key]] = (n + 1, count + row[measure])
            assert {g.key: (g.n, g.count) for g in table.rows} == expected, (measure, table.key)
            reference = max(table.rows, key=lambda g: g.n)
            assert table.reference == reference.key
            for group in table.rows:
                assert group.rate == pytest.approx(100 * group.count / group.n)
                if group is not reference:
                    ratio = stats.rate_ratio(group.count, group.n, reference.count, reference.n)
                    assert group.ratio == ratio


def test_the_reference_group_is_chosen_and_ratios_follow(data, mandy, client, settings):
    settings.REPORTS_SUPPRESS_BELOW = 1
    tables = {t.key: t for t in selectors.disproportionality(mandy, "trusted", {"ethnicity": "black_caribbean"})}
    ethnicity = tables["ethnicity"]
    assert ethnicity.reference == "black_caribbean"
    rows = {g.key: g for g in ethnicity.rows}
    ref, white = rows["black_caribbean"], rows["white_british"]
    assert ref.reference and white.ratio.ratio == pytest.approx((white.count / white.n) / (ref.count / ref.n))
    client_for(client, mandy)
    response = client.get(URL + "?measure=trusted&ref_ethnicity=black_caribbean")
    assert response.status_code == 200 and "log method" in response.content.decode()


@pytest.mark.parametrize("who", ["mandy", "anna"])
def test_small_numbers_are_suppressed_for_everyone(data, mandy, anna, client, who):
    reader = {"mandy": mandy, "anna": anna}[who]
    tables = {t.key: t for t in selectors.disproportionality(reader, "welfare", {"band": "18-25"})}
    for table in tables.values():
        for group in table.rows:
            small = 0 < group.n < 5 or 0 < group.count < 5 or 0 < group.n - group.count < 5
            assert group.suppressed == small
            if small:
                assert group.rate is None and group.ratio is None and not group.reference
                assert group.count_shown in ("fewer than 5", "suppressed")
    band = {g.key: g for g in tables["band"].rows}
    assert band["18-25"].n_shown == "fewer than 5"  # two young people, and not the reference though asked for
    assert tables["band"].reference != "18-25"
    client_for(client, reader)
    page = client.get(URL).content.decode()
    assert "fewer than 5" in page
    assert "Zephyrine" not in page and "Quillfeather" not in page


def test_an_outsider_sees_nothing_identifying(data, pete, oscar, polly, client):
    for person in (pete, oscar):
        client_for(client, person)
        assert client.get(URL).status_code == 403
    # A police manager counts only what is shared with the police: none of the local authority's own young people.
    client_for(client, polly)
    page = client.get(URL).content.decode()
    assert "Zephyrine" not in page and "Thistlewood" not in page
    visible = access.visible(polly, Case.objects.all()).count()
    counted = sum(g.n for g in selectors.disproportionality(polly, "welfare", {})[0].rows)
    assert counted <= visible < len(data["people"])


QUERIES = ["session", "user and agency", "role permissions",
           "young people with a visible case by ethnicity, sex and age band, every measure: one aggregate"]


@pytest.mark.parametrize("role", ["manager", "analyst"])
def test_the_page_makes_the_same_queries_for_few_and_many_records(client, alice, mandy, anna, role):
    reader = mandy if role == "manager" else anna
    for _ in range(2):
        CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), lead_practitioner=alice)
    assert_queries(client, reader, URL, QUERIES)
    for i in range(8):
        person = YoungPersonFactory(actor=alice, ethnicity="white_british" if i % 2 else "black_african")
        CaseFactory(actor=alice, young_person=person, lead_practitioner=mandy)
        case_services.trusted_adult_add(actor=alice, young_person=person, name="A friend", relationship="Aunt")
    assert_queries(client, reader, URL + "?measure=trusted&ref_sex=male", QUERIES)


def test_a_period_counts_the_young_people_open_in_it_and_the_responses_dated_in_it(alice, mandy, client):
    now, today = timezone.now(), timezone.localdate()
    recent = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice, sex=Sex.MALE),
                         lead_practitioner=alice)
    long_ago = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice, sex=Sex.MALE),
                           lead_practitioner=alice, opened_on=today - timedelta(days=900))
    case_services.case_close(actor=mandy, case=long_ago, expected_version=long_ago.version, reason="other",
                             closed_on=today - timedelta(days=800), note="Moved away")
    case_services.chronology_add(actor=alice, case=recent, kind=EntryKind.ARREST, occurred_at=now, text="x")
    case_services.chronology_add(actor=alice, case=recent, kind=EntryKind.NRM_REFERRAL,
                                 occurred_at=now - timedelta(days=500), text="x")

    def totals(period):
        rows = selectors.disproportionality_counts(mandy, today, period)
        return {key: sum(row[key] for row in rows) for key in ("n", "arrest", "nrm")}

    assert totals(None) == {"n": 2, "arrest": 1, "nrm": 1}
    assert totals(selectors.Period.this_quarter()) == {"n": 1, "arrest": 1, "nrm": 0}  # the NRM was 500 days ago
    client_for(client, mandy)
    page = client.get(URL + "?period=quarter").content.decode()
    assert '<option value="quarter" selected>' in page and "open at some time from" in page
    assert client.get(URL + "?period=nonsense").status_code == 200
