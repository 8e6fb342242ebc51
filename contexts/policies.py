"""What a person may do with places, peer groups and the evidence linking them. Services enforce; views ask."""

from cases.models import YoungPerson
from safeguarding import access
from safeguarding.policy import rule
from safeguarding.roles import Perm

from .models import Association, Membership, PeerGroup, Place

CHANGE = {Place: Perm.CHANGE_PLACE, PeerGroup: Perm.CHANGE_PEER_GROUP}


@rule
def can_add_place(user):
    """Refer a concern about a place (any practitioner), or open one."""
    access.require(user, Perm.ADD_PLACE)


@rule
def can_add_peer_group(user):
    """Refer a concern about a peer group (any practitioner), or open one."""
    access.require(user, Perm.ADD_PEER_GROUP)


ADD = {Place: can_add_place, PeerGroup: can_add_peer_group}


@rule
def can_change_context(user, record: Place | PeerGroup):
    """Edit, review or close a place or peer group: its owning agency."""
    access.require(user, CHANGE[type(record)], record, level=access.MANAGE)


@rule
def can_record_link(user, record: Place | PeerGroup | YoungPerson):
    """Record evidence on a record (a membership, an association, a link to a place, a guardian): an agency that
    may contribute to it."""
    access.require(user, Perm.RECORD_LINK, record, level=access.CONTRIBUTE)


def link_parent(link):
    """The record whose contribute level allows reviewing or ending ``link``."""
    if isinstance(link, Membership):
        return link.peer_group
    if isinstance(link, Association):
        return link.person
    return link.place


@rule
def can_attach_to_context(user, record: Place | PeerGroup):
    """Attach a document to a place or peer group: whoever may record evidence about it (contribute)."""
    access.require(user, Perm.RECORD_LINK, record, level=access.CONTRIBUTE)


@rule
def can_review_link(user, link):
    """Review or end a link: it must be visible, and its record open to the person's contributions."""
    access.require(user, None, link)
    access.require(user, Perm.REVIEW_LINK, link_parent(link), level=access.CONTRIBUTE)


@rule
def can_tag_entry(user, entry):
    """Say where a chronology entry happened: an agency that may contribute to its case (a view-only partner
    reads the chronology, it does not annotate it)."""
    access.require(user, Perm.RECORD_LINK, entry)
    access.require(user, Perm.RECORD_LINK, entry.case, level=access.CONTRIBUTE)
