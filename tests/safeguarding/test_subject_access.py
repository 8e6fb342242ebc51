"""Subject access exports (safeguarding.subject_access): what they hold, what they redact, and that nobody downloads
one before a second person has signed it off."""

import io
import json
from datetime import date, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services as case_services
from cases.models import EntryKind
from contexts import services as context_services
from contexts.models import AssociationNature, PeerGroup, Reliability
from panels import services as panel_services
from panels.models import PanelKind
from safeguarding import access, audit, celery_app, services, subject_access
from safeguarding.models import AuditAction, AuditEvent, OutboxJob, SubjectAccessRequest, SubjectAccessStatus
from safeguarding.roles import Role
from tests.conftest import LAWFUL

from ..conftest import QUEUES, _person, assert_queries, client_for, wait_for
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dora(agencies):
    """The lead authority's data protection officer."""
    return _person(agencies, "dora", "la", Role.DATA_PROTECTION_OFFICER)


@pytest.fixture
def held(alice, colin, pete, agencies):
    """Wren, the subject, with a case, a chronology naming her friend Cosmo, a link with him, a peer group, an agenda
    item; and Cosmo's own case. The police viewed Wren's case."""
    today = timezone.localdate()
    wren = YoungPersonFactory(actor=alice, first_name="Wrenna", last_name="Fairweather", date_of_birth=date(2010, 8, 9))
    cosmo = YoungPersonFactory(actor=alice, first_name="Cosmo", last_name="Pilkington", date_of_birth=date(2010, 2, 3))
    case = CaseFactory(actor=alice, young_person=wren, lead_practitioner=alice,
                       summary="Wrenna missing overnight twice; seen with Cosmo Pilkington near the arcade")
    CaseFactory(actor=alice, young_person=cosmo, lead_practitioner=alice, summary="Cosmo's own worries")
    case_services.chronology_add(actor=alice, case=case, kind=EntryKind.INCIDENT,
                                 occurred_at=timezone.now() - timedelta(days=1),
                                 text="Wrenna said Cosmo drove her to Dudley. Alice Test from the council visited.")
    case_services.voice_entry_add(actor=alice, young_person=wren, said_on=today, words="I like the climbing wall")
    case_services.trusted_adult_add(actor=alice, young_person=wren, name="Marigold Fairweather-Oakes",
                                    relationship="Grandmother")
    evidence = {"reliability": Reliability.REPORTED, "review_by": today + timedelta(days=30)}
    context_services.association_add(actor=alice, person=wren, other=cosmo, nature=AssociationNature.FRIEND,
                                     notes="Cosmo is older", **evidence)
    group = context_services.context_create(actor=alice, model=PeerGroup, name="Arcade crowd")
    context_services.membership_add(actor=alice, peer_group=group, young_person=wren, role="core", **evidence)
    panel = panel_services.panel_create(actor=colin, name="Northfield MACE", kind=PanelKind.MACE,
                                        member_agencies=[agencies["la"]], chairs=[colin])
    meeting = panel_services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(days=2))
    panel_services.agenda_item_add(actor=colin, meeting=meeting, subject=wren, reason="Missing twice this month")
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    audit.record_view(pete, case)
    return {"wren": wren, "cosmo": cosmo, "case": case}


def _built(actor, wren):
    sar = services.subject_access_request(actor=actor, young_person=wren, requested_by="Wrenna herself, by email",
                                          received_on=timezone.localdate())
    subject_access.build(sar.pk)
    sar.refresh_from_db()
    return sar


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_export_holds_the_young_persons_records_and_viewers_and_no_other_young_persons_name(
        held, mandy, media):
    sar = _built(mandy, held["wren"])
    assert sar.status == SubjectAccessStatus.TO_REVIEW and sar.pages >= 1
    text = _pdf_text(sar.pdf_file.read())
    flat = " ".join(text.split())
    for held_about_her in ("Wrenna Fairweather", held["case"].reference, "missing overnight twice",
                           "drove her to Dudley", "I like the climbing wall", "Grandmother", "Arcade crowd",
                           "Missing twice this month", "Northfield MACE"):
        assert held_about_her in flat, held_about_her
    # Who viewed her case: the police, by role and agency; the practitioners never by name.
    assert "Partner practitioner, Northfield Police" in flat
    assert "another young person" in flat
    for never in ("Cosmo", "Pilkington", "Marigold", "Fairweather-Oakes", "Alice Test", "Pete"):
        assert never not in flat, never
    assert "Social worker, Northfield Council" in flat

    content = json.loads(sar.json_file.read())
    dumped = json.dumps(content)
    assert "Cosmo" not in dumped and "Pilkington" not in dumped and "Marigold" not in dumped
    titles = {s["title"]: len(s["records"]) for s in content["sections"]}
    assert titles["Cases"] == 1 and titles["Chronology"] == 1 and titles["Assessments"] == 0
    assert titles["Links to groups, people and places"] == 2 and titles["Panel meetings"] == 1
    assert any(v["who"] == "Partner practitioner, Northfield Police" and v["did"] == "Viewed"
               for v in content["viewers"])
    assert content["redactions"]["other young people"] >= 1 and content["redactions"]["names in free text"] >= 2
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, target_label=sar.audit_label).exists()


def test_it_holds_only_what_the_asking_agency_sees(held, pete, agencies, media):
    """A police request (their own manager): the shared case, but nothing the council keeps to itself."""
    polly = _person(agencies, "polly", "police", Role.TEAM_MANAGER)
    sar = _built(polly, held["wren"])
    content = json.loads(sar.json_file.read())
    titles = {s["title"]: len(s["records"]) for s in content["sections"]}
    assert titles["Cases"] == 1 and titles["Panel meetings"] == 0
    assert titles["Links to groups, people and places"] == 0  # the group is not shared with the police
    # Viewings: the police's own people's only (pete's view), not the council's share of it.
    assert [v["who"] for v in content["viewers"]] == ["Partner practitioner, Northfield Police"]


def test_her_documents_are_listed_and_nobody_elses(held, alice, mandy, scanner, media):
    """A document on her case is listed (name, what it is on, who attached it by role, its fingerprint), not copied;
    a document on another young person's case is not, nor its name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Case

    mine = services.document_upload(actor=alice, record=held["case"], description="Notes of the strategy meeting",
                                    upload=SimpleUploadedFile("strategy-meeting.txt", b"Strategy meeting notes\n"))
    cosmos_case = Case.objects.get(young_person=held["cosmo"])
    services.document_upload(actor=alice, record=cosmos_case,
                             upload=SimpleUploadedFile("cosmo-school-report.txt", b"School report\n"))
    sar = _built(mandy, held["wren"])
    content = json.loads(sar.json_file.read())
    [section] = [s for s in content["sections"] if s["key"] == "documents"]
    assert [r["heading"] for r in section["records"]] == ["strategy-meeting.txt"]
    fields = {f["label"]: f["value"] for f in section["records"][0]["fields"]}
    assert fields["Attached to"] == f"Case {held['case'].reference}"
    assert fields["Attached by"] == "Social worker, Northfield Council"
    assert fields["Fingerprint (SHA-256)"] == mine.sha256
    flat = " ".join(_pdf_text(sar.pdf_file.read()).split())
    assert "strategy-meeting.txt" in flat and "Notes of the strategy meeting" in flat
    assert "cosmo-school-report" not in flat and "cosmo-school-report" not in json.dumps(content)
    assert sar.summary["sections"]["Documents"] == 1


def test_nobody_downloads_before_a_second_person_signs_it_off(held, mandy, dora, client, media):
    sar = _built(mandy, held["wren"])
    pdf, as_json = reverse("subject-access-pdf", args=[sar.pk]), reverse("subject-access-json", args=[sar.pk])
    client_for(client, mandy)
    assert client.get(pdf).status_code == 409 and client.get(as_json).status_code == 409
    with pytest.raises(PermissionDenied):  # the person who asked cannot sign it off
        services.subject_access_sign_off(actor=mandy, request=sar, expected_version=sar.version)
    # The reviewer reads it first (audited as before release), then signs it off.
    client_for(client, dora)
    read = client.get(pdf)
    assert read.status_code == 200 and read["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.get(action=AuditAction.DOWNLOAD, actor=dora).detail["before_release"] is True
    refused = client.post(reverse("subject-access-sign-off", args=[sar.pk]), {"version": sar.version})
    assert refused.status_code == 400 and "<title>Error: " in refused.content.decode()
    signed = client.post(reverse("subject-access-sign-off", args=[sar.pk]),
                         {"version": sar.version, "confirm": "on", "note": "Checked page by page"})
    assert signed.status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.RELEASED and sar.reviewed_by == dora
    client_for(client, mandy)
    got = client.get(as_json)
    assert got.status_code == 200 and json.loads(b"".join(got.streaming_content))["young_person"]["name"] == \
        "Wrenna Fairweather"
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, actor=mandy, target_label=sar.audit_label).exists()
    with pytest.raises(ValidationError):  # released: cannot be made again or signed twice
        services.subject_access_rebuild(actor=mandy, request=sar, expected_version=sar.version)


def test_who_may_ask(held, alice, mandy, dora, pete, oscar):
    for refused in (alice, pete):  # a social worker; a partner practitioner who sees the case
        with pytest.raises(PermissionDenied):
            services.subject_access_request(actor=refused, young_person=held["wren"], requested_by="Wrenna",
                                            received_on=timezone.localdate())
    from django.http import Http404

    with pytest.raises(Http404):
        services.subject_access_request(actor=oscar, young_person=held["wren"], requested_by="Wrenna",
                                        received_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.subject_access_request(actor=dora, young_person=held["wren"], requested_by="",
                                        received_on=timezone.localdate() + timedelta(days=1))
    sar = services.subject_access_request(actor=dora, young_person=held["wren"], requested_by="Wrenna",
                                          received_on=date(2026, 1, 31))
    assert sar.due_on == date(2026, 2, 28)  # one calendar month, the end of a shorter month


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_real_worker_builds_the_export_asked_for_on_the_page(held, mandy, client, broker, media):
    client_for(client, mandy)
    form = client.get(reverse("subject-access-new", args=[held["wren"].pk]))
    assert form.status_code == 200
    bad = client.post(reverse("subject-access-new", args=[held["wren"].pk]), {"requested_by": ""})
    assert bad.status_code == 200 and "<title>Error: " in bad.content.decode()
    today = timezone.localdate()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        asked = client.post(reverse("subject-access-new", args=[held["wren"].pk]), {
            "requested_by": "Wrenna, in person", "received_on_0": today.day, "received_on_1": today.month,
            "received_on_2": today.year})
        assert asked.status_code == 302
        sar = SubjectAccessRequest.objects.get()
        assert OutboxJob.objects.filter(key=f"subject-access:{sar.pk}").exists()
        assert wait_for(lambda: SubjectAccessRequest.objects.filter(
            pk=sar.pk, status=SubjectAccessStatus.TO_REVIEW).exists())
    sar.refresh_from_db()
    assert sar.pdf_file and sar.json_file and "Wrenna Fairweather" in _pdf_text(sar.pdf_file.read())
    page = client.get(reverse("subject-access", args=[sar.pk])).content.decode()
    assert "Ready for review" in page and "must be read and signed off" in page


def test_the_request_pages_make_the_same_queries_however_many_requests(held, mandy, dora, client, media):
    sar = _built(mandy, held["wren"])
    expected_list = ["session", "the signed-in person with their agency", "their roles' permissions",
                     "count the agency's requests", "a page of requests"]
    assert_queries(client, dora, reverse("subject-access-list"), expected_list)
    expected_page = ["session", "the signed-in person with their agency", "their roles' permissions",
                     "the request, with who asked and who signed off, and its agency"]
    assert_queries(client, dora, reverse("subject-access", args=[sar.pk]), expected_page)
    for _ in range(5):
        _built(mandy, held["wren"])
    assert_queries(client, dora, reverse("subject-access-list"), expected_list)


def test_the_request_form_makes_a_fixed_number_of_queries(held, mandy, client):
    expected = ["session", "the signed-in person with their agency", "their roles' permissions",
                "the young person, through the door, with what the agency may do"]
    assert_queries(client, mandy, reverse("subject-access-new", args=[held["wren"].pk]), expected)


def test_it_holds_her_safety_plan_goal_by_goal_with_owners_by_role(held, alice, mandy, agencies, media):
    from assessments import services as assessment_services

    goal = assessment_services.goal_add(actor=alice, subject=held["wren"], statement="Wrenna feels safe at the arcade",
                                        met_when="She says so twice", measured_by="Her own words")
    assessment_services.intervention_add(actor=alice, goal=goal, what="Youth worker at the arcade on Fridays",
                                         owner_agency=agencies["la"], owner=alice,
                                         due_on=timezone.localdate() + timedelta(days=20))
    sar = _built(mandy, held["wren"])
    content = json.loads(sar.json_file.read())
    plan = next(s for s in content["sections"] if s["title"] == "Safety plan")
    assert len(plan["records"]) == 1
    dumped = json.dumps(plan)
    assert "Wrenna feels safe at the arcade" in dumped and "Youth worker at the arcade on Fridays" in dumped
    assert "Social worker, Northfield Council" in dumped and "Alice" not in dumped
