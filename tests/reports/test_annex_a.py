"""Ofsted's Annex A list of children who go missing, and the census factors found from missing episodes and NRM
referrals: the rows and the counts against an independent count of the records, the export through the export job,
names only for who may see them, and the queries pinned."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import RHI_OFFER_WITHIN, HarmType, MissingEpisode, Sex
from reports import exports, returns, selectors
from reports import services as report_services
from safeguarding import access
from tests.conftest import LAWFUL

from ..conftest import assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory
from .conftest import years_ago

pytestmark = pytest.mark.django_db


def _at(days_ago: float):
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def media(tmp_path, settings):
    """Files in a temporary folder, read from the primary (a replica sees nothing of a test's open transaction)."""
    settings.MEDIA_ROOT = tmp_path
    settings.DATABASES = {alias: value for alias, value in settings.DATABASES.items() if alias != "replica"}
    return tmp_path


@pytest.fixture
def borough(alice, pete, agencies):
    """Five young people: episodes in time, late, not offered, still missing, long ago; NRM referrals for sexual and
    criminal exploitation; one case shared with the police, the rest the council's alone."""
    people = [YoungPersonFactory(actor=alice, sex=sex, ethnicity=ethnicity, la_person_id=f"LA{i}",
                                 date_of_birth=years_ago(14, days=30 * (i + 1)))
              for i, (sex, ethnicity) in enumerate([(Sex.FEMALE, "black_caribbean"), (Sex.MALE, "white_british"),
                                                    (Sex.FEMALE, "mixed_other"), (Sex.MALE, "asian_indian"),
                                                    (Sex.NOT_KNOWN, "not_known")])]
    cases = [CaseFactory(actor=alice, young_person=person, harm_types=[HarmType.SYV],
                         opened_on=timezone.localdate() - timedelta(days=500)) for person in people]
    access.share(actor=alice, obj=cases[0], agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    record, interview = case_services.missing_episode_record, case_services.return_interview_record
    # 0: twice this quarter: one interview in time and accepted, one late and declined (recorded by the police).
    first = record(actor=pete, case=cases[0], missing_at=_at(9), found_at=_at(8.5), reported_by="Carer")
    interview(actor=alice, episode=first, outcome="accepted", offered_at=_at(8), held_on=timezone.localdate())
    second = record(actor=pete, case=cases[0], missing_at=_at(7), found_at=_at(6.9), reported_by="Carer")
    interview(actor=alice, episode=second, outcome="declined", offered_at=_at(1))
    # 1: not offered, with the reason; 2: still missing; 3: back, none recorded, overdue; 4: long ago only.
    third = record(actor=alice, case=cases[1], missing_at=_at(5), found_at=_at(4.8), reported_by="Mum")
    interview(actor=alice, episode=third, outcome="not_offered", not_offered_reason="Placed out of area")
    record(actor=alice, case=cases[2], missing_at=_at(0.5), reported_by="Residential staff")
    record(actor=alice, case=cases[3], missing_at=_at(6), found_at=_at(5.5), reported_by="Dad", harm_disclosed=True,
           harm_detail="Bruising")
    record(actor=alice, case=cases[4], missing_at=_at(400), found_at=_at(399), reported_by="Mum")
    nrm = case_services.nrm_referral_record
    nrm(actor=alice, case=cases[1], first_responder="local_authority", referred_on=timezone.localdate(),
        exploitation_types=["sexual"])
    nrm(actor=alice, case=cases[3], first_responder="police", referred_on=timezone.localdate() - timedelta(days=3),
        exploitation_types=["criminal", "labour"])
    return {"people": people, "cases": cases}


def _period():
    today = timezone.localdate()
    return selectors.Period(today - timedelta(days=30), today, "Last 30 days")


def _independent_episodes(period):
    """Episodes open in the period, counted in Python from every row."""
    tz = timezone.get_current_timezone()
    start = timezone.datetime.combine(period.start, timezone.datetime.min.time(), tz)
    end = timezone.datetime.combine(period.end, timezone.datetime.max.time(), tz)
    return [e for e in MissingEpisode.objects.select_related("case__young_person", "return_interview")
            if e.missing_at <= end and (e.found_at is None or e.found_at >= start)]


def test_the_annex_a_list_holds_every_episode_open_in_the_period_in_the_census_codes(borough, mandy):
    period = _period()
    rows = list(selectors.drilldown(mandy, "annex-a-missing", {}, period))
    expected = _independent_episodes(period)
    assert sorted(e.pk for e in rows) == sorted(e.pk for e in expected) and len(rows) == 5
    headings = [h for h, _ in returns.ANNEX_A_COLUMNS]
    table = {e.pk: dict(zip(headings, [cell(e) for _, cell in returns.ANNEX_A_COLUMNS], strict=True)) for e in rows}
    by_child = {}
    for row in table.values():
        by_child.setdefault(row["Child ID"], []).append(row)
    first, second = sorted(by_child["LA0"], key=lambda r: r["Missing from"])
    assert (first["Sex"], first["Ethnicity"], first["Age at start of episode"]) == ("F", "BCRB", 14)
    assert (first["RHI offered within 72 hours"], first["RHI outcome"], first["Hours late"]) == (
        "Yes", "Offered and accepted", "")
    assert first["RHI accepted and held on"] == timezone.localdate()
    assert (second["RHI offered within 72 hours"], second["RHI outcome"]) == ("No", "Offered and declined")
    assert second["Hours late"] == int(((_at(1) - _at(6.9)) - RHI_OFFER_WITHIN).total_seconds() // 3600)
    assert by_child["LA1"][0]["RHI offered within 72 hours"] == "Not offered"
    assert by_child["LA2"][0]["Found or returned"] == "Still missing"
    assert by_child["LA3"][0]["RHI offered within 72 hours"] == "Not yet offered: overdue"
    assert by_child["LA3"][0]["Harm disclosed"] == "Yes" and "LA4" not in by_child


def test_the_annex_a_counts_match_an_independent_count_and_the_police_count_what_is_shared(borough, mandy, polly):
    period = _period()
    episodes = _independent_episodes(period)
    interviews = [e.interview for e in episodes if e.interview is not None]
    offered = [i for i in interviews if i.outcome in ("accepted", "declined")]
    expected = [len(episodes), len({e.case.young_person_id for e in episodes}),
                sum(e.found_at is None for e in episodes), len(offered),
                sum(i.offered_at > i.episode.found_at + RHI_OFFER_WITHIN for i in offered),
                sum(i.outcome == "accepted" for i in interviews), sum(i.outcome == "not_offered" for i in interviews),
                sum(e.interview is None and e.found_at is not None and e.rhi_lateness() is not None for e in episodes)]
    assert [f.count for f in selectors.missing_figures(mandy, period)] == expected == [5, 4, 1, 2, 1, 1, 1, 1]
    # The police see the one case shared with them: its two episodes, one child.
    assert [f.count for f in selectors.missing_figures(polly, period)][:2] == [2, 1]


def test_census_factors_come_from_episodes_and_nrm_referrals_too(borough, mandy):
    period = _period()
    rows = {c.young_person.la_person_id: c for c in selectors.drilldown(mandy, "cin-factors", {}, period)}
    factors = {child: dict(zip([h for h, _ in returns.COLUMNS], [cell(c) for _, cell in returns.COLUMNS],
                               strict=True))["Factors identified"] for child, c in rows.items()}
    # Serious youth violence alone stands for no factor: everything here is from the records.
    assert factors == {"LA0": "10A", "LA1": "10A,11A,12A", "LA2": "10A", "LA3": "10A,12A,24A", "LA4": ""}
    figures = {f.label.split(" ", 1)[0]: f.count for f in selectors.census_factors(mandy, period)}
    for code in ("10A", "11A", "12A", "13A", "19B", "24A"):
        assert figures[code] == sum(code in value.split(",") for value in factors.values()), code
    earlier = selectors.Period(date(2000, 1, 1), date(2000, 12, 31), "2000")
    assert {f.count for f in selectors.census_factors(mandy, earlier)} == {0}


def test_the_annex_a_list_exports_through_the_export_job_to_csv_and_excel(borough, media, client, mandy, anna):
    from openpyxl import load_workbook

    period = _period()
    made = {fmt: report_services.export_request(actor=mandy, what="annex-a-missing", params=period.params(),
                                                fmt=fmt) for fmt in ("csv", "xlsx")}
    for export in made.values():
        exports.build(export.pk)
        export.refresh_from_db()
        assert export.status == "ready" and export.rows == 5
    client_for(client, mandy)
    text = b"".join(client.get(reverse("reports-export-download", args=[made["csv"].pk])).streaming_content)
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[0] == [h for h, _ in returns.ANNEX_A_COLUMNS] and len(lines) == 6
    assert sorted(line[0] for line in lines[1:]) == ["LA0", "LA0", "LA1", "LA2", "LA3"]
    book = load_workbook(io.BytesIO(b"".join(client.get(reverse(
        "reports-export-download", args=[made["xlsx"].pk])).streaming_content)))
    assert book.active.max_row == 6
    with pytest.raises(Exception, match="figures, not the records"):
        report_services.export_request(actor=anna, what="annex-a-missing", params={}, fmt="csv")


def test_the_returns_page_shows_the_annex_with_names_for_a_manager_and_suppressed_for_an_analyst(
        borough, client, mandy, anna):
    client_for(client, mandy)
    page = client.get(reverse("reports-returns")).content.decode()
    assert "Ofsted Annex A: children who go missing" in page and 'value="annex-a-missing"' in page
    assert "list=annex-a-missing" in page
    listing = client.get(reverse("reports-list") + "?list=annex-a-missing").content.decode()
    assert reverse("missing-episode", args=[MissingEpisode.objects.first().pk]) in listing or "LA" in listing
    client_for(client, anna)
    page = client.get(reverse("reports-returns")).content.decode()
    assert 'value="annex-a-missing"' not in page and "fewer than 5" in page


def test_the_returns_page_makes_the_same_queries_for_few_and_many_episodes(client, alice, mandy):
    expected = ["session", "user and agency", "role permissions", "cases open in the period by factor: one aggregate",
                "missing episodes open in the period and their interviews: one aggregate"]
    case = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), harm_types=[HarmType.CSE])
    case_services.missing_episode_record(actor=alice, case=case, missing_at=_at(3), reported_by="Mum")
    assert_queries(client, mandy, reverse("reports-returns"), expected)
    for i in range(6):
        case = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice), harm_types=[HarmType.CCE])
        episode = case_services.missing_episode_record(actor=alice, case=case, missing_at=_at(5 + i),
                                                       found_at=_at(4 + i), reported_by="Carer")
        case_services.return_interview_record(actor=alice, episode=episode, outcome="declined", offered_at=_at(1))
        case_services.nrm_referral_record(actor=alice, case=case, first_responder="police",
                                          referred_on=timezone.localdate(), exploitation_types=["criminal"])
    assert_queries(client, mandy, reverse("reports-returns"), expected)


def test_the_annex_a_list_page_makes_the_same_queries_for_few_and_many(client, alice, mandy):
    url = reverse("reports-list") + "?list=annex-a-missing"
    expected = ["session", "user and agency", "role permissions", "count of the episodes (paginator)",
                "a page of episodes with case, young person and interview", "audit row (search)"]
    case = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice))
    case_services.missing_episode_record(actor=alice, case=case, missing_at=_at(3), reported_by="Mum")
    assert_queries(client, mandy, url, expected)
    for i in range(6):
        case = CaseFactory(actor=alice, young_person=YoungPersonFactory(actor=alice))
        episode = case_services.missing_episode_record(actor=alice, case=case, missing_at=_at(5 + i),
                                                       found_at=_at(4 + i), reported_by="Carer")
        case_services.return_interview_record(actor=alice, episode=episode, outcome="declined", offered_at=_at(1))
    assert_queries(client, mandy, url, expected)


def test_welfare_measures_count_recorded_referrals_and_accepted_interviews(borough, mandy, alice):
    """NRM referrals and accepted return home interviews recorded as data count as welfare responses; so does an entry
    of their kind written as text before, and a declined or not-offered interview does not."""
    from cases.models import EntryKind

    def totals():
        rows = selectors.disproportionality_counts(mandy, timezone.localdate())
        return sum(row["nrm"] for row in rows), sum(row["rhi"] for row in rows)

    assert totals() == (2, 1)  # LA1 and LA3 were referred; LA0 accepted an interview (LA1's was not offered)
    case_services.chronology_add(actor=alice, case=borough["cases"][4], kind=EntryKind.RETURN_INTERVIEW,
                                 occurred_at=_at(390), text="Return interview held at school")
    assert totals() == (2, 2)
