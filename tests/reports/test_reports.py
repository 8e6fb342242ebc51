"""Reports: every figure against an independent count of what the reader's agency can see, the lists behind them,
suppression of small numbers, the analyst's access, and exports.

The independent count reads the agency's grant rows directly and counts in Python over the records they name (and
the rules written out again by hand for the rows that inherit from a subject), never through reports.selectors.
"""

from collections import Counter
from contextlib import nullcontext
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, ContributionRequest
from cases import services as case_services
from cases.models import Case, CaseGroupObjectPermission, ClosureReason, HarmType, RiskLevel, Sex
from contexts.models import (
    Association,
    Membership,
    PeerGroup,
    PeerGroupGroupObjectPermission,
    Place,
    PlaceGroupObjectPermission,
    PlaceLink,
)
from panels import services as panel_services
from panels.models import Action, ActionStatus, ItemKind, MeetingGroupObjectPermission
from reports import exports, selectors
from reports.models import ReportExport
from safeguarding import access
from safeguarding import services as kernel_services
from safeguarding.models import AuditAction, AuditEvent
from tests.conftest import LAWFUL

from ..conftest import client_for
from ..factories import CaseFactory, YoungPersonFactory
from ..security import world as world_module
from .conftest import years_ago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scanner")]  # the world scans its documents


@pytest.fixture
def data(alice, mandy, colin, adam, pete, sam, oscar, agencies, cast):
    world, _ = world_module.build(cast, agencies)
    today = timezone.localdate()
    team = kernel_services.team_create(actor=adam, agency=agencies["la"], name="Exploitation team")
    kernel_services.user_update(actor=adam, user=alice, team=team)  # mandy's cases count under "No team"
    # A mix of young people and cases: sexes, ethnicities, every age band, harms, risks; some closed, some overdue.
    mix = [
        (Sex.FEMALE, "black_caribbean", years_ago(11), [HarmType.CSE], RiskLevel.HIGH),
        (Sex.MALE, "black_caribbean", years_ago(14), [HarmType.CCE, HarmType.COUNTY_LINES], RiskLevel.HIGH),
        (Sex.MALE, "white_british", years_ago(16, 3), [HarmType.SYV], RiskLevel.MEDIUM),
        (Sex.FEMALE, "asian_pakistani", years_ago(19), [HarmType.TRAFFICKING], RiskLevel.LOW),
        (Sex.MALE, "mixed_white_black_caribbean", years_ago(13, 200), [HarmType.CCE], RiskLevel.MEDIUM),
        (Sex.NOT_KNOWN, "not_stated", years_ago(15), [HarmType.ONLINE, HarmType.CSE], RiskLevel.LOW),
    ]
    cases = []
    for i, (sex, ethnicity, born, harms, risk) in enumerate(mix):
        person = YoungPersonFactory(actor=alice, sex=sex, ethnicity=ethnicity, date_of_birth=born)
        cases.append(CaseFactory(actor=alice, young_person=person, lead_practitioner=alice if i % 2 else mandy,
                                 harm_types=harms, risk_level=risk, opened_on=today - timedelta(days=10 * i),
                                 next_review_on=today + timedelta(days=5)))
    Case.objects.filter(pk=cases[1].pk).update(next_review_on=today - timedelta(days=2))  # review overdue
    closed = case_services.case_close(actor=mandy, case=cases[5], expected_version=cases[5].version,
                                      reason=ClosureReason.RISK_REDUCED)
    for case in (cases[0], cases[1], closed):
        access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    # Overdue things: a request, the links of the world's person, a police action, and a done one.
    ContributionRequest.objects.filter(pk=world["contribution"].pk).update(due_on=today - timedelta(days=3))
    for model in (PlaceLink, Membership, Association):
        model.objects.filter(pk__in=model.objects.order_by("pk").values("pk")[:1]).update(
            last_reviewed_on=today - timedelta(days=90), review_by=today - timedelta(days=1))
    Action.objects.filter(pk=world["action"].pk).update(due_on=today - timedelta(days=1))
    done = panel_services.action_add(actor=colin, item=world["item"], description="Strategy meeting",
                                     owner_agency=agencies["la"], owner=alice, due_on=today + timedelta(days=10))
    Action.objects.filter(pk=done.pk).update(created_at=timezone.now() - timedelta(days=4))
    panel_services.action_report(actor=alice, action=Action.objects.get(pk=done.pk), text="Held",
                                 status=ActionStatus.DONE)
    return world


# --- The independent count ------------------------------------------------------------------------------------

def _granted(grants, agency, codename):
    return set(grants.objects.filter(group=agency.group, permission__codename=codename)
               .values_list("content_object_id", flat=True))


def independent(agency) -> dict:
    """Every figure of the dashboard for ``agency``, counted in Python over the records its grants name."""
    today = timezone.localdate()
    period = selectors.Period.this_quarter()
    case_ids = _granted(CaseGroupObjectPermission, agency, "view_case")
    cases = list(Case.objects.filter(pk__in=case_ids).select_related("young_person"))
    people = {c.young_person_id for c in cases} | set(
        YoungPersonModel().objects.filter(owning_agency=agency).values_list("pk", flat=True))
    places = list(Place.objects.filter(pk__in=_granted(PlaceGroupObjectPermission, agency, "view_place")))
    groups = list(PeerGroup.objects.filter(pk__in=_granted(PeerGroupGroupObjectPermission, agency,
                                                           "view_peergroup")))
    place_ids, group_ids = {p.pk for p in places}, {g.pk for g in groups}
    meetings = _granted(MeetingGroupObjectPermission, agency, "view_meeting")
    open_ = [c for c in cases if c.status == "open"]

    def age(c):
        dob = c.young_person.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    bands = {"10-13": (10, 13), "14-15": (14, 15), "16-17": (16, 17), "18-25": (18, 25)}
    figures = {
        ("totals", "Open cases now"): len(open_),
        ("totals", "Opened in the period"): sum(period.start <= c.opened_on <= period.end for c in cases),
        ("totals", "Closed in the period"): sum(bool(c.closed_on) and period.start <= c.closed_on <= period.end
                                                for c in cases),
        ("totals", "Open cases with a review overdue"): sum(bool(c.next_review_on) and c.next_review_on < today
                                                            for c in open_),
    }
    for key, label in HarmType.choices:
        figures["harm", label] = sum(key in c.harm_types for c in open_)
    for key, label in RiskLevel.choices:
        figures["risk", label] = sum(c.risk_level == key for c in open_)
    for key, label in Sex.choices:
        figures["sex", label] = sum(c.young_person.sex == key for c in open_)
    for key, label, _y, _o in selectors.AGE_BANDS:
        low, high = bands[key]
        figures["age", label] = sum(low <= age(c) <= high for c in open_)
    for key, label in selectors.ETHNICITIES:
        figures["ethnicity", label] = sum(c.young_person.ethnicity == key for c in open_)
    for lead, n in Counter(c.lead_practitioner for c in open_).items():
        figures["caseload", lead.get_full_name() if lead else "No lead practitioner"] = n
    for case in open_:
        lead = case.lead_practitioner
        key = "team", lead.team.name if lead and lead.team else "No team"
        figures[key] = figures.get(key, 0) + 1
    for key, label in Place._meta.get_field("kind").choices:
        figures["place_kind", label] = sum(p.kind == key for p in places)
    for key, label in Place._meta.get_field("status").choices:
        figures["place_status", label] = sum(p.status == key for p in places)
        figures["group_status", label] = sum(g.status == key for g in groups)
    for ward, n in Counter(p.ward for p in places).items():
        figures["place_ward", ward or "No ward recorded"] = n

    def stale(link):
        return link.ended_on is None and link.review_by < today

    figures["links", "Links to places"] = sum(
        stale(link) and link.place_id in place_ids
        and (link.young_person_id in people if link.young_person_id else link.peer_group_id in group_ids)
        for link in PlaceLink.objects.all())
    figures["links", "Peer group memberships"] = sum(
        stale(m) and m.peer_group_id in group_ids and m.young_person_id in people for m in Membership.objects.all())
    figures["links", "Associations between young people"] = sum(
        stale(a) and a.person_id in people and a.other_id in people for a in Association.objects.all())

    def subject_seen(row):
        return (row.young_person_id in people if row.young_person_id else
                row.place_id in place_ids if row.place_id else row.peer_group_id in group_ids)

    assessments = [a for a in Assessment.objects.all() if subject_seen(a)]
    for key, label in Assessment._meta.get_field("status").choices:
        figures["assessments", label] = sum(a.status == key for a in assessments)
    seen_assessments = {a.pk for a in assessments}
    for r in ContributionRequest.objects.select_related("agency"):
        if (r.agency_id == agency.pk or r.assessment_id in seen_assessments) and r.status == "requested" \
                and r.due_on < today:
            figures["requests", r.agency.name] = figures.get(("requests", r.agency.name), 0) + 1
    for action in Action.objects.select_related("item", "owner_agency"):
        item = action.item
        seen = action.owner_agency_id == agency.pk or (
            item.meeting_id in meetings and (item.kind == ItemKind.THEME or subject_seen(item)))
        if not seen:
            continue
        name = action.owner_agency.name
        outstanding = action.status in Action.OUTSTANDING
        for state, hit in (("Open", outstanding), ("Overdue", outstanding and action.due_on < today),
                           ("Done in the period", action.status == ActionStatus.DONE)):
            figures["actions", f"{name}: {state}"] = figures.get(("actions", f"{name}: {state}"), 0) + hit
    return figures


def YoungPersonModel():  # noqa: N802
    from cases.models import YoungPerson

    return YoungPerson


def shown(user, scanning=False) -> dict:
    with access.scanning() if scanning else nullcontext():  # the door's conditions in either shape (access.py)
        tables = selectors.dashboard(user, selectors.Period.this_quarter())
    figures = {}
    for name, rows in tables.items():
        for row in rows:
            if isinstance(row, selectors.ActionRow):
                for figure in (row.open, row.overdue, row.done):
                    figures["actions", f"{row.agency}: {figure.label}"] = figure.count
            else:
                figures[name, row.label] = row.count
    return figures


def _nonzero(figures):
    return {k: v for k, v in figures.items() if v}


@pytest.mark.parametrize("who", ["mandy", "polly"])
@pytest.mark.parametrize("scanning", [False, True], ids=["probes", "sets"])
def test_every_figure_matches_an_independent_count_of_what_the_agency_can_see(data, mandy, polly, who, scanning):
    reader = mandy if who == "mandy" else polly
    figures = shown(reader, scanning)
    assert _nonzero(figures) == _nonzero(independent(reader.agency))
    if who == "mandy":  # the lead authority's picture is full; the police's only what is shared with them
        # (the security world holds a case closed this quarter too, kept for the retention tests)
        assert figures["totals", "Open cases now"] == 7 and figures["totals", "Closed in the period"] == 2
        assert figures["age", "18 to 25"] == 1 and figures["links", "Peer group memberships"] == 1
        assert figures["actions", "Northfield Council: Done in the period"] == 1
    else:
        assert figures["totals", "Open cases now"] == 4 and figures["totals", "Closed in the period"] == 1
        assert figures["actions", "Northfield Police: Overdue"] == 1


def test_the_outsider_and_an_analyst_count_as_their_agency(data, oscar, anna, mandy, agencies):
    # Oscar's agency sees nothing: every figure is nought (his role may not see reports, so counted as the agency).
    assert _nonzero(shown(access.AgencyReader(agencies["housing"]))) == {}
    # The analyst's figures are the lead authority's, counted as the agency (she may open no record herself).
    assert _nonzero(shown(anna)) == _nonzero(shown(mandy))


def test_each_figure_drills_down_to_the_same_records(data, mandy):
    period = selectors.Period.this_quarter()
    tables = selectors.dashboard(mandy, period)
    checked = 0
    for rows in tables.values():
        for row in rows:
            for figure in (row.open, row.overdue, row.done) if isinstance(row, selectors.ActionRow) else (row,):
                listed = selectors.drilldown(mandy, figure.list, {k: str(v) for k, v in figure.params.items()},
                                             period).count()
                assert listed == figure.count, (figure.label, figure.params)
                checked += 1
    assert checked > 50


def test_small_numbers_are_suppressed_for_analysts_only(data, client, anna, mandy, settings):
    client_for(client, anna)
    page = client.get(reverse("reports")).content.decode()
    assert "fewer than 5" in page and 'href="/reports/list/' not in page
    settings.REPORTS_SUPPRESS_BELOW = 2
    assert selectors.suppress(1, hide=True) == "fewer than 2" and selectors.suppress(2, hide=True) == 2
    assert selectors.suppress(0, hide=True) == 0 and selectors.suppress(3, hide=False) == 3
    client_for(client, mandy)
    page = client.get(reverse("reports")).content.decode()
    assert "fewer than" not in page and 'href="/reports/list/?list=cases' in page


def _figures(*counts):
    return [selectors.Figure(f"row {i}", n, "cases", {}) for i, n in enumerate(counts)]


def test_a_lone_hidden_cell_in_a_table_that_splits_a_total_takes_another_with_it(settings):
    settings.REPORTS_SUPPRESS_BELOW = 5
    risk, harm, age = _figures(2, 9, 6, 0), _figures(2, 9, 6), _figures(3, 1, 12, 0)
    selectors.protect({"risk": risk, "harm": harm, "age": age}, hide=True)
    # Open cases by risk add up to the published total: 2 would be the total less 15, so 6 is hidden as well.
    assert [f.shown for f in risk] == ["fewer than 5", 9, "suppressed", 0]
    # Harm types overlap (a case has several), so they do not add up to anything: nothing more is hidden.
    assert [f.shown for f in harm] == ["fewer than 5", 9, 6]
    # Two hidden cells give away only their sum.
    assert [f.shown for f in age] == ["fewer than 5", "fewer than 5", 12, 0]
    selectors.protect({"risk": (shown := _figures(2, 9, 6))}, hide=False)
    assert [f.shown for f in shown] == [2, 9, 6]


def test_no_table_of_an_analysts_dashboard_can_be_subtracted_to_a_hidden_cell(data, anna):
    tables = selectors.dashboard(anna, selectors.Period.this_quarter())
    selectors.protect(tables, hide=True)
    checked = 0
    for name in [name for name in selectors.PARTITIONS if name in tables]:
        hidden = [f for f in tables[name] if f.shown != f.count]
        shown_counts = [f.count for f in tables[name] if f.shown == f.count and f.count]
        # One hidden cell beside shown non-zero ones would be the total less them; beside zeros only, the total
        # is the hidden cell itself, as small and as hidden.
        assert len(hidden) != 1 or not shown_counts, (name, [(f.label, f.count, f.shown) for f in tables[name]])
        checked += bool(hidden)
    assert checked  # the data has small numbers, so some table was protected


def test_an_analyst_sees_reports_but_no_record(data, client, anna):
    client_for(client, anna)
    assert client.get(reverse("reports")).status_code == 200
    for url in (reverse("case", args=[data["case"].pk]), reverse("young-person", args=[data["person"].pk]),
                reverse("place", args=[data["place"].pk]), reverse("meeting", args=[data["meeting"].pk])):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("reports-list") + "?list=cases&status=open").status_code == 403
    assert client.get(reverse("cases")).status_code in (200, 403)
    assert data["person"].first_name not in client.get(reverse("cases")).content.decode()


def test_who_may_see_reports(data, client, alice, colin, pete, oscar, adam):
    for person, status in ((alice, 403), (pete, 403), (oscar, 403), (adam, 403), (colin, 200)):
        client_for(client, person)
        assert client.get(reverse("reports")).status_code == status, person.username


def test_a_drill_down_lists_names_and_is_audited_once(data, client, mandy):
    client_for(client, mandy)
    response = client.get(reverse("reports-list") + "?list=cases&status=open&risk=medium")
    assert response.status_code == 200 and "Zephyrine" in response.content.decode()
    assert AuditEvent.objects.filter(actor=mandy, action=AuditAction.SEARCH).count() == 1
    assert not AuditEvent.objects.filter(actor=mandy, action=AuditAction.VIEW).exists()


def test_the_period_filter_takes_custom_dates(data, client, mandy):
    client_for(client, mandy)
    old = timezone.localdate() - timedelta(days=400)
    response = client.get(reverse("reports"), {
        "period": "custom", "start_0": old.day, "start_1": old.month, "start_2": old.year,
        "end_0": old.day, "end_1": old.month, "end_2": old.year})
    assert response.status_code == 200
    assert response.context["period"].start == old == response.context["period"].end
    totals = {f.label: f.count for f in response.context["tables"]["totals"]}
    assert totals["Opened in the period"] == 0
    response = client.get(reverse("reports"), {"period": "custom", "start_0": "31", "start_1": "2", "start_2": "2025"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()


# --- Exports --------------------------------------------------------------------------------------------------

def test_formula_injection_is_neutralised():
    assert exports.neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for risky in ("+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(risky) == "'" + risky
    assert exports.neutralise("Fine") == "Fine" and exports.neutralise(-3) == -3
    assert exports.neutralise(date(2026, 1, 1)) == date(2026, 1, 1)


def test_an_export_holds_neutralised_cells_and_only_its_owner_downloads_it(data, client, media, mandy, colin):
    from openpyxl import load_workbook

    from reports import services

    data["case"].young_person.__class__.objects.filter(pk=data["person"].pk).update(
        first_name='=HYPERLINK("http://x")')
    xlsx = services.export_request(actor=mandy, what="cases", params={"status": "open"}, fmt="xlsx")
    csv_export = services.export_request(actor=mandy, what="cases", params={"status": "open"}, fmt="csv")
    exports.build(xlsx.pk)
    exports.build(csv_export.pk)
    xlsx.refresh_from_db()
    assert xlsx.status == "ready" and xlsx.rows == 7
    client_for(client, mandy)
    response = client.get(reverse("reports-export-download", args=[xlsx.pk]))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x") Quillfeather' in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    text = b"".join(client.get(reverse("reports-export-download", args=[csv_export.pk])).streaming_content)
    assert "'=HYPERLINK" in text.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=mandy).count() == 3  # and the world's
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, actor=mandy).count() == 2
    client_for(client, colin)
    assert client.get(reverse("reports-export-download", args=[xlsx.pk])).status_code == 404


def test_an_analyst_exports_suppressed_tables_but_no_list(data, media, anna):
    from django.core.exceptions import PermissionDenied

    from reports import services

    with pytest.raises(PermissionDenied):
        services.export_request(actor=anna, what="cases", params={}, fmt="csv")
    export = services.export_request(actor=anna, what="dashboard", params={}, fmt="csv")
    exports.build(export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert "fewer than 5" in text and "Zephyrine" not in text


def test_exports_are_deleted_after_their_days(data, media, mandy, settings):
    from reports import services

    export = services.export_request(actor=mandy, what="dashboard", params={}, fmt="csv")
    exports.build(export.pk)
    export.refresh_from_db()
    path = export.file.path
    assert exports.expire(timezone.now() + timedelta(days=settings.REPORTS_EXPORT_DAYS - 1)) == 0
    assert exports.expire(timezone.now() + timedelta(days=settings.REPORTS_EXPORT_DAYS + 1)) == 2  # and the world's
    assert not ReportExport.objects.exists()
    import os

    assert not os.path.exists(path)

