"""Finding a place or a peer group to choose (safeguarding.pickers), among those the person may see: a place by its
name, postcode (whole, or its first half) or school URN; a peer group by its working name."""

import re

from django.db.models import Q

from safeguarding import access, pickers

from .models import PeerGroup, Place

URN = re.compile(r"^\d{6}$")
POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})?$")


def _name_words(text: str) -> Q:
    condition = Q()
    for word in text.split()[:5]:
        condition &= Q(name__icontains=word)
    return condition


def search_places(user, rows, text: str):
    compact = text.replace(" ", "").upper()
    if URN.match(compact):
        return rows.filter(school_urn=compact).order_by("name", "pk"), "school URN"
    if match := POSTCODE.match(compact):
        by_postcode = (Q(postcode__iexact=f"{match[1]} {match[2]}") if match[2]
                       else Q(postcode__istartswith=f"{match[1]} "))
        return rows.filter(by_postcode | _name_words(text)).order_by("name", "pk"), "postcode or name"
    return rows.filter(_name_words(text)).order_by("name", "pk"), "name"


def describe_place(place) -> pickers.Match:
    parts = [place.get_kind_display()]
    if place.postcode:
        parts.append(place.postcode)
    if place.school_urn:
        parts.append(f"URN {place.school_urn}")
    if place.ward:
        parts.append(place.ward)
    return pickers.Match(place.pk, place.name, ", ".join(parts))


def search_groups(user, rows, text: str):
    return rows.filter(_name_words(text)).order_by("name", "pk"), "name"


def describe_group(group) -> pickers.Match:
    return pickers.Match(group.pk, group.name, f"Peer group, {group.get_status_display().lower()}")


PLACE = pickers.register(pickers.Finder(
    kind="place", model=Place, noun="place", hint="Search by name, postcode or school URN",
    rows=lambda user: access.visible(user, Place.objects.all()), search=search_places, describe=describe_place))
PEER_GROUP = pickers.register(pickers.Finder(
    kind="peer-group", model=PeerGroup, noun="peer group", hint="Search by the group's working name",
    rows=lambda user: access.visible(user, PeerGroup.objects.all()), search=search_groups, describe=describe_group))
