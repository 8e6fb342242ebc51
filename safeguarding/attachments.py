"""Documents attached to records: which records take them, what may be attached, how they are checked and stored.

- Each app registers the records of its that take documents (``register``, beside the model): the concrete
  ``safeguarding.models.Attachment`` kind holding the record in a foreign key, the word for addresses and the named
  rule saying who may attach one (the record's contribute rule). Seeing a document is seeing its record.
- What may be attached is an allow-list judged by the file's content (its first bytes, and for the zipped office
  formats the parts inside), never by its name alone: the name's extension must agree with what the content is.
- Every file is scanned by ClamAV (``safeguarding.scanner``) before anything is stored; a scanner that does not
  answer refuses the upload. Files are stored through ``storages["documents"]`` under a random name.

The write itself is ``safeguarding.services.document_upload``; the download is ``safeguarding.views.document_download``.
"""

import hashlib
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db.models import Model
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from . import policy, scanner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    word: str  # in addresses: /upload/<word>/<record pk>/, /documents/<word>/<pk>/
    model: type[Model]  # the concrete Attachment kind
    rule: str  # the dotted name of the rule for attaching one to a record ("cases.policies.can_attach_to_case")
    noun: str  # "case"
    page: str  # the name of the URL of the record's own page, taking its pk; documents are listed at "#documents"
    # The lookup from a document of this kind to the young person it is about ("case__young_person"), for subject
    # access exports; None where the record is not one young person's (a place, a group, a meeting of many).
    young_person: str | None = None

    @property
    def parent_field(self) -> str:
        return self.model.PARENT

    @property
    def parent_model(self) -> type[Model]:
        return self.model._meta.get_field(self.model.PARENT).related_model

    def url(self, record) -> str:
        return reverse(self.page, args=[record.pk]) + "#documents"

    def may_attach(self, user, record):
        return policy.RULES[self.rule](user, record)

    def ensure_may_attach(self, user, record):
        policy.RULES[self.rule].ensure(user, record)


KINDS: dict[str, Kind] = {}


def register(word: str, model: type[Model], *, rule: str, noun: str, page: str,
             young_person: str | None = None) -> Kind:
    kind = Kind(word, model, rule, noun, page, young_person)
    KINDS[word] = kind
    return kind


def kind(word: str) -> Kind:
    """The kind an address names, or 404."""
    try:
        return KINDS[word]
    except KeyError:
        raise Http404 from None


def kind_of(record) -> Kind:
    """The kind of documents attached to ``record`` (a case, a place ...)."""
    for found in KINDS.values():
        if isinstance(record, found.parent_model):
            return found
    raise LookupError(f"{type(record).__name__} takes no documents")


def page_context(user, record) -> dict:
    """What a record's page needs for its documents section (templates/includes/documents.html): the documents the
    reader may see, their kind, and whether the reader may attach one."""
    from . import selectors

    found = kind_of(record)
    return {"attached_to": record, "documents": selectors.documents_of(user, record), "documents_kind": found,
            "can_attach": found.may_attach(user, record)}


# --- What may be attached --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
DOCX = FileType("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = FileType("OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
TXT = FileType("plain text", "text/plain", (".txt",))
PNG = FileType("PNG image", "image/png", (".png",))
JPEG = FileType("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
ALLOWED = (PDF, DOCX, XLSX, ODT, TXT, PNG, JPEG)
ALLOWED_WORDS = "PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), plain text (TXT), PNG or JPEG"


def _zipped(stream) -> FileType | None:
    """An office document is a zip; which one is said by the parts inside, not by the name."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.content_type.encode():
                return ODT
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    finally:
        stream.seek(0)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def _text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut by the end of the sample, not binary data
    return True


def sniff(stream) -> FileType | None:
    """What the file is, by its content; None when it is none of the allowed types."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zipped(stream)
    if head and _text(head):
        return TXT
    return None


def clean_name(name: str) -> str:
    """The name shown and given back on download: its last part only, without control characters, at most 200."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[:190]}.{ext[:8]}" if dot else base[:200]
    return base or "document"


@dataclass(frozen=True)
class Checked:
    name: str
    file_type: FileType
    size: int
    sha256: str


def check(upload) -> Checked:
    """Refuse what may not be attached (``ValidationError`` on ``file``, saying why): too big, empty, a type not
    allowed or not what its name says, or malware. ``scanner.ScannerUnavailable`` is turned into a refusal too.
    Nothing is stored here."""
    name = clean_name(upload.name)
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": f"The file must be smaller than {filesizeformat(settings.DOCUMENT_MAX_BYTES)}"})
    if upload.size == 0:
        raise ValidationError({"file": "The selected file is empty"})
    found = sniff(upload)
    if found is None:
        raise ValidationError({"file": f"The selected file must be a {ALLOWED_WORDS}"})
    extension = PurePath(name).suffix.lower()
    if extension not in found.extensions:
        raise ValidationError({"file": f"The selected file is a {found.label}, but its name ends in "
                                       f"“{extension or 'nothing'}”: rename it to end in {found.extensions[0]}"})
    try:
        verdict = scanner.scan(upload)
    except scanner.ScannerUnavailable as exc:
        raise ValidationError({"file": "The file could not be checked for viruses just now, so it has not been "
                                       "uploaded. Try again in a few minutes."}, code="scanner_unavailable") from exc
    if not verdict.clean:
        log.warning("upload refused: malware %s found in a %s", verdict.signature, found.label)
        raise ValidationError({"file": "The selected file contains a virus or other malware, so it has not been "
                                       "uploaded. Tell your IT service desk where it came from."}, code="malware")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Checked(name, found, upload.size, digest.hexdigest())


def storage():
    return storages["documents"]


def store(word: str, upload) -> str:
    """Save the checked upload under a new random name; the name it was saved as."""
    now = timezone.now()
    return storage().save(f"{word}/{now:%Y/%m}/{uuid.uuid4().hex}", upload)
