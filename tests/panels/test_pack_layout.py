"""Panel packs laid out for reading: items not shared with the agency are one short list, not a page each; the
attendance flows on with the contents; no near-empty pages; no network picture with nothing to draw."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from panels import packs, services
from panels.models import AttendanceStatus
from safeguarding import documents
from safeguarding.roles import Role

from ..conftest import _person
from ..contexts.conftest import friend  # noqa: F401 (a fixture)
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


def _build(meeting, agency) -> tuple[str, int]:
    content, pages = documents.render("panels/pack_pdf.html", packs.pack_context(meeting, agency))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())
    return text, pages


@pytest.fixture
def ten_items(colin, alice, meeting, agenda, agencies, person):
    """Ten items: the fixture's four (Jayden shared with the police, Kofi and the park not) and six more, three of
    them about young people whose cases are not shared with the police; and sixteen people invited."""
    add = services.agenda_item_add
    for n in range(3):
        hidden = YoungPersonFactory(actor=alice, first_name=f"Hidden{n}", last_name="Private")
        CaseFactory(actor=alice, young_person=hidden, lead_practitioner=alice)
        add(actor=colin, meeting=meeting, subject=hidden, reason=f"Concern {n}")
        add(actor=colin, meeting=meeting, theme=f"Theme {n}: transport hubs after school", reason="Reports")
    for n in range(14):
        agency = ("police", "school", "la")[n % 3]
        guest = _person(agencies, f"guest{n}", agency, Role.PARTNER_PRACTITIONER if agency != "la"
                        else Role.SOCIAL_WORKER)
        services.attendance_set(actor=colin, meeting=meeting, person=guest, status=AttendanceStatus.INVITED)
    meeting.refresh_from_db()
    return meeting


def test_items_not_shared_are_one_short_list_and_the_pack_has_no_page_per_item(ten_items, agencies):
    text, pages = _build(ten_items, agencies["police"])
    print(f"\n10-item pack for the police: {pages} pages")
    # Items 2 (Kofi), 3 (the park), 5, 7 and 9 (the hidden young people) are not the police's.
    assert "5 items are about records not shared with Northfield Police: items 2, 3, 5, 7 and 9. Ask the chair" in text
    assert "has not been shared with Northfield Police. Nothing about it is in this pack" not in text
    for secret in ("Kofi", "Mensah-Secret", "Hidden0", "Eastgate Park", "Concern 1", "large sum of cash"):
        assert secret not in text, secret
    assert "Guest13 Test" in text and "Theme 2: transport hubs" in text
    assert pages <= 4, pages


def test_two_unshared_items_are_listed_in_one_line(colin, meeting, agenda, agencies):
    text, _ = _build(meeting, agencies["police"])
    assert "2 items are about records not shared with Northfield Police: items 2 and 3. Ask the chair" in text
    assert text.count("not shared with Northfield Police") == 1


def test_no_network_picture_when_there_is_nothing_to_draw(meeting, agenda, agencies):
    context = packs.pack_context(meeting, agencies["police"])
    jayden = next(s for s in context["sections"] if s["item"].position == 1)
    assert jayden["network"] == ""  # no associations, no groups: nothing but Jayden to draw
    text, _ = _build(meeting, agencies["police"])
    assert "Network" not in text


def test_a_network_is_drawn_when_it_has_links(colin, alice, meeting, person, agencies, friend):  # noqa: F811
    from contexts import services as context_services
    from contexts.models import AssociationNature

    from ..contexts.conftest import evidence

    context_services.association_add(actor=alice, person=person, other=friend, nature=AssociationNature.FRIEND,
                                     **evidence())
    services.agenda_item_add(actor=colin, meeting=meeting, subject=person, reason="Missing")
    context = packs.pack_context(meeting, agencies["la"])
    assert "<svg" in context["sections"][0]["network"]
