"""This app's section of a young person's subject access export (safeguarding.subject_access): their links to peer
groups, to other young people (shown as "another young person") and to places, as the asking agency sees them."""

from django.db.models import Q

from safeguarding import access
from safeguarding import subject_access as sar

from .models import Association, Membership, PlaceLink


def _evidence(link, redact) -> list[tuple[str, object]]:
    return [("How reliable", link.get_reliability_display()), ("Notes", link.notes),
            ("Recorded by", redact.practitioner(link.source_person)), ("Recorded on", link.recorded_at),
            ("Ended", link.ended_on), ("Why it ended", link.end_reason)]


def links(reader, person, redact) -> list[sar.Row]:
    rows = []
    memberships = access.visible(reader, Membership.objects.filter(young_person=person)).select_related(
        "peer_group", "source_person__agency").prefetch_related("source_person__groups").order_by("recorded_at", "pk")
    for m in memberships:
        rows.append(sar.Row(f"Member of the peer group {m.peer_group.name}", [
            ("Role in the group", m.get_role_display()), ("From", m.from_date), ("Until", m.to_date),
            *_evidence(m, redact)], m))
    associations = access.visible(reader, Association.objects.filter(Q(person=person) | Q(other=person))
                                  ).select_related("person", "other", "source_person__agency").prefetch_related(
        "source_person__groups").order_by("recorded_at", "pk")
    for a in associations:
        other = a.other if a.person_id == person.pk else a.person
        rows.append(sar.Row(f"Linked with {redact.young_person(other)}", [
            ("Nature of the link", a.get_nature_display()), *_evidence(a, redact)], a))
    place_links = access.visible(reader, PlaceLink.objects.filter(young_person=person)).select_related(
        "place", "source_person__agency").prefetch_related("source_person__groups").order_by("recorded_at", "pk")
    for p in place_links:
        rows.append(sar.Row(f"Linked to the place {p.place.name}", [
            ("Nature of the link", p.get_nature_display()), *_evidence(p, redact)], p))
    return rows


def register() -> None:
    sar.register(sar.Section(key="links", title="Links to groups, people and places", order=30, rows=links))
