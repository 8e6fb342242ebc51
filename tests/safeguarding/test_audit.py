"""The access log: one event per view, share and sign-in, and no way to change or remove one."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.urls import reverse

from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent, Disclosure
from tests.conftest import LAWFUL_FORM

from ..conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def events(**filters):
    return list(AuditEvent.objects.filter(**filters))


def test_opening_a_young_person_writes_one_view_event_with_who_when_and_where(client, alice, person):
    client_for(client, alice)
    client.get(reverse("young-person", args=[person.pk]), HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="10.9.8.7")
    [event] = events(action=AuditAction.VIEW)
    assert (event.actor, event.agency, event.target, event.target_label) == (
        alice, alice.agency, person, f"YP-{person.pk}")
    assert (event.ip_address, event.user_agent) == ("10.9.8.7", "Firefox/140")


def test_opening_a_case_writes_one_view_event(client, pete, shared_case):
    client_for(client, pete).get(reverse("case", args=[shared_case.pk]))
    [event] = events(action=AuditAction.VIEW)
    assert event.target == shared_case and event.agency.name == "Northfield Police"


def test_a_refused_page_writes_no_view_event(client, oscar, shared_case):
    client_for(client, oscar).get(reverse("case", args=[shared_case.pk]))
    assert events(action=AuditAction.VIEW) == []


def test_sharing_and_unsharing_each_write_one_event(client, alice, case, agencies):
    client_for(client, alice)
    police = agencies["police"]
    client.post(reverse("case-share", args=[case.pk]), {"agency": police.pk, "level": access.VIEW, **LAWFUL_FORM})
    client.post(reverse("case-unshare", args=[case.pk, police.pk]))
    [shared] = events(action=AuditAction.SHARE)
    [unshared] = events(action=AuditAction.UNSHARE)
    assert shared.target == case and shared.detail == {
        "agency_id": police.pk, "agency": police.name, "level": "view", "cause": "shared", "agreement_id": None,
        "agreement": "", "lawful_basis": "public_task", "special_category": "safeguarding", "told": "told",
        "disclosure": Disclosure.objects.get().pk}
    assert unshared.actor == alice and unshared.detail["agency_id"] == police.pk


def test_sign_in_failed_sign_in_and_sign_out_are_each_recorded(client, alice):
    client.post(reverse("login"), {"login": "alice", "password": "wrong"})
    client.post(reverse("login"), {"login": "alice", "password": PASSWORD})
    client.post(reverse("logout"))
    [failed] = events(action=AuditAction.LOGIN_FAILED)
    assert failed.actor is None and failed.actor_username == "alice" and failed.detail["reason"] == "bad_credentials"
    assert len(events(action=AuditAction.LOGIN, actor=alice)) == 1
    assert len(events(action=AuditAction.LOGOUT, actor=alice)) == 1


def test_the_audit_table_refuses_update_and_delete(alice, person):
    event = AuditEvent.objects.create(actor=alice, actor_username="alice", action=AuditAction.VIEW)
    for statement in ["UPDATE safeguarding_auditevent SET actor_username = 'mallory' WHERE id = %s",
                      "DELETE FROM safeguarding_auditevent WHERE id = %s"]:
        with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    with pytest.raises(ProgrammingError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_username="mallory")
    with pytest.raises(ProgrammingError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "alice"


def test_a_manager_finds_who_saw_a_record(client, alice, pete, mandy, shared_case):
    client_for(client, pete).get(reverse("case", args=[shared_case.pk]))
    client_for(client, alice).get(reverse("case", args=[shared_case.pk]))
    page = client_for(client, mandy).get(reverse("audit-search"), {"record": shared_case.reference,
                                                                     "action": AuditAction.VIEW})
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert {event.actor_username for event in rows} == {"alice", "pete"}
    assert events(action=AuditAction.SEARCH, actor=mandy)[0].detail["audit_log"] is True


def test_a_manager_filters_by_person_and_date(client, alice, pete, mandy, shared_case):
    client_for(client, pete).get(reverse("case", args=[shared_case.pk]))
    since = {"date_from_0": "1", "date_from_1": "1", "date_from_2": "2020"}  # the GOV.UK date input's three boxes
    page = client_for(client, mandy).get(reverse("audit-search"), {"person": "pete", **since})
    assert {event.actor_username for event in page.context["page"].object_list} == {"pete"}
    bad = client.get(reverse("audit-search"), {"date_from_0": "1", "date_from_1": "2", "date_from_2": "2026",
                          "date_to_0": "1", "date_to_1": "1", "date_to_2": "2026"})
    assert "The end date must be the same as or after the start date." in bad.content.decode()


def test_only_managers_and_administrators_may_search_the_log(client, alice, pete):
    assert client_for(client, alice).get(reverse("audit-search")).status_code == 403
    assert client_for(client, pete).get(reverse("audit-search")).status_code == 403


def test_changes_to_a_young_person_keep_field_history(alice, person):
    from cases.services import young_person_update

    young_person_update(actor=alice, young_person=person, expected_version=person.version, postcode="NF1 2AB")
    history = list(person.events.order_by("pgh_id").values_list("postcode", flat=True))
    assert history[-1] == "NF1 2AB" and len(history) == 2
