"""Retention of this app's records (safeguarding.retention): a closed place or peer group, and this app's rows about a
young person who is erased.

Disposing of a closed place or group erases its free text (description, closure reason) and the names and contact
details of its guardians, and ends and erases the notes of every link to it; a peer group's name (often a young
person's nickname) goes too, while a place keeps its name and location (a park is not personal data). The record
stays as a stub: its id, kind, dates and status, and the marker in its description.
"""

from django.db.models import Q
from django.utils import timezone

from safeguarding import retention

from .models import Association, ContextStatus, Guardian, Membership, PeerGroup, Place, PlaceLink

ENDED = "Disposed of at the end of its retention period"


def _links_erase(rows, disposal: retention.Disposal) -> None:
    marker = disposal.marker
    disposal.erase_all(rows.filter(ended_on__isnull=True), ended_on=timezone.localdate(), end_reason=ENDED)
    disposal.erase_all(rows, notes=marker)


def place_dispose(place: Place, disposal: retention.Disposal) -> None:
    marker = disposal.marker
    disposal.erase(place, description=marker, closure_reason=marker, address="")
    disposal.erase_all(Guardian.objects.filter(place=place), name="Erased", how_to_contact="",
                       engagement_notes=marker)
    _links_erase(PlaceLink.objects.filter(place=place), disposal)
    retention.erase_related(place, disposal)


def group_dispose(group: PeerGroup, disposal: retention.Disposal) -> None:
    marker = disposal.marker
    disposal.erase(group, name=f"Peer group {group.pk} (disposed of)", description=marker, closure_reason=marker)
    _links_erase(Membership.objects.filter(peer_group=group), disposal)
    _links_erase(PlaceLink.objects.filter(peer_group=group), disposal)
    retention.erase_related(group, disposal)


def young_person_erase(person, disposal: retention.Disposal) -> None:
    """Every link of an erased young person: ended, and its notes erased."""
    _links_erase(Membership.objects.filter(young_person=person), disposal)
    _links_erase(Association.objects.filter(Q(person=person) | Q(other=person)), disposal)
    _links_erase(PlaceLink.objects.filter(young_person=person), disposal)


def register() -> None:
    closed = Q(status=ContextStatus.CLOSED, closed_on__isnull=False)
    for key, label, model, dispose in (("contexts.place", "Closed places", Place, place_dispose),
                                       ("contexts.peergroup", "Closed peer groups", PeerGroup, group_dispose)):
        retention.register(retention.RecordType(
            key=key, label=label, model=model, anchor="closed_on", anchor_label="closed", eligible=closed,
            dispose=dispose, url=lambda record: record.get_absolute_url(), default_months=72))
    retention.on_erase("cases.youngperson", young_person_erase)
