"""Documents attached to records: scanned by a real clamd (the private one in tests/conftest.py), limited by type and
size, stored through the documents storage, downloaded only through the door, and missing files handled."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pypdf import PdfWriter

from cases.models import CaseDocument
from safeguarding import access, attachments, services
from safeguarding.models import AuditAction, AuditEvent, MissingFile
from tests.conftest import LAWFUL

from ..conftest import assert_queries, client_for, eicar, free_port

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload_url(case):
    return reverse("document-new", args=["case", case.pk])


def post_file(client, user, case, name, content, description=""):
    return client_for(client, user).post(upload_url(case), {
        "file": SimpleUploadedFile(name, content), "description": description})


def stored_files(media):
    return sorted(p for p in (media / "documents").rglob("*") if p.is_file())


def test_it_refuses_the_eicar_test_file_and_stores_nothing(client, alice, shared_case, scanner, media):
    response = post_file(client, alice, shared_case, "notes.txt", eicar())
    assert response.status_code == 200
    text = response.content.decode()
    assert "<title>Error: " in text
    assert "contains a virus or other malware" in text
    assert not CaseDocument.objects.exists()
    assert stored_files(media) == []


def test_it_finds_the_test_file_inside_other_content(alice, shared_case, scanner, media):
    upload = SimpleUploadedFile("minutes.txt", b"Meeting notes\n" + eicar() + b"\nmore notes")
    with pytest.raises(Exception, match="virus") as refused:
        services.document_upload(actor=alice, record=shared_case, upload=upload)
    assert refused.value.message_dict["file"]
    assert stored_files(media) == []


def test_a_clean_pdf_is_accepted_and_a_partner_it_is_shared_with_downloads_it(
        client, alice, pete, sam, oscar, shared_case, scanner, media):
    content = pdf_bytes()
    response = post_file(client, alice, shared_case, "School report.pdf", content, "Autumn term")
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert (document.name, document.content_type, document.size) == ("School report.pdf", "application/pdf",
                                                                     len(content))
    assert document.uploaded_by == alice and document.scanned_at is not None
    # Stored under a name of the service's own, never the uploaded one; not below any served folder.
    assert [p.read_bytes() for p in stored_files(media)] == [content]
    assert "School report" not in document.stored_as
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, detail__document=document.audit_label).exists()

    page = client_for(client, pete).get(reverse("case", args=[shared_case.pk]))
    assert "School report.pdf" in page.content.decode()
    url = reverse("document-download", args=["case", document.pk])
    response = client_for(client, pete).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "School report.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, actor=pete).get()
    assert event.target_label == document.audit_label and event.detail["record"] == shared_case.reference

    for outsider in (sam, oscar):  # the school and housing: the case is not shared with them
        assert client_for(client, outsider).get(url).status_code == 404
        assert client_for(client, outsider).post(upload_url(shared_case), {
            "file": SimpleUploadedFile("x.pdf", content)}).status_code == 404
    assert client_for(client, pete).get(reverse("document-download", args=["nothing", document.pk])).status_code == 404


def test_a_partner_shown_the_case_to_view_only_may_not_upload(client, alice, pete, case, agencies, scanner):
    access.share(actor=alice, obj=case, agency=agencies["police"], level=access.VIEW, basis=LAWFUL)
    assert client_for(client, pete).get(upload_url(case)).status_code == 403
    page = client_for(client, pete).get(reverse("case", args=[case.pk])).content.decode()
    assert upload_url(case) not in page


def test_a_partner_who_may_contribute_uploads(client, pete, shared_case, scanner):
    response = post_file(client, pete, shared_case, "Statement.txt", b"Seen at the station at 9pm.\n")
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert (document.agency, document.content_type) == (pete.agency, "text/plain")


def test_with_the_scanner_down_an_upload_is_refused_not_accepted_unscanned(
        client, alice, shared_case, settings, media):
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    response = post_file(client, alice, shared_case, "report.pdf", pdf_bytes())
    assert response.status_code == 200
    assert "could not be checked for viruses just now" in response.content.decode()
    assert not CaseDocument.objects.exists()
    assert not (media / "documents").exists() or stored_files(media) == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("program.exe", b"MZ\x90\x00\x03" + bytes(200), "must be a PDF"),
    ("report.pdf", b"\x00\x01\x02 not a pdf at all", "must be a PDF"),
    ("report.docx", b"%PDF-1.4\n% disguised", "is a PDF, but its name ends in"),
    ("archive.docx", None, "must be a PDF"),  # a zip that is no office document
    ("empty.txt", b"", "The selected file is empty"),
])
def test_it_refuses_types_not_allowed_judged_by_content(client, alice, shared_case, scanner, name, content, message):
    if content is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("payload.js", "alert(1)")
        content = out.getvalue()
    response = post_file(client, alice, shared_case, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(client, alice, shared_case, scanner, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    response = post_file(client, alice, shared_case, "big.txt", b"a" * 1001)
    assert "The file must be smaller than 1000" in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_office_documents_and_images_are_recognised_by_content():
    workbook = Workbook()
    workbook.active["A1"] = "Attendance"
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    png = b"\x89PNG\r\n\x1a\n" + bytes(20)
    found = {name: attachments.sniff(io.BytesIO(data)) for name, data in {
        "xlsx": xlsx.getvalue(), "docx": docx.getvalue(), "odt": odt.getvalue(), "png": png,
        "jpeg": b"\xff\xd8\xff\xe0" + bytes(20), "pdf": pdf_bytes(), "txt": "Café notes".encode(),
        "binary": bytes(range(256))}.items()}
    assert {k: v.label if v else None for k, v in found.items()} == {
        "xlsx": "Excel spreadsheet", "docx": "Word document", "odt": "OpenDocument text", "png": "PNG image",
        "jpeg": "JPEG image", "pdf": "PDF", "txt": "plain text", "binary": None}


def test_a_name_is_cleaned_of_folders_and_control_characters():
    assert attachments.clean_name("../../etc/passwd") == "passwd"
    assert attachments.clean_name("C:\\Users\\x\\report\x07.pdf") == "report.pdf"
    assert attachments.clean_name('a"b<c>.txt') == "abc.txt"
    assert attachments.clean_name("...") == "document"
    assert len(attachments.clean_name("x" * 300 + ".pdf")) <= 200


def test_a_document_missing_from_storage_gets_a_clear_page_and_is_listed_for_administrators(
        client, alice, pete, adam, shared_case, scanner, media):
    document = services.document_upload(actor=alice, record=shared_case,
                                        upload=SimpleUploadedFile("plan.pdf", pdf_bytes()))
    attachments.storage().delete(document.stored_as)
    url = reverse("document-download", args=["case", document.pk])
    for _ in range(2):
        response = client_for(client, pete).get(url)
        assert response.status_code == 410
        assert "The file is not available" in response.content.decode()
    missing = MissingFile.objects.get()
    assert (missing.path, missing.record_label, missing.times_asked) == (document.stored_as, document.audit_label, 2)
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, detail__sha256=document.sha256).exists()

    health = client_for(client, adam).get(reverse("healthz") + "?detail=1").json()
    assert health["detail"]["scanner"] == "ok"
    assert [m["path"] for m in health["detail"]["missing_files"]] == [document.stored_as]
    # Nobody else is told: not a practitioner, not an anonymous load balancer.
    assert "detail" not in client_for(client, alice).get(reverse("healthz") + "?detail=1").json()
    client.logout()
    assert "detail" not in client.get(reverse("healthz") + "?detail=1").json()


def test_healthz_detail_says_when_the_scanner_is_down(client, adam, settings):
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{free_port()}"
    detail = client_for(client, adam).get(reverse("healthz") + "?detail=1").json()["detail"]
    assert detail["scanner"].startswith("error: clamd not reachable")


DOWNLOAD = [
    "session",
    "user and agency",
    "role permissions",
    "the document through the access door (its case's grant), with the reader's levels and its case",
    "audit row (download)",
]
UPLOAD_FORM = [
    "session",
    "user and agency",
    "role permissions",
    "the case through the access door, with the reader's levels",
]


def test_the_download_and_the_upload_form_make_the_same_queries_however_many_documents(
        client, alice, pete, shared_case, scanner):
    for size in (5, 30):
        for i in range(CaseDocument.objects.count(), size):
            services.document_upload(actor=alice if i % 2 else pete, record=shared_case,
                                     upload=SimpleUploadedFile(f"Note {i}.txt", f"Note {i}".encode()))
        document = CaseDocument.objects.order_by("pk").first()
        for user in (alice, pete):
            assert_queries(client, user, reverse("document-download", args=["case", document.pk]), DOWNLOAD)
            assert_queries(client, user, upload_url(shared_case), UPLOAD_FORM)


@pytest.mark.parametrize("reply", [b"", b"stream: something odd\0", b"INSTREAM size limit exceeded. ERROR\0"])
def test_a_scanner_that_gives_no_verdict_refuses_the_upload(client, alice, shared_case, settings, media, reply):
    """A server on a free local port that reads the stream and answers anything but a verdict (or hangs up)."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{listener.getsockname()[1]}"

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(reply)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        response = post_file(client, alice, shared_case, "report.pdf", pdf_bytes())
    finally:
        server.join(timeout=10)
        listener.close()
    assert "could not be checked for viruses just now" in response.content.decode()
    assert not CaseDocument.objects.exists()
