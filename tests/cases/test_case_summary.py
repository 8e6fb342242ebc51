"""The printable case summary and chronology: a PDF of what the reader may see of the case, filtered, audited."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services
from cases.models import EntryKind
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import assert_queries, client_for

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def chronology(alice, mandy, pete, shared_case):
    now = timezone.now()
    add = services.chronology_add
    add(actor=alice, case=shared_case, kind=EntryKind.INCIDENT, occurred_at=now - timedelta(days=40),
        text="Stopped near Larchfield station with older males")
    add(actor=pete, case=shared_case, kind=EntryKind.MISSING, occurred_at=now - timedelta(days=10),
        text="Reported missing overnight, found in Wexley")
    add(actor=alice, case=shared_case, kind=EntryKind.DISCLOSURE, occurred_at=now - timedelta(days=5),
        text="Told the worker about the debt owed to Marlow", restricted=True, restricted_to=[mandy])
    add(actor=alice, case=shared_case, kind=EntryKind.NOTE, occurred_at=now - timedelta(days=1),
        text="Home visit, mother present")
    return shared_case


def summary_url(case, query: str = "") -> str:
    return reverse("case-summary", args=[case.pk]) + (f"?{query}" if query else "")


ALL = "submit=Download"


def test_it_prints_the_summary_and_every_entry_the_author_may_see(client, alice, chronology):
    text = pdf_text(client_for(client, alice).get(summary_url(chronology, ALL)))
    assert "Jayden Okafor" in text and chronology.reference in text
    for words in ("Larchfield station", "missing overnight", "debt owed to Marlow", "Home visit"):
        assert words in text
    assert text.index("Larchfield") < text.index("Home visit")  # oldest first
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=alice)
    assert event.target_label == chronology.reference
    assert (event.detail["entries"], event.detail["restricted_entries"], event.detail["format"]) == (4, 1, "pdf")


def test_a_restricted_entry_is_printed_only_for_the_people_it_is_restricted_to(
        client, mandy, pete, colin, chronology):
    named = pdf_text(client_for(client, mandy).get(summary_url(chronology, ALL)))
    assert "debt owed to Marlow" in named and "Restricted" in named
    for reader in (pete, colin):  # a partner it is shared with, and a colleague of the author not named
        text = pdf_text(client_for(client, reader).get(summary_url(chronology, ALL)))
        assert "debt owed to Marlow" not in text
        assert "Larchfield station" in text and "missing overnight" in text
    assert AuditEvent.objects.get(action=AuditAction.EXPORT, actor=pete).detail["restricted_entries"] == 0


def test_it_filters_by_kind_and_by_dates(client, alice, chronology):
    client_for(client, alice)
    text = pdf_text(client.get(summary_url(chronology, f"{ALL}&kinds=incident&kinds=missing")))
    assert "Larchfield station" in text and "missing overnight" in text
    assert "Home visit" not in text and "Marlow" not in text
    start = timezone.localdate() - timedelta(days=12)
    end = timezone.localdate() - timedelta(days=2)
    dates = (f"date_from_0={start.day}&date_from_1={start.month}&date_from_2={start.year}"
             f"&date_to_0={end.day}&date_to_1={end.month}&date_to_2={end.year}")
    text = pdf_text(client.get(summary_url(chronology, f"{ALL}&{dates}")))
    assert "missing overnight" in text and "Marlow" in text
    assert "Larchfield" not in text and "Home visit" not in text
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).first()
    assert event.detail["date_from"] == start.isoformat() and event.detail["entries"] == 2


def test_it_shows_the_form_first_and_errors_without_a_500(client, alice, chronology):
    client_for(client, alice)
    page = client.get(summary_url(chronology))
    assert page.status_code == 200 and "Print a case summary and chronology" in page.content.decode()
    for bad in ("kinds=nonsense", "date_from_0=31&date_from_1=2&date_from_2=2026",
                "date_from_0=2&date_from_1=2&date_from_2=2026&date_to_0=1&date_to_1=1&date_to_2=2026"):
        response = client.get(summary_url(chronology, f"{ALL}&{bad}"))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), bad
        assert "<title>Error: " in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_agencies_it_is_not_shared_with_get_404(client, sam, oscar, chronology):
    for outsider in (sam, oscar):
        assert client_for(client, outsider).get(summary_url(chronology, ALL)).status_code == 404
        assert client_for(client, outsider).get(summary_url(chronology)).status_code == 404


PINNED = [
    "session",
    "user and agency",
    "the case through the access door, with the reader's levels, agency, young person and lead",
    "role permissions",
    "chronology entries the reader can see, filtered, oldest first (first 2001), with author and agency",
    "who each entry is restricted to (prefetch)",
    "documents attached to the case the reader can see, with uploader and agency",
    "audit row (export)",
]


def test_the_pdf_makes_the_same_queries_however_long_the_chronology(client, alice, pete, chronology):
    url = summary_url(chronology, ALL)
    for size in (5, 40):
        have = chronology.chronology.count()
        for i in range(have, size):
            services.chronology_add(actor=alice if i % 2 else pete, case=chronology, kind=EntryKind.CONTACT,
                                    occurred_at=timezone.now() - timedelta(hours=i), text=f"Contact {i}",
                                    restricted=bool(i % 3 == 0 and i % 2), restricted_to=[])
        assert_queries(client, alice, url, PINNED)
        assert_queries(client, pete, url, PINNED)
