"""What a pack prints of links and of the young person's voice, as the agency it is for: no link that is no longer
current, no other agency's intelligence-only link, and "Their voice" only where the agency may see the young person."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from cases import services as case_services
from contexts import services as context_services
from contexts.models import Association, AssociationNature, PlaceLinkNature, Purpose, Reliability
from panels import packs, services
from safeguarding import access, documents
from tests.conftest import LAWFUL

from ..contexts.conftest import evidence, friend  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


def _text(meeting, agency) -> str:
    content, _ = documents.render("panels/pack_pdf.html", packs.pack_context(meeting, agency))
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


def _jayden(context):
    return next(s for s in context["sections"] if s["item"].position == 1)


@pytest.fixture
def friend_shared(alice, friend, agencies):  # noqa: F811
    from ..factories import CaseFactory

    access.share(actor=alice, obj=CaseFactory(actor=alice, young_person=friend, lead_practitioner=alice),
                 agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    return friend


def test_an_expired_suspected_link_is_left_out_of_the_picture_and_the_pack(
        alice, meeting, agenda, person, friend_shared, agencies):
    link = context_services.association_add(actor=alice, person=person, other=friend_shared,
                                            nature=AssociationNature.ASSOCIATE,
                                            **evidence(reliability=Reliability.SUSPECTED))
    assert "Tyrese Walker" in _jayden(packs.pack_context(meeting, agencies["police"]))["network"]
    review_by = timezone.localdate() - timedelta(days=120)
    Association.objects.filter(pk=link.pk).update(review_by=review_by, last_reviewed_on=review_by)
    for agency in ("police", "la"):
        section = _jayden(packs.pack_context(meeting, agencies[agency]))
        assert section["network"] == ""  # nothing current to draw
        assert "Tyrese Walker" not in _text(meeting, agencies[agency])


def test_an_intelligence_link_is_printed_only_in_the_recording_agencys_pack(
        alice, pete, meeting, agenda, person, shared_case, park, agencies):
    access.share(actor=alice, obj=park, agency=agencies["police"], level=access.CONTRIBUTE, basis=LAWFUL)
    context_services.place_link_add(actor=pete, place=park, young_person=person, nature=PlaceLinkNature.FREQUENTS,
                                    purpose=Purpose.INTELLIGENCE, **evidence())
    police = _jayden(packs.pack_context(meeting, agencies["police"]))
    assert [link.place.name for link in police["places"]] == ["Eastgate Park"]
    assert "Place: Eastgate Park — Frequents (reported, intelligence)" in _text(meeting, agencies["police"])
    council = _jayden(packs.pack_context(meeting, agencies["la"]))
    assert council["places"] == [] and council["hidden_links"] == 0  # not even counted as a link kept back
    assert "Frequents" not in _text(meeting, agencies["la"])


def test_their_voice_is_in_the_pack_of_an_agency_that_may_see_them_and_not_of_one_that_may_not(
        alice, colin, meeting, agenda, person, shared_case, secret_person, agencies):
    today = timezone.localdate()
    for n, words in enumerate(["I don't feel safe at the park", "I want to go back to football",
                               "Nobody listens", "I like my keyworker"]):
        case_services.voice_entry_add(actor=alice, young_person=person, said_on=today - timedelta(days=n),
                                      words=words, how_captured="Home visit")
    case_services.voice_entry_add(actor=alice, young_person=person, said_on=today - timedelta(days=400),
                                  words="Something said long ago")
    case_services.voice_entry_add(actor=alice, young_person=secret_person, said_on=today,
                                  words="Kofi's own words, kept private")
    item = agenda[0]
    services.item_minute(actor=colin, item=item, expected_version=item.version,
                         feedback="We will tell Jayden what the panel decided about the park")
    police = _text(meeting, agencies["police"])
    assert "Their voice" in police and "I don't feel safe at the park" in police and "Nobody listens" in police
    assert "I like my keyworker" not in police  # the three most recent only
    assert "Something said long ago" not in police  # within six months
    assert "We will tell Jayden what the panel decided about the park" in police
    assert "Kofi's own words" not in police
    school = _text(meeting, agencies["school"])  # the school may not see Jayden, nor Kofi
    assert "Their voice" not in school and "I don't feel safe" not in school and "We will tell Jayden" not in school
    council = _text(meeting, agencies["la"])
    assert "Kofi's own words, kept private" in council


def test_a_packs_reads_do_not_grow_with_voice_entries_or_links(alice, meeting, agenda, person, shared_case, park,
                                                                agencies, friend_shared):
    def count():
        with CaptureQueriesContext(connection) as queries:
            packs.pack_context(meeting, agencies["police"])
        return len(queries)

    before = count()
    today = timezone.localdate()
    for n in range(6):
        case_services.voice_entry_add(actor=alice, young_person=person, said_on=today - timedelta(days=n),
                                      words=f"Words {n}")
    for nature in (AssociationNature.FRIEND, AssociationNature.ASSOCIATE, AssociationNature.CONFLICT):
        context_services.association_add(actor=alice, person=person, other=friend_shared, nature=nature,
                                         purpose=Purpose.INTELLIGENCE, **evidence())
    assert count() == before


def _held(meeting):
    """The meeting met yesterday."""
    from panels.models import Meeting, MeetingStatus

    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.IN_PROGRESS,
                                                 starts_at=timezone.now() - timedelta(days=1))


def test_after_the_meeting_the_practitioner_records_that_the_feedback_was_given_and_it_is_audited(
        client, alice, pete, colin, meeting, agenda, shared_case):
    from django.urls import reverse

    from safeguarding.models import AuditAction, AuditEvent

    from ..conftest import client_for

    item = agenda[0]
    url = reverse("item-feedback-given", args=[item.pk])
    client_for(client, alice)
    assert client.get(url).status_code == 409  # not met yet: nothing to record
    _held(meeting)
    page = client.get(url)
    assert page.status_code == 200 and "Record that the feedback was given to Jayden Okafor" in page.content.decode()
    bad = client.post(url, {"version": item.version, "how": "", "given_on_0": "1", "given_on_1": "1",
                            "given_on_2": "2001"})
    assert bad.status_code == 200 and "<title>Error: " in bad.content.decode()
    today = timezone.localdate()
    done = client.post(url, {"version": item.version, "how": "In person, at a home visit",
                             "given_on_0": today.day, "given_on_1": today.month, "given_on_2": today.year})
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.feedback_given_on, item.feedback_given_how, item.feedback_given_by) == (
        today, "In person, at a home visit", alice)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(item.pk)).latest("pk")
    assert event.actor_id == alice.pk and event.detail["feedback_given_on"] == today.isoformat()
    meeting_page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "In person, at a home visit (recorded by" in meeting_page
    # The police can see Jayden but do not hold his record and did not present the item; the chair's agency role
    # does not record a young person's words.
    client_for(client, pete)
    assert client.get(url).status_code == 403
    assert "that the feedback was given" not in client.get(reverse("meeting", args=[meeting.pk])).content.decode()


def test_after_the_meeting_its_page_asks_about_feedback_for_every_item_in_the_same_queries(
        client, alice, colin, meeting, agenda):
    from django.urls import reverse

    from ..conftest import client_for
    from ..factories import CaseFactory, YoungPersonFactory

    url = reverse("meeting", args=[meeting.pk])
    client_for(client, alice)

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return len(queries), page.count("that the feedback was given")

    _held(meeting)
    before, links = count()
    assert links == 2  # Jayden and Kofi: the council holds both
    for n in range(3):
        person = YoungPersonFactory(actor=alice)
        CaseFactory(actor=alice, young_person=person)
        services.agenda_item_add(actor=colin, meeting=meeting, subject=person, reason=f"Concern {n}")
    assert count() == (before, 5)
