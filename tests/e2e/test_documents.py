"""In a real browser: documents on a case, scanned by the private clamd (tests/conftest.py).

Alice (social worker, council) tries to upload the EICAR test file to a case shared with the police: it is refused
with a GOV.UK error. She uploads a clean PDF, which is listed on the case. Pete (police, the case is shared with his
agency) downloads it and gets the same bytes; oscar (housing, nothing shared) gets 404 at its address. Alice prints the
case summary and chronology. axe-core checks every page on the way.
"""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from cases import services
from cases.models import EntryKind

from ..conftest import PASSWORD, eicar
from .conftest import BLOCKING_IMPACTS, TIMEOUT_MS, Visit

pytestmark = pytest.mark.e2e


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=300)
    writer.add_metadata({"/Title": "Safety plan review"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def people(alice, pete, oscar):
    for person in (pete, oscar):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    return alice, pete, oscar


def test_an_upload_refused_for_malware_one_accepted_and_downloaded_by_the_partner_only(
        visit, browser, people, shared_case, scanner):
    alice, pete, oscar = people
    services.chronology_add(actor=alice, case=shared_case, kind=EntryKind.INCIDENT,
                            occurred_at=shared_case.created_at, text="Seen near the Larchfield underpass")
    page = visit.page
    violations = {}
    case_path = f"/cases/{shared_case.pk}/"

    visit.sign_in("alice", PASSWORD)
    visit.goto(case_path)
    visit.assert_assets_loaded()
    expect(page.locator("#documents")).to_contain_text("No documents yet.")
    page.get_by_role("link", name="Upload a document").click()
    expect(page.get_by_role("heading", name="Upload a document")).to_be_visible()
    violations["upload form"] = visit.axe("upload-form")

    # The EICAR test file: refused, nothing kept.
    page.get_by_label("Upload a file").set_input_files(
        {"name": "statement.txt", "mimeType": "text/plain", "buffer": eicar()})
    page.get_by_role("button", name="Upload", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("contains a virus or other malware")
    assert page.title().startswith("Error: ")
    violations["malware refused"] = visit.axe("malware-refused")
    visit.screenshot("malware-refused")

    # A clean PDF: accepted and listed.
    content = _pdf()
    page.get_by_label("Upload a file").set_input_files(
        {"name": "Safety plan review.pdf", "mimeType": "application/pdf", "buffer": content})
    page.get_by_label("What is it? (optional)").fill("Review meeting notes")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Safety plan review.pdf has been uploaded.")).to_be_visible()
    expect(page.locator("#documents")).to_contain_text("Review meeting notes")
    violations["case with a document"] = visit.axe("case-with-document")
    visit.screenshot("uploaded")
    link = page.locator("#documents").get_by_role("link", name="Safety plan review.pdf")
    document_path = link.get_attribute("href")

    # The case summary and chronology, printed.
    page.get_by_role("link", name="Print a summary and chronology (PDF)").click()
    violations["summary form"] = visit.axe("summary-form")
    page.get_by_label("Incident").check()
    with page.expect_download() as printed:
        page.get_by_role("button", name="Download the PDF").click()
    # A navigation answered with an attachment becomes a download: Chromium reports that navigation as aborted.
    visit.problems = [p for p in visit.problems if not (
        p.startswith("request failed: ") and "/summary/?" in p and p.endswith("net::ERR_ABORTED"))]
    text = "".join(p.extract_text() for p in PdfReader(printed.value.path()).pages)
    assert "Larchfield underpass" in text and shared_case.reference in text
    visit.assert_no_problems()

    # Pete (police): the case is shared with his agency, so he downloads the same bytes.
    partner = Visit(browser.new_context(base_url=visit.base_url).new_page(), visit.base_url, "documents-partner")
    partner.page.set_default_timeout(TIMEOUT_MS)
    partner.sign_in("pete", PASSWORD)
    partner.goto(case_path)
    violations["partner's case page"] = partner.axe("partner-case")
    with partner.page.expect_download() as download:
        partner.page.locator("#documents").get_by_role("link", name="Safety plan review.pdf").click()
    assert download.value.suggested_filename == "Safety plan review.pdf"
    assert Path(download.value.path()).read_bytes() == content
    partner.assert_no_problems()

    # Oscar (housing): nothing is shared with his agency, so the document's address is not found.
    outsider = Visit(browser.new_context(base_url=visit.base_url).new_page(), visit.base_url, "documents-outsider")
    outsider.page.set_default_timeout(TIMEOUT_MS)
    outsider.sign_in("oscar", PASSWORD)
    response = outsider.goto(document_path)
    assert response.status == 404
    expect(outsider.page.locator("main")).not_to_contain_text("Safety plan review")
    violations["outsider 404"] = outsider.axe("outsider-404")
    outsider.assert_no_problems()

    blocking = {label: [v for v in found if v["impact"] in BLOCKING_IMPACTS] for label, found in violations.items()}
    assert not any(blocking.values()), "\n".join(
        f"{label}:\n{Visit.describe(found)}" for label, found in blocking.items() if found)
