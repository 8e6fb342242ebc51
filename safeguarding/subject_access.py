"""Subject access: everything an agency holds about a young person, as JSON and as a PDF, redacted by rule, built by a
worker and signed off by a second person before either file can be downloaded.

- Each app contributes its sections where its models are loaded (``register`` in its ``apps.py`` ``ready()``): the
  young person and their cases, chronology, words and trusted adults (``cases``), links (``contexts``), assessments
  (``assessments``), panel items (``panels``). The kernel imports no app; it runs every section and adds, from the
  audit log, who viewed each record listed. Documents (file attachments) are the kernel's own section, over every
  kind of attachment that says which young person it is about (``attachments.Kind.young_person``): a case's and an
  assessment's documents, not a place's, a group's or a meeting's. They are listed (name, what it is attached to, who
  attached it and when, its fingerprint), not copied into the export: a file's content cannot be redacted by rule, so
  the reviewer reads each one and sends it, or a redacted copy, with the release.
- What is read is what the asking agency may see, through the access door, as the agency (``access.AgencyReader``):
  an agency answers for the records it holds. Entries restricted to named people are not included (the agency as a
  whole does not see them): the reviewer asks those people.
- Redaction, by rule (``Redactor``):
  1. The young person's own details are shown in full.
  2. Any other young person is "another young person", wherever a section names them, and their first and last
     names are replaced by the same words in every free text of the export.
  3. Practitioners (authors, leads, whoever viewed a record) are shown by role and agency ("Social worker, Northfield
     Council"), never by name; their names met in the export are replaced by that in free text too.
  4. Third parties the young person named (trusted adults, capable guardians) are shown by their relationship alone.
  What rules 2 and 3 cannot know (a name typed into a note of someone never recorded) is what the reviewer reads for.
"""

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from . import access, attachments, audit, documents, subjects
from .models import AuditAction, AuditEvent, SubjectAccessRequest, SubjectAccessStatus

ACTOR = "subject_access"
VIEWED = (AuditAction.VIEW, AuditAction.DOWNLOAD, AuditAction.EXPORT, AuditAction.SHARE)
ANOTHER = "another young person"


@dataclass
class Row:
    """One record in a section: its fields as (label, value) and the record itself (for who viewed it)."""

    heading: str
    fields: list[tuple[str, str]]
    record: models.Model | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    rows: Callable  # (reader, young_person, redactor) -> list[Row]


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    _SECTIONS[section.key] = section
    return section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def young_person_model():
    return subjects.get("young_person").model


@dataclass
class Redactor:
    """The redaction rules (see the module's docstring); counts what each rule did, for the reviewer."""

    person: models.Model
    counts: Counter = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)  # a name met -> what replaces it in free text

    def _keep(self) -> set[str]:
        own = [self.person.first_name, self.person.last_name, *getattr(self.person, "known_as", [])]
        return {n.lower() for n in own if n}

    def young_person(self, other) -> str:
        if other is None:
            return ""
        if other.pk == self.person.pk:
            return self.person.full_name
        self.counts["other young people"] += 1
        for name in (other.first_name, other.last_name, *getattr(other, "known_as", [])):
            if name and len(name) > 1 and name.lower() not in self._keep():
                self.names[name] = ANOTHER
        return ANOTHER

    def practitioner(self, user) -> str:
        if user is None:
            return ""
        described = f"{role_of(user)}, {user.agency}" if getattr(user, "agency_id", None) else role_of(user)
        for name in (user.first_name, user.last_name):
            if name and len(name) > 1 and name.lower() not in self._keep():
                self.names.setdefault(name, described)
        self.counts["practitioners"] += 1
        return described

    def third_party(self, relationship: str) -> str:
        self.counts["third parties"] += 1
        return f"Named person ({relationship})" if relationship else "Named person"

    def text(self, value: str) -> str:
        """``value`` with every name met replaced by what stands for it (longest names first)."""
        if not value or not self.names:
            return value
        if not hasattr(self, "_pattern") or self._pattern_size != len(self.names):
            ordered = sorted(self.names, key=len, reverse=True)
            self._pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b", re.IGNORECASE)
            self._lookup = {n.lower(): self.names[n] for n in ordered}
            self._pattern_size = len(self.names)

        def replace(match):
            self.counts["names in free text"] += 1
            return self._lookup[match.group(0).lower()]

        return self._pattern.sub(replace, value)


def role_of(user) -> str:
    if getattr(user, "job_title", ""):
        return user.job_title
    from .roles import Role

    roles = [g.name for g in user.groups.all() if g.name in {r.value for r in Role}]
    return roles[0] if roles else "Practitioner"


def text(value) -> str:
    """A value as the export shows it."""
    if value is None or value == "":
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d %B %Y %H:%M") if hasattr(value, "hour") else value.strftime("%d %B %Y")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    return str(value)


def viewers(rows: list[Row], redactor: Redactor, agency) -> list[dict]:
    """Who viewed, downloaded, exported or shared each record in the export, from the audit log: one query for all
    of them (by content type and ids, on the audit log's target index), practitioners by role and agency.

    The same scope as the audit log's search (``selectors.audit_events_for``): a lead authority answers for the
    whole partnership's records and lists everyone's viewings; a partner agency lists its own people's."""
    by_type: dict[int, dict[str, str]] = {}
    for row in rows:
        if row.record is not None:
            ct = ContentType.objects.get_for_model(row.record)
            by_type.setdefault(ct.pk, {})[str(row.record.pk)] = row.heading
    if not by_type:
        return []
    where = Q()
    for ct_id, ids in by_type.items():
        where |= Q(target_type_id=ct_id, target_id__in=list(ids))
    events = AuditEvent.objects.filter(where, action__in=VIEWED, actor__isnull=False)
    if not agency.is_lead_authority:
        events = events.filter(agency_id=agency.pk)
    events = (events
              .select_related("actor__agency").prefetch_related("actor__groups").order_by("occurred_at", "id"))
    return [{"when": text(e.occurred_at), "who": redactor.practitioner(e.actor), "did": e.get_action_display(),
             "record": by_type[e.target_type_id][e.target_id]} for e in events]


def collect(sar: SubjectAccessRequest) -> dict:
    """The export's content, redacted: what the JSON holds and the PDF shows."""
    person = young_person_model()._default_manager.get(pk=sar.young_person_id)
    reader = access.AgencyReader(sar.agency)
    redactor = Redactor(person)
    made, every_row = [], []
    for section in sections():
        rows = section.rows(reader, person, redactor)
        every_row += rows
        made.append((section, rows))
    seen = viewers(every_row, redactor, sar.agency)
    # Free text last: every name the sections met is known by now.
    content = {
        "request": {"reference": sar.audit_label, "agency": sar.agency.name, "received_on": text(sar.received_on),
                    "due_on": text(sar.due_on), "made_on": text(timezone.now())},
        "young_person": {"reference": getattr(person, "audit_label", str(person.pk)), "name": person.full_name},
        "sections": [{"key": s.key, "title": s.title, "records": [
            {"heading": redactor.text(r.heading), "fields": [{"label": label, "value": redactor.text(text(value))}
                                                             for label, value in r.fields]}
            for r in rows]} for s, rows in made],
        "viewers": [{**v, "record": redactor.text(v["record"])} for v in seen],
        "redaction_rules": [
            "Other young people are shown as \u201canother young person\u201d, and their names are replaced in text.",
            "Practitioners are shown by their role and agency, never by name.",
            "People the young person named (trusted adults, guardians) are shown by their relationship alone.",
            "Entries restricted to named people are not included.",
            "Documents are listed, not copied: the reviewer reads each and sends it, or a redacted copy, with this.",
        ],
    }
    content["redactions"] = dict(redactor.counts)
    return content


def build(sar_id: int) -> SubjectAccessRequest | None:
    """Make the JSON and the PDF of one request: idempotent (a request already built is left as it is)."""
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.select_for_update().select_related("agency").filter(pk=sar_id).first()
        if sar is None or sar.status not in (SubjectAccessStatus.QUEUED, SubjectAccessStatus.BUILDING,
                                              SubjectAccessStatus.FAILED):
            return sar
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(status=SubjectAccessStatus.BUILDING, error="")
    content = collect(sar)
    pdf, pages = documents.render("safeguarding/subject_access_pdf.html", {"export": content})
    stem = f"subject-access-{sar.pk}"
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar_id)
        for name in ("json_file", "pdf_file"):
            old = getattr(sar, name)
            if old:
                old.delete(save=False)
        sar.json_file.save(f"{stem}.json", ContentFile(json.dumps(content, indent=2).encode()), save=False)
        sar.pdf_file.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        sar.pages, sar.built_at, sar.status = pages, timezone.now(), SubjectAccessStatus.TO_REVIEW
        sar.summary = {"sections": {s["title"]: len(s["records"]) for s in content["sections"]},
                       "viewers": len(content["viewers"]), "redactions": content["redactions"]}
        sar.save()
        audit.record(actor=access.system(ACTOR), action=AuditAction.EXPORT, target=sar,
                     detail={"young_person": content["young_person"]["reference"], "pages": pages,
                             "records": sum(len(s["records"]) for s in content["sections"])})
    return sar


def fail(sar_id: int, error: str) -> None:
    SubjectAccessRequest.objects.filter(pk=sar_id).exclude(status=SubjectAccessStatus.RELEASED).update(
        status=SubjectAccessStatus.FAILED, error=error[:500])


def attached_documents(reader, person, redact) -> list[Row]:
    """Every document the asking agency sees on a record about the young person (see the module's docstring)."""
    found = []
    for kind in attachments.KINDS.values():
        if kind.young_person is None:
            continue
        documents_of_kind = access.visible(reader, kind.model.objects.filter(**{kind.young_person: person}))
        found += [(kind, document) for document in documents_of_kind.select_related(
            "agency", "uploaded_by__agency", kind.parent_field).prefetch_related("uploaded_by__groups")]
    found.sort(key=lambda pair: (pair[1].uploaded_at, pair[0].word, pair[1].pk))
    return [Row(document.name, [
        ("Attached to", f"{kind.noun.capitalize()} {getattr(getattr(document, kind.parent_field), 'audit_label', '')}"
                        .strip()),
        ("Description", document.description), ("Type", document.content_type),
        ("Size", filesizeformat(document.size)), ("Attached by", redact.practitioner(document.uploaded_by)),
        ("Attached on", document.uploaded_at), ("Agency", document.agency.name),
        ("Fingerprint (SHA-256)", document.sha256),
    ], document) for kind, document in found]


register(Section(key="documents", title="Documents", order=80, rows=attached_documents))
