"""Retention and disposal (safeguarding.retention), with a frozen clock: the daily job lists exactly what is due, a
manager keeps or disposes of it, disposal erases exactly that record's personal data, and the audit trail is intact
and still verifies."""

import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, ChronologyEntry, EntryKind, TrustedAdult, VoiceEntry, YoungPerson
from contexts import services as context_services
from contexts.models import (
    AssociationNature,
    ContextStatus,
    Membership,
    MembershipRole,
    PeerGroup,
    Place,
    PlaceKind,
    Reliability,
)
from safeguarding import access, auditchain, dbroles, retention, services
from safeguarding.models import AuditAction, AuditEvent, Disclosure, RetentionAction, RetentionItem, RetentionStatus

from ..conftest import LAWFUL, SYSTEM, assert_queries, client_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=10):
    return time_machine.travel(datetime(year, month, day, hour, tzinfo=LONDON), tick=False)


def _person(alice, first, last):
    return YoungPersonFactory(actor=alice, first_name=first, last_name=last, date_of_birth=date(2006, 5, 17),
                              address="12 Larch Way", postcode="B2 2BB", nhs_number="", known_as=[f"{first[:2]}"])


def _closed_case(alice, mandy, person, text):
    case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice, summary=f"Worries about {text}",
                       opened_on=date.today() - timedelta(days=10))
    case_services.chronology_add(actor=alice, case=case, kind=EntryKind.NOTE,
                                 occurred_at=datetime.now(LONDON) - timedelta(hours=2), text=f"Seen {text} at the rec")
    case = Case.objects.get(pk=case.pk)
    return case_services.case_close(actor=mandy, case=case, expected_version=case.version, reason="nfa",
                                    note=f"Closed: {text} is safe")


def _schedule(months=72, record_type="cases.case"):
    return services.retention_schedule_save(actor=SYSTEM, record_type=record_type, months=months)


@pytest.fixture
def borough(alice, mandy):
    """Three young people: Dorian's case closed in January 2020 (due in January 2026), Esme's closed in March 2023
    (due in 2029), Fenella's still open. Dorian is also linked with Esme, and is in a peer group."""
    with at(2020, 1, 6):
        dorian = _person(alice, "Dorian", "Ashgrove")
        esme = _person(alice, "Esme", "Brackenridge")
        dorian_case = _closed_case(alice, mandy, dorian, "Dorian")
        case_services.trusted_adult_add(actor=alice, young_person=dorian, name="Uncle Barnabus Greaves",
                                        relationship="Uncle")
        case_services.voice_entry_add(actor=alice, young_person=dorian, said_on=date(2020, 1, 6),
                                      words="I want to stay at my nan's")
        group = context_services.context_create(actor=alice, model=PeerGroup, name="Larch Way lot")
        context_services.membership_add(actor=alice, peer_group=group, young_person=dorian,
                                        role=MembershipRole.CORE, reliability=Reliability.REPORTED,
                                        review_by=date(2020, 3, 1), notes="Dorian hangs around with the lot")
        context_services.association_add(actor=alice, person=dorian, other=esme, nature=AssociationNature.FRIEND,
                                         reliability=Reliability.REPORTED, review_by=date(2020, 3, 1),
                                         notes="Dorian and Esme at school together")
    with at(2023, 3, 14):
        esme_case = _closed_case(alice, mandy, esme, "Esme")
    with at(2024, 6, 1):
        fenella = _person(alice, "Fenella", "Cropwell")
        fenella_case = CaseFactory(actor=alice, young_person=fenella, lead_practitioner=alice,
                                   summary="Worries about Fenella", opened_on=date(2024, 5, 1))
    return {"dorian": dorian, "esme": esme, "fenella": fenella, "dorian_case": dorian_case, "esme_case": esme_case,
            "fenella_case": fenella_case, "group": group}


def test_a_disposal_run_with_a_frozen_clock_erases_exactly_what_is_due_and_keeps_the_audit_trail(
        borough, alice, mandy, client):
    _schedule(72)
    with at(2026, 2, 1):
        client_for(client, mandy).get(reverse("case", args=[borough["dorian_case"].pk]))  # a view, to keep a trail of
        listed = services.retention_list_due(actor=SYSTEM)
        assert listed["listed"] == {"cases.case": 1}
        item = RetentionItem.objects.get()
        assert (item.record_id, item.status, item.anchor_on, item.due_on) == (
            borough["dorian_case"].pk, RetentionStatus.DUE, date(2020, 1, 6), date(2026, 1, 6))
        # Run again the same day: nothing more is listed.
        assert services.retention_list_due(actor=SYSTEM)["listed"] == {"cases.case": 0}
        events_before = list(AuditEvent.objects.order_by("id").values_list("id", "target_label", "chain_hash"))

        services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)

    dorian, case = YoungPerson.objects.get(pk=borough["dorian"].pk), Case.objects.get(pk=borough["dorian_case"].pk)
    marker = "Disposed of on 01 February 2026 under the retention schedule \u201cClosed cases\u201d by Mandy Test"
    assert (dorian.first_name, dorian.last_name, dorian.known_as, dorian.address, dorian.postcode) == (
        "Record", "disposed of", [], "", "")
    assert dorian.date_of_birth == date(2006, 1, 1) and dorian.search_text == ""
    assert case.summary.startswith(marker) and case.closure_note == ""
    assert (case.reference, case.status, case.opened_on, case.closed_on) == (
        borough["dorian_case"].reference, "closed", borough["dorian_case"].opened_on, date(2020, 1, 6))
    assert all(e.text.startswith(marker) for e in ChronologyEntry.objects.filter(case=case))
    assert VoiceEntry.objects.get(young_person=dorian).words.startswith(marker)
    adult = TrustedAdult.objects.get(young_person=dorian)
    assert adult.name == "Erased" and "Barnabus" not in adult.notes
    membership = Membership.objects.get(young_person=dorian)
    assert membership.notes.startswith(marker) and membership.ended_on == date(2026, 2, 1)
    assert "Esme" not in dorian.associations.get().notes

    # Everyone else is untouched: Esme (linked to Dorian, due in 2029), Fenella (open), the group itself.
    esme, fenella = YoungPerson.objects.get(pk=borough["esme"].pk), YoungPerson.objects.get(pk=borough["fenella"].pk)
    assert (esme.first_name, esme.date_of_birth, fenella.first_name) == ("Esme", date(2006, 5, 17), "Fenella")
    assert Case.objects.get(pk=borough["esme_case"].pk).summary == "Worries about Esme"
    assert ChronologyEntry.objects.get(case=borough["esme_case"]).text == "Seen Esme at the rec"
    assert PeerGroup.objects.get(pk=borough["group"].pk).name == "Larch Way lot"

    # The audit trail: every earlier row is still there, unchanged, and the chain verifies; the disposal is recorded
    # against the case (so its "who has seen" stays complete) and the item.
    assert list(AuditEvent.objects.filter(id__lte=events_before[-1][0]).order_by("id").values_list(
        "id", "target_label", "chain_hash")) == events_before
    assert auditchain.verify().intact
    disposed = AuditEvent.objects.filter(action=AuditAction.DISPOSE)
    assert {e.target_label for e in disposed} == {case.reference, f"RI-{item.pk}"}
    assert all(e.actor_id == mandy.pk for e in disposed)
    item.refresh_from_db()
    assert item.status == RetentionStatus.DISPOSED and item.decided_by == mandy
    assert set(item.erased) >= {"cases.case", "cases.chronologyentry", "cases.youngperson", "cases.voiceentry",
                                "cases.trustedadult", "contexts.membership", "contexts.association"}

    # Disposed of: never listed again, however late.
    with at(2031, 1, 1):
        assert services.retention_list_due(actor=SYSTEM)["listed"] == {"cases.case": 1}  # Esme's, by then
        assert not RetentionItem.objects.filter(record_id=case.pk, status=RetentionStatus.DUE).exists()


def test_disposal_erases_why_the_record_was_shared_and_keeps_the_basis(alice, mandy, agencies):
    """Why a case was shared (and why the family were not told) is free text that may name people: it goes with the
    case; the basis, the agreement and who shared it with whom stay."""
    person = _person(alice, "Hester", "Quarrie")
    case = CaseFactory(actor=alice, young_person=person, lead_practitioner=alice, summary="Worries about Hester",
                       opened_on=date.today() - timedelta(days=10))
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=replace(
        LAWFUL, reason="Hester's uncle Quentin Marlowe collects her", told="not_told",
        not_told_why="Quentin Marlowe would find out"))
    case = Case.objects.get(pk=case.pk)
    case_services.case_close(actor=mandy, case=case, expected_version=case.version, reason="nfa")
    _schedule(0)
    services.retention_list_due(actor=SYSTEM)
    item = RetentionItem.objects.get(record_id=case.pk)
    services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)
    row = Disclosure.objects.get(record_id=case.pk)
    assert "Quentin" not in row.reason + row.not_told_why and row.reason.startswith("Disposed of on")
    assert (row.lawful_basis, row.told, row.to_agency) == (LAWFUL.lawful_basis, "not_told", agencies["police"])
    assert RetentionItem.objects.get(pk=item.pk).erased["safeguarding.disclosure"] == [row.pk]


def test_a_young_person_with_another_case_keeps_their_details_until_it_is_disposed_of_too(borough, alice, mandy):
    with at(2020, 2, 1):
        second = _closed_case(alice, mandy, borough["dorian"], "Dorian again")
    _schedule(72)
    with at(2026, 1, 20):
        services.retention_list_due(actor=SYSTEM)
        first = RetentionItem.objects.get(record_id=borough["dorian_case"].pk)
        services.retention_item_dispose(actor=mandy, item=first, expected_version=first.version)
        assert YoungPerson.objects.get(pk=borough["dorian"].pk).first_name == "Dorian"
    with at(2026, 2, 2):
        services.retention_list_due(actor=SYSTEM)
        item = RetentionItem.objects.get(record_id=second.pk)
        services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)
    assert YoungPerson.objects.get(pk=borough["dorian"].pk).first_name == "Record"


def test_keeping_a_record_lists_it_again_only_once_its_new_date_has_come(borough, mandy):
    _schedule(72)
    with at(2026, 2, 1):
        services.retention_list_due(actor=SYSTEM)
        item = RetentionItem.objects.get()
        with pytest.raises(ValidationError) as refused:
            services.retention_item_keep(actor=mandy, item=item, expected_version=item.version, reason=" ",
                                         keep_until=date(2026, 1, 1))
        assert set(refused.value.error_dict) == {"reason", "keep_until"}
        services.retention_item_keep(actor=mandy, item=item, expected_version=item.version,
                                     reason="A civil claim about the placement is open", keep_until=date(2027, 6, 1))
        assert AuditEvent.objects.filter(action=AuditAction.KEEP, target_label=f"RI-{item.pk}").exists()
    with at(2027, 5, 31):
        assert services.retention_list_due(actor=SYSTEM)["listed"] == {"cases.case": 0}
    with at(2027, 6, 1):
        assert services.retention_list_due(actor=SYSTEM)["listed"] == {"cases.case": 1}
    again = RetentionItem.objects.get(status=RetentionStatus.DUE)
    assert again.due_on == date(2027, 6, 1) and again.record_id == item.record_id
    assert YoungPerson.objects.get(pk=borough["dorian"].pk).first_name == "Dorian"  # kept: nothing erased


def test_a_decided_item_cannot_be_decided_again_and_only_its_agencys_manager_decides(borough, alice, mandy, pete,
                                                                                    oscar):
    _schedule(72)
    with at(2026, 2, 1):
        services.retention_list_due(actor=SYSTEM)
        item = RetentionItem.objects.get()
        with pytest.raises(PermissionDenied):
            services.retention_item_dispose(actor=alice, item=item, expected_version=item.version)
        for outsider in (pete, oscar):
            with pytest.raises(Http404):  # not their agency's item: as if it did not exist
                services.retention_item_dispose(actor=outsider, item=item, expected_version=item.version)
        services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)
        item.refresh_from_db()
        with pytest.raises(ValidationError):
            services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)


def test_closed_places_and_groups_are_disposed_of_with_their_links(alice, mandy):
    with at(2019, 4, 2):
        person = _person(alice, "Ottilie", "Marsh")
        place = context_services.context_create(actor=alice, model=Place, name="Marsh Lane garages",
                                                kind=PlaceKind.STREET, description="Ottilie seen here with older men")
        context_services.place_link_add(actor=alice, place=place, young_person=person, nature="gathering",
                                        reliability=Reliability.REPORTED, review_by=date(2019, 6, 1),
                                        notes="Ottilie after school")
        place = Place.objects.get(pk=place.pk)
        context_services.context_update(actor=alice, record=place, expected_version=place.version,
                                        status=ContextStatus.CLOSED, closure_reason="Garages demolished")
    assert Place.objects.get(pk=place.pk).closed_on == date(2019, 4, 2)
    _schedule(36, "contexts.place")
    with at(2022, 4, 2):
        services.retention_list_due(actor=SYSTEM)
        item = RetentionItem.objects.get(record_type="contexts.place")
        services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)
    place = Place.objects.get(pk=place.pk)
    assert "Ottilie" not in place.description and place.description.startswith("Disposed of on")
    assert place.links.get().notes.startswith("Disposed of on")
    assert YoungPerson.objects.get(pk=person.pk).first_name == "Ottilie"  # a person is erased with their last case


def test_audit_events_are_counted_for_an_operator_and_never_listed_or_erased(alice):
    services.retention_schedule_save(actor=SYSTEM, record_type="safeguarding.auditevent", months=1,
                                     action=RetentionAction.REVIEW)  # an operator's, whatever is asked
    with at(2030, 1, 1):
        result = services.retention_list_due(actor=SYSTEM)
    assert result["operator_due"]["safeguarding.auditevent"] >= 1
    assert not RetentionItem.objects.exists()
    assert retention.get("safeguarding.auditevent").operator_only


def test_only_administrators_set_schedules(adam, mandy):
    schedule = services.retention_schedule_save(actor=adam, record_type="cases.case", months=72)
    with pytest.raises(PermissionDenied):
        services.retention_schedule_save(actor=mandy, record_type="cases.case", months=1, schedule=schedule)
    with pytest.raises(ValidationError):
        services.retention_schedule_save(actor=adam, record_type="cases.nothing", months=1)
    changed = services.retention_schedule_save(actor=adam, record_type="cases.case", months=84, schedule=schedule)
    assert changed.version == 2 and changed.months == 84


def test_a_manager_disposes_from_the_queue_page(borough, mandy, client):
    _schedule(72)
    with at(2026, 2, 1):
        services.retention_list_due(actor=SYSTEM)
        item = RetentionItem.objects.get()
        client_for(client, mandy)
        page = client.get(reverse("retention-queue"))
        assert page.status_code == 200 and f"RI-{item.pk}" not in page.content.decode()
        assert f"Case {borough['dorian_case'].reference}" in page.content.decode()
        refused = client.post(reverse("retention-dispose", args=[item.pk]), {"version": item.version})
        assert refused.status_code == 200 and refused.content.decode().count("Error: ") == 1
        done = client.post(reverse("retention-dispose", args=[item.pk]), {"version": item.version, "confirm": "on"})
        assert done.status_code == 302
        assert YoungPerson.objects.get(pk=borough["dorian"].pk).first_name == "Record"
        # Decided: its pages now say so (409) rather than offering it again.
        assert client.get(reverse("retention-keep", args=[item.pk])).status_code == 409


def test_the_queue_page_makes_the_same_queries_however_many_records_are_due(alice, mandy, client):
    _schedule(1)
    with at(2024, 1, 5):
        for n in range(2):
            _closed_case(alice, mandy, _person(alice, f"Person{n}", "Early"), f"n{n}")
    with at(2024, 3, 1):
        services.retention_list_due(actor=SYSTEM)
    expected = [
        "session", "the signed-in person with their agency", "their roles' permissions",
        "count the agency's due items", "a page of due items with their schedules",
    ]
    assert_queries(client, mandy, reverse("retention-queue"), expected)
    with at(2024, 1, 5):
        for n in range(8):
            _closed_case(alice, mandy, _person(alice, f"Later{n}", "More"), f"m{n}")
    with at(2024, 3, 1):
        services.retention_list_due(actor=SYSTEM)
    assert RetentionItem.objects.count() == 10
    assert_queries(client, mandy, reverse("retention-queue"), expected)


@pytest.mark.django_db(transaction=True)
def test_the_history_of_what_was_erased_is_purged_by_the_operator_as_the_owner_never_by_the_app(borough, mandy):
    import psycopg
    from django.core.management import call_command
    from django.db import connection, transaction

    from cases.models import CaseEvent, YoungPersonEvent

    _schedule(72)
    with at(2026, 2, 1):
        services.retention_list_due(actor=SYSTEM)
        item = RetentionItem.objects.get()
        services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)
    dorian, esme = borough["dorian"], borough["esme"]
    assert YoungPersonEvent.objects.filter(pgh_obj_id=dorian.pk, first_name="Dorian").exists()  # still in history
    # The app's own role may not delete history, whatever it tries.
    with pytest.raises(Exception) as refused, transaction.atomic():
        CaseEvent.objects.filter(pgh_obj_id=item.record_id).delete()
    assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege)

    out = io.StringIO()
    call_command("retention_purge_history", stdout=out)
    assert "1 disposals purged" in out.getvalue()
    assert not YoungPersonEvent.objects.filter(pgh_obj_id=dorian.pk).exists()
    assert not CaseEvent.objects.filter(pgh_obj_id=item.record_id).exists()
    assert YoungPersonEvent.objects.filter(pgh_obj_id=esme.pk, first_name="Esme").exists()  # others' history stays
    assert CaseEvent.objects.filter(pgh_obj_id=borough["esme_case"].pk).exists()
    item.refresh_from_db()
    assert item.history_purged_at is not None
    assert auditchain.verify().intact
    assert connection.settings_dict["USER"] == dbroles.app_role()  # the app's connection is the app's again
    call_command("retention_purge_history", stdout=out)  # again: nothing left to do
    assert "0 disposals purged" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_operator_prunes_old_audit_rows_as_the_owner_and_the_chain_still_verifies():
    import psycopg
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import transaction

    from safeguarding import audit
    from safeguarding.models import AuditChainStart

    for year in (2017, 2018, 2019):
        with at(year, 6, 1):
            audit.record(actor=SYSTEM, action=AuditAction.LOGIN, detail={"year": year})
    with at(2025, 6, 1):
        audit.record(actor=SYSTEM, action=AuditAction.LOGIN, detail={"year": 2025})
    assert AuditEvent.objects.count() == 4
    # The app itself can neither remove audit rows nor move where the chain starts.
    for attempt in (lambda: AuditEvent.objects.filter(detail__year=2017).delete(),
                    lambda: AuditChainStart.objects.create(after_id=1, after_hash="0" * 64, before=datetime.now(LONDON),
                                                           rows_removed=1)):
        with pytest.raises(Exception) as refused, transaction.atomic():
            attempt()
        assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege | psycopg.errors.RaiseException)

    out = io.StringIO()
    call_command("audit_prune", "--before", "2019-01-01", "--dry-run", stdout=out)
    assert "2 audit rows recorded before 2019-01-01 would be removed" in out.getvalue()
    assert AuditEvent.objects.count() == 4
    call_command("audit_prune", "--before", "2019-01-01", stdout=out)
    assert sorted(AuditEvent.objects.filter(action=AuditAction.LOGIN).values_list("detail__year", flat=True)) == [
        2019, 2025]
    assert AuditEvent.objects.filter(action=AuditAction.DISPOSE, detail__audit_rows_removed=2).exists()
    assert AuditChainStart.objects.get().rows_removed == 2
    assert auditchain.verify().intact
    call_command("audit_verify", stdout=out)
    assert "chain intact" in out.getvalue()
    # Everything is older than 2030, but the newest row always stays (the next one links to it): that, and the
    # second prune's own record.
    call_command("audit_prune", "--before", "2030-01-01", stdout=out)
    assert AuditEvent.objects.filter(action=AuditAction.DISPOSE).count() == AuditEvent.objects.count() == 2
    assert auditchain.verify().intact
    # A row changed before a prune: nothing is removed.
    with at(2031, 1, 1):
        audit.record(actor=SYSTEM, action=AuditAction.LOGIN)
        audit.record(actor=SYSTEM, action=AuditAction.LOGIN)
    with dbroles.as_owner(), transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE safeguarding_auditevent DISABLE TRIGGER USER")
            cursor.execute("UPDATE safeguarding_auditevent SET target_label = 'forged' WHERE id = "
                           "(SELECT MAX(id) - 1 FROM safeguarding_auditevent)")
            cursor.execute("ALTER TABLE safeguarding_auditevent ENABLE TRIGGER USER")
    with pytest.raises(CommandError, match="broken"):
        call_command("audit_prune", "--before", "2032-01-01", stdout=out)
    assert AuditEvent.objects.count() == 4


def test_an_administrator_sets_a_schedule_in_the_admin_pages_through_the_service(adam, mandy, client):
    from safeguarding.models import RetentionSchedule

    client_for(client, adam)
    form = client.get("/admin/safeguarding/retentionschedule/add/")
    assert form.status_code == 200 and "Closed peer groups" in form.content.decode()
    added = client.post("/admin/safeguarding/retentionschedule/add/", {
        "record_type": "contexts.peergroup", "months": 36, "action": "review", "is_active": "on", "notes": "Rule 4"})
    assert added.status_code == 302
    schedule = RetentionSchedule.objects.get(record_type="contexts.peergroup")
    assert AuditEvent.objects.filter(actor=adam, action=AuditAction.CREATE, target_label=f"RS-{schedule.pk}").exists()
    changed = client.post(f"/admin/safeguarding/retentionschedule/{schedule.pk}/change/", {
        "record_type": "contexts.peergroup", "months": 48, "action": "review", "is_active": "on", "notes": ""})
    assert changed.status_code == 302 and RetentionSchedule.objects.get(pk=schedule.pk).months == 48
    assert client_for(client, mandy).get("/admin/safeguarding/retentionschedule/").status_code == 302  # not staff


def test_the_keep_and_dispose_pages_make_a_fixed_number_of_queries(borough, mandy, client):
    _schedule(72)
    with at(2026, 2, 1):
        services.retention_list_due(actor=SYSTEM)
    item = RetentionItem.objects.get()
    expected = ["session", "the signed-in person with their agency", "their roles' permissions",
                "the item, through the door, with its schedule", "the record it is about (for its link)"]
    assert_queries(client, mandy, reverse("retention-keep", args=[item.pk]), expected)
    assert_queries(client, mandy, reverse("retention-dispose", args=[item.pk]), expected)


def test_a_disposed_young_persons_safety_plan_keeps_its_shape_and_loses_its_words(borough, alice, mandy):
    from assessments import services as assessment_services
    from assessments.models import Goal, Intervention, InterventionUpdate

    with at(2020, 1, 6):
        goal = assessment_services.goal_add(actor=alice, subject=borough["dorian"], statement="Dorian feels safe",
                                            met_when="He says so", measured_by="His words at nan's")
        intervention = assessment_services.intervention_add(actor=alice, goal=goal, what="Mentor for Dorian",
                                                            owner_agency=alice.agency, due_on=date(2020, 2, 1))
        assessment_services.intervention_report(actor=alice, intervention=intervention, text="Dorian met him",
                                                status="in_progress")
    _schedule(72)
    with at(2026, 2, 1):
        services.retention_list_due(actor=SYSTEM)
        item = RetentionItem.objects.get(record_id=borough["dorian_case"].pk)
        services.retention_item_dispose(actor=mandy, item=item, expected_version=item.version)
    goal, intervention = Goal.objects.get(pk=goal.pk), Intervention.objects.get(pk=intervention.pk)
    assert goal.statement.startswith("Disposed of on 01 February 2026")
    assert (goal.met_when, goal.measured_by) == ("", "")
    assert intervention.what.startswith("Disposed of") and intervention.status == "in_progress"
    assert InterventionUpdate.objects.get(intervention=intervention).text == ""
