"""Who has seen a record (safeguarding.viewers), for the managers of the agency that owns it; and the audit log's CSV
export for the data protection officer."""

import csv
import io

import pytest
from django.urls import reverse

from contexts import services as context_services
from contexts.models import PeerGroup, Place, PlaceKind
from safeguarding import access, audit
from safeguarding.models import AuditAction, AuditEvent
from safeguarding.roles import Role
from tests.conftest import LAWFUL

from ..conftest import _person, assert_queries, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def dora(agencies):
    return _person(agencies, "dora", "la", Role.DATA_PROTECTION_OFFICER)


def _views(record, people, times):
    for _ in range(times):
        for person in people:
            audit.record_view(person, record)


def test_a_manager_sees_who_opened_a_case_with_their_agency_and_when(client, shared_case, alice, mandy, pete):
    _views(shared_case, [alice, pete], 1)
    audit.record(actor=alice, action=AuditAction.UPDATE, target=shared_case)  # a change, not a viewing
    client_for(client, mandy)
    page = client.get(reverse("record-viewers", args=["case", shared_case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pete Test" in text and "Northfield Police" in text and "Alice Test" in text
    assert "3 times" in text  # alice's and pete's views, and the share to the police
    assert AuditEvent.objects.filter(actor=mandy, action=AuditAction.SEARCH, target_label=shared_case.reference,
                                     detail__viewers=True).exists()
    case_page = client.get(reverse("case", args=[shared_case.pk])).content.decode()
    assert reverse("record-viewers", args=["case", shared_case.pk]) in case_page


@pytest.mark.parametrize("kind", ["young-person", "case", "place", "peer-group"])
def test_each_kind_of_record_has_the_page_for_managers_only(client, kind, shared_case, alice, mandy, adam, pete,
                                                            oscar):
    record = {"young-person": shared_case.young_person, "case": shared_case,
              "place": context_services.context_create(actor=alice, model=Place, name="Ravensworth Park",
                                                       kind=PlaceKind.PARK),
              "peer-group": context_services.context_create(actor=alice, model=PeerGroup, name="Ravens")}[kind]
    url = reverse("record-viewers", args=[kind, record.pk])
    for who, status in ((mandy, 200), (adam, 200), (alice, 403), (oscar, 404)):
        assert client_for(client, who).get(url).status_code == status, who
    if kind == "case":  # the police see the case, but it is not theirs: the council's managers answer for it
        assert client_for(client, pete).get(url).status_code == 403
    assert client_for(client, mandy).get(reverse("record-viewers", args=["nothing", record.pk])).status_code == 404


def test_the_page_makes_the_same_queries_however_many_viewings(client, case, alice, mandy, pete, agencies):
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    url = reverse("record-viewers", args=["case", case.pk])
    expected = ["session", "the signed-in person with their agency", "their roles' permissions",
                "the case, through the door, with what the agency may do to it", "count the viewings",
                "the SEARCH audit row (looking is an access too)", "a page of viewings, with who and their agency"]
    _views(case, [alice, pete], 2)
    assert_queries(client, mandy, url, expected)
    _views(case, [alice, pete], 40)
    assert_queries(client, mandy, url, expected)


def test_the_data_protection_officer_exports_the_audit_log_as_csv(client, case, alice, mandy, dora):
    audit.record(actor=alice, action=AuditAction.UPDATE, target=case, detail={"note": "=HYPERLINK(\"x\")"})
    assert client_for(client, mandy).get(reverse("audit-export")).status_code == 403
    client_for(client, dora)
    response = client.get(reverse("audit-export"), {"action": "update"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "occurred_at", "actor_username"]
    assert {r[5] for r in rows[1:]} == {"update"} and any(r[8] == case.reference for r in rows[1:])
    exported = AuditEvent.objects.get(actor=dora, action=AuditAction.EXPORT)
    assert exported.detail == {"audit_log": True, "action": "update"}
    # Bad filters: the search page, with its errors, and nothing exported.
    bad = client.get(reverse("audit-export"), {"date_from_0": "1", "date_from_1": "2", "date_from_2": "2026",
                          "date_to_0": "1", "date_to_1": "1", "date_to_2": "2026"})
    assert bad.status_code == 400 and "<title>Error: " in bad.content.decode()
    assert AuditEvent.objects.filter(actor=dora, action=AuditAction.EXPORT).count() == 1


def test_the_export_streams_the_same_queries_however_many_events(client, case, alice, dora):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client_for(client, dora)

    def made():
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get(reverse("audit-export")).streaming_content)
        return len(queries.captured_queries)

    made()
    few = made()
    for _ in range(300):
        audit.record_view(alice, case)
    assert made() == few
