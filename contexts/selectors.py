"""Every read of places, peer groups and links that depends on who is asking.

A link is returned only when the viewer can see both of its ends; links they cannot see are at most counted.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus, ChronologyEntry, RiskLevel, YoungPerson
from safeguarding import access

from .models import (
    Association,
    ContextKind,
    ContextReferral,
    Evidence,
    Guardian,
    Membership,
    PeerGroup,
    Place,
    PlaceLink,
    PlaceTag,
)
from .network import Edge, Node

_RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
ALL_LINKS = Q()  # every link, ended ones too: what a record's own page lists


def review_horizon():
    return timezone.localdate() + timedelta(days=settings.REVIEW_WARNING_DAYS)


def _filter_records(records, *, q: str, status: str, review_due: bool):
    if q := " ".join(q.split()):
        records = records.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if status:
        records = records.filter(status=status)
    if review_due:
        records = records.filter(review_on__lte=review_horizon())
    return records


def places_list(user, *, q: str = "", kind: str = "", status: str = "", ward: str = "", review_due: bool = False):
    places = access.visible(user, Place.objects.select_related("owning_agency", "lead_practitioner"))
    places = _filter_records(places, q=q, status=status, review_due=review_due)
    if q:
        places = places | access.visible(user, Place.objects.filter(Q(postcode__iexact=q) | Q(address__icontains=q)))
    if kind:
        places = places.filter(kind=kind)
    if ward:
        places = places.filter(ward__iexact=ward.strip())
    return places.order_by("name", "id")


def wards(user) -> list[str]:
    return list(access.visible(user, Place.objects.exclude(ward="")).order_by("ward").values_list(
        "ward", flat=True).distinct())


def place_for(user, pk: int) -> Place:
    return access.get_visible_or_404(user, Place.objects.select_related("owning_agency", "lead_practitioner"), pk=pk)


def peer_groups_list(user, *, q: str = "", status: str = "", review_due: bool = False):
    groups = access.visible(user, PeerGroup.objects.select_related("owning_agency", "lead_practitioner"))
    return _filter_records(groups, q=q, status=status, review_due=review_due).order_by("name", "id")


def peer_group_for(user, pk: int) -> PeerGroup:
    return access.get_visible_or_404(user, PeerGroup.objects.select_related("owning_agency", "lead_practitioner"),
                                     pk=pk)


def _visible_and_hidden(user, links):
    """The links the viewer may see, and how many current ones they may not (a number, never who)."""
    visible = list(access.visible(user, links).select_related("source_agency", "source_person"))
    hidden = links.filter(ended_on__isnull=True).exclude(pk__in=[link.pk for link in visible]).count()
    return visible, hidden


def place_links(user, place: Place, only: Q = ALL_LINKS):
    """``only``: which links (``drawn_links``, for a pack); all, ended ones too, by default."""
    links = PlaceLink.objects.filter(only, place=place).select_related("young_person", "peer_group").order_by(
        "ended_on", "-review_by")
    return _visible_and_hidden(user, links)


def place_incidents(user, place: Place, limit: int = 50):
    entries = ChronologyEntry.objects.filter(place_tags__place=place).select_related(
        "case__young_person", "author", "agency")
    return list(access.visible(user, entries).order_by("-occurred_at")[:limit])


def incidents_on_map(user, *, since, until, limit: int = 500):
    """Incidents and missing episodes tagged at places with a position, that happened between ``since`` and ``until``
    (dates, inclusive), where the reader can see both the entry and the place: newest first, at most ``limit``."""
    tags = PlaceTag.objects.filter(place__latitude__isnull=False, entry__occurred_at__date__gte=since,
                                   entry__occurred_at__date__lte=until).select_related("entry", "place")
    return list(access.visible(user, tags).order_by("-entry__occurred_at", "-pk")[:limit])


def guardians_for(user, place: Place):
    return access.visible(user, Guardian.objects.filter(place=place)).prefetch_related("training")


def group_members(user, group: PeerGroup, only: Q = ALL_LINKS):
    links = Membership.objects.filter(only, peer_group=group).select_related("young_person").order_by(
        "ended_on", "role", "young_person__last_name")
    return _visible_and_hidden(user, links)


def group_places(user, group: PeerGroup):
    links = PlaceLink.objects.filter(peer_group=group).select_related("place").order_by("ended_on", "-review_by")
    return _visible_and_hidden(user, links)


def contexts_of_person(user, person: YoungPerson, only: Q = ALL_LINKS) -> dict:
    """``only``: which links (``drawn_links``, for a pack); all, ended ones too, by default."""
    memberships = Membership.objects.filter(only, young_person=person).select_related("peer_group")
    places = PlaceLink.objects.filter(only, young_person=person).select_related("place")
    associations = Association.objects.filter(only, Q(person=person) | Q(other=person)).select_related(
        "person", "other")
    groups, hidden_groups = _visible_and_hidden(user, memberships.order_by("ended_on", "peer_group__name"))
    place_rows, hidden_places = _visible_and_hidden(user, places.order_by("ended_on", "place__name"))
    people, hidden_people = _visible_and_hidden(user, associations.order_by("ended_on", "-review_by"))
    for link in people:
        link.counterpart = link.other if link.person_id == person.pk else link.person
    return {"memberships": groups, "place_links": place_rows, "associations": people,
            "hidden": hidden_groups + hidden_places + hidden_people}


def current_links_q(user, subject) -> Q:
    """Rows about what ``subject`` is linked to now, through links ``user`` may see (both of their ends): a young
    person's places and peer groups; a place's or a peer group's young people. For a model with the subjects' foreign
    keys (``young_person``, ``place``, ``peer_group``: a safety plan). Only current links count: ended ones, and
    those whose evidence has expired (``Evidence.current_q``), do not. Subqueries: no query of its own."""
    current = Evidence.current_q()
    if isinstance(subject, YoungPerson):
        places = access.visible(user, PlaceLink.objects.filter(current, young_person=subject)).values("place_id")
        groups = access.visible(user, Membership.objects.filter(current, young_person=subject)).values(
            "peer_group_id")
        return Q(place__in=places) | Q(peer_group__in=groups)
    links = PlaceLink.objects.filter(place=subject) if isinstance(subject, Place) else \
        Membership.objects.filter(peer_group=subject)
    people = access.visible(user, links.filter(current, young_person__isnull=False)).values("young_person_id")
    return Q(young_person__in=people)
def links_due(user) -> list:
    """Current links past their review-by date that the viewer's agency can act on: a queryset of each kind."""
    today = timezone.localdate()
    return [access.visible(user, model.objects.filter(ended_on__isnull=True, review_by__lt=today).select_related(
        "source_agency", *related), access.CONTRIBUTE)
        for model, related in [(Membership, ["peer_group", "young_person"]), (Association, ["person", "other"]),
                               (PlaceLink, ["place", "young_person", "peer_group"])]]


def to_review(user):
    """Current links past their review-by date that the viewer's agency can act on, oldest first."""
    today = timezone.localdate()
    due = []
    for model, related in [(Membership, ["peer_group", "young_person"]), (Association, ["person", "other"]),
                           (PlaceLink, ["place", "young_person", "peer_group"])]:
        links = model.objects.filter(ended_on__isnull=True, review_by__lt=today).select_related(
            "source_agency", *related)
        due += list(access.visible(user, links, access.CONTRIBUTE).order_by("review_by")[:200])
    return sorted(due, key=lambda link: (link.review_by, link.recorded_at))


# --- Network pictures --------------------------------------------------------------------------------------

def _risks(user, person_ids) -> dict[int, str]:
    """The highest risk level on each person's open cases that the viewer can see."""
    risks: dict[int, str] = {}
    cases = access.visible(user, Case.objects.filter(young_person_id__in=person_ids, status=CaseStatus.OPEN))
    for person_id, risk in cases.values_list("young_person_id", "risk_level"):
        if person_id not in risks or _RISK_ORDER.index(risk) > _RISK_ORDER.index(risks[person_id]):
            risks[person_id] = risk
    return risks


def _person_nodes(user, people) -> list[Node]:
    risks = _risks(user, [p.pk for p in people])
    return [Node(key=f"yp:{p.pk}", label=p.full_name, kind="person", risk=risks.get(p.pk),
                 url=reverse("young-person", args=[p.pk])) for p in people]


def _group_node(group) -> Node:
    return Node(key=f"group:{group.pk}", label=group.name, kind="group", risk=None,
                url=reverse("peer-group", args=[group.pk]))


def _place_node(place) -> Node:
    return Node(key=f"place:{place.pk}", label=place.name, kind="place", risk=None,
                url=reverse("place", args=[place.pk]))


def _association_edges(links) -> list[Edge]:
    return [Edge(a=f"yp:{link.person_id}", b=f"yp:{link.other_id}", nature=link.get_nature_display(),
                 reliability=link.reliability, purpose=link.purpose, expired=link.is_expired) for link in links]


def _membership_edges(links) -> list[Edge]:
    return [Edge(a=f"yp:{link.young_person_id}", b=f"group:{link.peer_group_id}", nature=link.get_role_display(),
                 reliability=link.reliability, purpose=link.purpose, expired=link.is_expired) for link in links]


@dataclass(frozen=True)
class LinkFilter:
    """Which links a network picture draws, as the reader narrowed it (contexts.forms.NetworkFilterForm).

    Only ever narrows: it is one more condition on links the access door then filters, so nothing it says can show a
    link the reader may not see. Empty means "any"."""

    reliability: tuple[str, ...] = ()
    purpose: tuple[str, ...] = ()
    months: int | None = None  # recorded or last reviewed within this many months
    include_expired: bool = False

    def q(self) -> Q:
        q = Evidence.current_q(include_expired=self.include_expired)
        if self.reliability:
            q &= Q(reliability__in=self.reliability)
        if self.purpose:
            q &= Q(purpose__in=self.purpose)
        if self.months:
            since = timezone.localdate() - timedelta(days=round(self.months * 30.44))
            q &= Q(last_reviewed_on__gte=since) | Q(recorded_at__date__gte=since)
        return q


def drawn_links(*, include_expired: bool = False, printed_for=None, only: LinkFilter | None = None) -> Q:
    """The links a picture or a pack draws: current ones (and expired ones, when asked), narrowed by ``only``; in a
    pack printed for an agency, no other agency's intelligence-only links."""
    q = (only or LinkFilter(include_expired=include_expired)).q()
    return q if printed_for is None else q & Evidence.printable_q(printed_for)


def network_around_person(user, person: YoungPerson, steps: int = 2, *, include_expired: bool = False,
                          printed_for=None, only: LinkFilter | None = None):
    """People up to ``steps`` associations away, and the groups they belong to.

    Returns (nodes, edges, hidden): ``hidden`` counts current links touching the picture that the viewer
    cannot see. Two queries per step, whatever the size of the network. Links no longer current are left out
    unless ``include_expired``; ``printed_for`` an agency, its pack's picture; ``only``, the reader's filter
    (``drawn_links``).
    """
    drawn = drawn_links(include_expired=include_expired, printed_for=printed_for, only=only)
    current = Association.objects.filter(drawn)
    reached, frontier = {person.pk}, {person.pk}
    shown: dict[int, Association] = {}
    all_ids: set[int] = set()
    for _ in range(steps):
        touching = current.filter(Q(person_id__in=frontier) | Q(other_id__in=frontier))
        all_ids |= set(touching.values_list("pk", flat=True))
        links = list(access.visible(user, touching))
        shown.update({link.pk: link for link in links})
        ends = {end for link in links for end in (link.person_id, link.other_id)}
        frontier = ends - reached
        reached |= ends
    # Every drawn person's groups, so the picture can cluster each group's members round it.
    memberships, hidden_groups = _visible_and_hidden(
        user, Membership.objects.filter(drawn, young_person_id__in=reached).select_related("peer_group"))
    people = list(YoungPerson.objects.filter(pk__in=reached).order_by("pk"))
    groups = {m.peer_group_id: m.peer_group for m in memberships}
    nodes = _person_nodes(user, people) + [_group_node(group) for group in groups.values()]
    edges = _association_edges(shown.values()) + _membership_edges(memberships)
    return nodes, edges, len(all_ids - set(shown)) + hidden_groups


def network_around_group(user, group: PeerGroup, *, include_expired: bool = False, printed_for=None,
                         only: LinkFilter | None = None):
    """The group, its current members, the associations between them, and the places the group is linked to
    (which links: as ``network_around_person``)."""
    drawn = drawn_links(include_expired=include_expired, printed_for=printed_for, only=only)
    memberships, hidden_members = _visible_and_hidden(
        user, Membership.objects.filter(drawn, peer_group=group).select_related("young_person"))
    member_ids = [m.young_person_id for m in memberships]
    among = Association.objects.filter(drawn, person_id__in=member_ids, other_id__in=member_ids)
    associations = list(access.visible(user, among))
    place_rows, hidden_places = _visible_and_hidden(
        user, PlaceLink.objects.filter(drawn, peer_group=group).select_related("place"))
    nodes = [_group_node(group), *_person_nodes(user, [m.young_person for m in memberships]),
             *[_place_node(link.place) for link in place_rows]]
    edges = (_membership_edges(memberships) + _association_edges(associations)
             + [Edge(a=f"group:{group.pk}", b=f"place:{link.place_id}", nature=link.get_nature_display(),
                     reliability=link.reliability, purpose=link.purpose, expired=link.is_expired)
                for link in place_rows])
    return nodes, edges, hidden_members + hidden_places


# A place's or group's name at or above this word similarity to the referred name is a possible match.
DUPLICATE_THRESHOLD = 0.5


def referral_duplicates(user, referral: ContextReferral) -> list:
    """Places or peer groups the triager can see that may be the one referred: a similar name, or (a place) the same
    postcode; the record referred first, if they can see it."""
    model = Place if referral.kind == ContextKind.PLACE else PeerGroup
    name = " ".join(referral.name.lower().split())
    match = Q(similarity__gte=DUPLICATE_THRESHOLD) | Q(name__icontains=name)
    if model is Place and referral.postcode:
        match |= Q(postcode__iexact=referral.postcode)
    if referral.record is not None:
        match |= Q(pk=referral.record.pk)
    rows = access.visible(user, model.objects.select_related("owning_agency")).annotate(
        similarity=TrigramWordSimilarity(name, "name")).filter(match)
    return list(rows.order_by("-similarity", "name", "id")[:10])


# --- The partner API (contexts/api.py) ------------------------------------------------------------------------------

def places_api(user):
    return access.visible(user, Place.objects.select_related("owning_agency", "lead_practitioner"))


def peer_groups_api(user):
    return access.visible(user, PeerGroup.objects.select_related("owning_agency", "lead_practitioner"))


def links_api(user, model):
    """Links of one kind (place links, associations, memberships) whose ends the reader may both see."""
    return access.visible(user, model.objects.select_related("source_agency"))


def link_for(user, model, pk: int):
    return access.get_visible_or_404(user, model.objects.select_related("source_agency"), pk=pk)


def associations_of(rows, person_id: int):
    return rows.filter(Q(person_id=person_id) | Q(other_id=person_id))
