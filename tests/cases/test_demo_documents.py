"""The demo seeder's documents: two generated PDFs on the demo social worker's first open case, scanned like any
upload, added once; none (and a line saying why) without a scanner."""

from collections import Counter
from io import BytesIO, StringIO

import pytest
from pypdf import PdfReader

from cases import demo
from cases.models import CaseDocument
from safeguarding import attachments, scanner
from safeguarding import demo as kernel_demo
from safeguarding.models import User

from ..conftest import free_port
from ..factories import CaseFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_case(settings):
    settings.DEBUG = True
    run = kernel_demo.Run(StringIO())
    kernel_demo.seed(run)
    worker = User.objects.get(username="sw.demo")
    return CaseFactory(actor=worker, young_person=YoungPersonFactory(actor=worker), lead_practitioner=worker)


def test_it_attaches_two_generated_pdfs_once(demo_case, scanner):
    run = kernel_demo.Run(StringIO())
    tally = Counter()
    demo._documents(run, tally)
    demo._documents(run, tally)  # a second run adds nothing
    assert tally == Counter({"documents": 2})
    names = sorted(CaseDocument.objects.filter(case=demo_case).values_list("name", flat=True))
    assert names == ["Return home interview summary.pdf", "School attendance review.pdf"]
    for document in CaseDocument.objects.all():
        with attachments.storage().open(document.stored_as, "rb") as handle:
            text = PdfReader(BytesIO(handle.read())).pages[0].extract_text()
        assert demo_case.reference in text and "Fictional" in text


def test_without_a_scanner_it_adds_none_and_says_why(demo_case, settings, media, monkeypatch):
    """No clamd answers, and Debian's is not installed for the seeder to start one of its own."""
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setattr(scanner, "CLAMD", "/nonexistent/clamd")
    out = StringIO()
    tally = Counter()
    demo._documents(kernel_demo.Run(out), tally)
    assert not tally and not CaseDocument.objects.exists()
    assert "Demo documents not added: no malware scanner answers at CLAMAV_URL" in out.getvalue()


def test_with_no_scanner_running_the_seeder_starts_its_own_for_the_documents(demo_case, settings, media):
    """As in `make seed` on a machine with Debian's clamd: a private one (EICAR only) while the documents are scanned,
    stopped afterwards."""
    port = free_port()
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{port}"
    tally = Counter()
    demo._documents(kernel_demo.Run(StringIO()), tally)
    assert tally["documents"] == 2 and CaseDocument.objects.count() == 2
    assert not scanner.pong(port)  # stopped again
