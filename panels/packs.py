"""Panel packs: one PDF per attending agency, holding only what that agency may see.

Redaction is the access layer's: every read below goes through the same selectors as the pages, as the agency
(``access.AgencyReader``), so the police pack is built from the police's grants and nothing restricted to named
people. An item whose subject the agency cannot see becomes a stub with its number only: its name, reason and
minutes are never read into the pack's context, so no template can print them.
"""

import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assessments import frameworks
from assessments import selectors as assessment_selectors
from assessments.models import Assessment, AssessmentStatus
from cases import selectors as case_selectors
from cases.models import Case, CaseStatus
from contexts import network
from contexts import selectors as context_selectors
from safeguarding import access, documents, outbox, routers, subjects

from . import selectors
from .models import PackStatus, PanelPack

RECENT_ENTRIES = 8


def _latest_assessment(reader, subject):
    approved = Assessment.objects.filter(**subjects.fields(subject), status=AssessmentStatus.APPROVED)
    rows = access.visible(reader, approved.select_related("framework_version__framework", "lead_author",
                                                          "owning_agency"))
    latest = rows.order_by("-decided_at", "-id").first()
    if latest is None:
        return None
    definition = latest.framework_version.definition
    titles = {s.key: s.title for s in latest.framework_version.sections}
    return {"assessment": latest,
            "scores": [(titles[k], v) for k, v in frameworks.scores(definition, latest.answers).items()]}


def _person_section(reader, person) -> dict:
    cases = list(access.visible(reader, Case.objects.filter(young_person=person, status=CaseStatus.OPEN)
                                .select_related("lead_practitioner", "owning_agency")))
    entries = []
    for case in cases:
        entries += list(case_selectors.chronology_for(reader, case).order_by("-occurred_at")[:RECENT_ENTRIES])
    entries = sorted(entries, key=lambda e: e.occurred_at, reverse=True)[:RECENT_ENTRIES]
    nodes, edges, hidden = context_selectors.network_around_person(reader, person)
    return {"cases": cases, "entries": entries, "contexts": context_selectors.contexts_of_person(reader, person),
            "network": network.draw(nodes, edges, centre=f"yp:{person.pk}", title=f"Network around {person.full_name}",
                                    hidden=hidden) if nodes else ""}


def _place_section(reader, place) -> dict:
    links, hidden = context_selectors.place_links(reader, place)
    return {"links": [link for link in links if link.is_current], "hidden_links": hidden,
            "entries": context_selectors.place_incidents(reader, place, limit=RECENT_ENTRIES)}


def _group_section(reader, group) -> dict:
    nodes, edges, hidden = context_selectors.network_around_group(reader, group)
    members, _ = context_selectors.group_members(reader, group)
    return {"members": [m for m in members if m.is_current],
            "network": network.draw(nodes, edges, centre=f"group:{group.pk}", title=f"Network of {group.name}",
                                    hidden=hidden)}


# What a pack says of a subject beyond what it says of every kind (below), by the kind's key: a kind without one
# still gets its latest approved assessment and, if it has one, its safety plan.
SECTIONS = {"young_person": _person_section, "place": _place_section, "peer_group": _group_section}


def _section(reader, subject) -> dict:
    kind = subjects.of(subject)
    build = SECTIONS.get(kind.key)
    section = build(reader, subject) if build else {}
    section["assessment"] = _latest_assessment(reader, subject)
    if kind.has_safety_plan:
        section["plan"] = assessment_selectors.plan_for(reader, subject)
    return section


def pack_context(meeting, agency, progress=lambda fraction: None) -> dict:
    """Everything one agency's pack shows, read as that agency."""
    reader = access.AgencyReader(agency)
    items = selectors.agenda(reader, meeting)
    sections = []
    for n, item in enumerate(items, 1):
        if getattr(item, "hidden", False):
            sections.append({"item": item})
        else:
            subject = item.subject  # None for a theme
            sections.append({"item": item, **(_section(reader, subject) if subject is not None else {})})
        progress(n / max(len(items), 1))
    return {"meeting": meeting, "agency": agency, "sections": sections,
            "attendance": selectors.attendance(reader, meeting),
            "outstanding": list(selectors.outstanding_actions(reader, meeting)),
            "classification": settings.CLASSIFICATION, "built_at": timezone.localtime()}


def _progress(pack_id: int, percent: int):
    PanelPack.objects.filter(pk=pack_id, status=PackStatus.BUILDING).update(progress=percent)


def build(pack_id: int) -> PanelPack | None:
    """Build one pack. Idempotent: a pack already ready (or superseded) is left alone; one left half-built by a
    worker that died is built again from the start."""
    with transaction.atomic():
        pack = PanelPack.objects.select_for_update().select_related("meeting__panel", "agency").filter(
            pk=pack_id).first()
        if pack is None or pack.status in (PackStatus.READY, PackStatus.SUPERSEDED):
            return pack  # gone (its request was rolled back), or already done
        pack.status, pack.progress, pack.error = PackStatus.BUILDING, 5, ""
        pack.attempts += 1
        pack.started_at = timezone.now()
        pack.save()
    delay = settings.PACK_BUILD_TEST_DELAY  # lets a test kill a worker mid-build; 0 in service
    with routers.replica_reads():  # everything the pack shows; its progress is still written to the primary
        context = pack_context(pack.meeting, pack.agency,
                               progress=lambda f: (_progress(pack_id, 5 + int(70 * f)), time.sleep(delay)))
        _progress(pack_id, 80)
        content, pages = documents.render("panels/pack_pdf.html", context)
    with transaction.atomic():
        pack = PanelPack.objects.select_for_update().get(pk=pack_id)
        if pack.status != PackStatus.BUILDING:  # superseded meanwhile, or built by another delivery
            return pack
        name = f"pack-{pack.meeting_id}-v{pack.agenda_version}-agency-{pack.agency_id}.pdf"
        pack.file.save(name, ContentFile(content), save=False)
        pack.size, pack.pages, pack.progress = len(content), pages, 100
        pack.status, pack.finished_at = PackStatus.READY, timezone.now()
        pack.save()
        from .tasks import pack_ready_notify

        outbox.enqueue(pack_ready_notify, pack.pk, key=f"pack-ready:{pack.pk}")
    return pack


def fail(pack_id: int, reason: str):
    PanelPack.objects.filter(pk=pack_id).exclude(status__in=[PackStatus.READY, PackStatus.SUPERSEDED]).update(
        status=PackStatus.FAILED, error=reason[:500], finished_at=timezone.now())
