"""Panel packs: one PDF per attending agency, holding only what that agency may see.

Redaction is the access layer's: every read below goes through the same selectors as the pages, as the agency
(``access.AgencyReader``), so the police pack is built from the police's grants and nothing restricted to named
people. An item whose subject the agency cannot see becomes a stub with its number only: its name, reason and
minutes are never read into the pack's context, so no template can print them; the pack lists such items by number,
in one line, so the reader knows to ask the chair.

The build records the step it has reached (``PackStep``) and its progress as it goes, outside the build's own
transactions, so the meeting page polling the pack sees each step as it happens.
"""

import logging
import re
import threading
import time
from contextlib import contextmanager

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
from safeguarding import services as kernel_services

from . import selectors
from .models import PackStatus, PackStep, PanelPack

RECENT_ENTRIES = 8
# "Their voice": the young person's own words, at most this many, said within this many days.
VOICE_ENTRIES, VOICE_WITHIN_DAYS = 3, 183


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
    nodes, edges, hidden = context_selectors.network_around_person(reader, person, printed_for=reader.agency)
    contexts = context_selectors.contexts_of_person(reader, person, _printed(reader))
    return {"cases": cases, "entries": entries, "hidden_links": contexts["hidden"],
            "voice": case_selectors.recent_voice(reader, person, limit=VOICE_ENTRIES, within_days=VOICE_WITHIN_DAYS),
            "groups": contexts["memberships"], "places": contexts["place_links"],
            "network": network.draw(nodes, edges, centre=f"yp:{person.pk}", title=f"Network around {person.full_name}",
                                    hidden=hidden) if edges else ""}


def _printed(reader):
    """The links a pack prints: current ones, and intelligence-only ones in the recording agency's pack alone."""
    return context_selectors.drawn_links(printed_for=reader.agency)


def _place_section(reader, place) -> dict:
    links, hidden = context_selectors.place_links(reader, place, _printed(reader))
    return {"links": links, "hidden_links": hidden,
            "entries": context_selectors.place_incidents(reader, place, limit=RECENT_ENTRIES)}


def _group_section(reader, group) -> dict:
    nodes, edges, hidden = context_selectors.network_around_group(reader, group, printed_for=reader.agency)
    members, _ = context_selectors.group_members(reader, group, _printed(reader))
    return {"members": members, "hidden_links": hidden,
            "network": network.draw(nodes, edges, centre=f"group:{group.pk}", title=f"Network of {group.name}",
                                    hidden=hidden) if edges else ""}


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


def in_words(numbers: list[int]) -> str:
    """2, 5 and 7."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def pack_context(meeting, agency, progress=lambda fraction: None) -> dict:
    """Everything one agency's pack shows, read as that agency. Items about records the agency may not see are
    only numbered (``hidden``), for one line saying which they are."""
    reader = access.AgencyReader(agency)
    items = selectors.agenda(reader, meeting)
    sections, hidden = [], []
    for n, item in enumerate(items, 1):
        if getattr(item, "hidden", False):
            hidden.append(item.position)
        else:
            subject = item.subject  # None for a theme
            sections.append({"item": item, **(_section(reader, subject) if subject is not None else {})})
        progress(n / max(len(items), 1))
    return {"meeting": meeting, "agency": agency, "sections": sections,
            "hidden": hidden, "hidden_words": in_words(hidden) if hidden else "",
            "attendance": selectors.attendance(reader, meeting),
            "outstanding": list(selectors.outstanding_actions(reader, meeting)),
            "classification": settings.CLASSIFICATION, "built_at": timezone.localtime()}


# How far along each step takes the bar. Gathering moves item by item; laying out the pages moves with WeasyPrint's
# own steps (below).
GATHERED, RENDERING, STORING = 40, 45, 90


def _progress(pack_id: int, percent: int, step: str = PackStep.GATHERING):
    """Record the step and progress now, in their own statement (autocommit): the page polling sees them at once."""
    PanelPack.objects.filter(pk=pack_id, status=PackStatus.BUILDING).update(progress=percent, step=step)


# WeasyPrint names its own steps on the "weasyprint.progress" logger ("Step 5 - Creating layout - Page 3"): the bar
# moves with them while the pages are laid out, the longest part of a build.
LAYOUT_STEPS = {1: 47, 2: 49, 3: 51, 4: 54, 5: 58, 6: 80, 7: 87}


class _LayoutProgress(logging.Handler):
    def __init__(self, pack_id: int):
        super().__init__(logging.INFO)
        self.pack_id, self.thread, self.reached = pack_id, threading.get_ident(), 0

    def emit(self, record):
        found = re.match(r"Step (\d+)", str(record.msg))
        if record.thread != self.thread or not found or int(found.group(1)) <= self.reached:
            return  # another thread's document, or a step already shown (layout logs each page)
        self.reached = int(found.group(1))
        if self.reached in LAYOUT_STEPS:
            _progress(self.pack_id, LAYOUT_STEPS[self.reached], PackStep.RENDERING)


@contextmanager
def _layout_progress(pack_id: int):
    """Listen to WeasyPrint's steps for this build only; its step messages are not logged as well."""
    logger = logging.getLogger("weasyprint.progress")
    handler, level, propagate = _LayoutProgress(pack_id), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def build(pack_id: int) -> PanelPack | None:
    """Build one pack. Idempotent: a pack already ready (or superseded) is left alone; one left half-built by a
    worker that died is built again from the start."""
    with transaction.atomic():
        pack = PanelPack.objects.select_for_update().select_related("meeting__panel", "agency").filter(
            pk=pack_id).first()
        if pack is None or pack.status in (PackStatus.READY, PackStatus.SUPERSEDED):
            return pack  # gone (its request was rolled back), or already done
        pack.status, pack.step, pack.progress, pack.error = PackStatus.BUILDING, PackStep.GATHERING, 5, ""
        pack.attempts += 1
        pack.started_at = timezone.now()
        pack.save()
    delay = settings.PACK_BUILD_TEST_DELAY  # lets a test kill a worker mid-build; 0 in service
    with routers.replica_reads():  # everything the pack shows; its progress is still written to the primary
        context = pack_context(pack.meeting, pack.agency, progress=lambda f: (
            _progress(pack_id, 5 + int((GATHERED - 5) * f)), time.sleep(delay)))
        _progress(pack_id, RENDERING, PackStep.RENDERING)
        with _layout_progress(pack_id):
            content, pages = documents.render("panels/pack_pdf.html", context)
    _progress(pack_id, STORING, PackStep.STORING)
    with transaction.atomic():
        pack = PanelPack.objects.select_for_update().get(pk=pack_id)
        if pack.status != PackStatus.BUILDING:  # superseded meanwhile, or built by another delivery
            return pack
        name = f"pack-{pack.meeting_id}-v{pack.agenda_version}-agency-{pack.agency_id}.pdf"
        pack.file.save(name, ContentFile(content), save=False)
        pack.size, pack.pages, pack.progress, pack.step = len(content), pages, 100, PackStep.READY
        pack.status, pack.finished_at = PackStatus.READY, timezone.now()
        pack.save()
        from .tasks import pack_ready_notify

        outbox.enqueue(pack_ready_notify, pack.pk, key=f"pack-ready:{pack.pk}")
        # A pack built again because its file went missing is no longer listed as missing.
        kernel_services.missing_file_resolve(actor=access.system("pack_build"), record=pack)
    return pack


def fail(pack_id: int, reason: str):
    """The build stopped: the pack says why, and keeps the step it had reached (the page says where it failed)."""
    PanelPack.objects.filter(pk=pack_id).exclude(status__in=[PackStatus.READY, PackStatus.SUPERSEDED]).update(
        status=PackStatus.FAILED, error=reason[:500], finished_at=timezone.now())
