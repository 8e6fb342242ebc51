"""What a person may do with young people, cases and chronologies. Services enforce; views and templates ask."""

from safeguarding import access
from safeguarding.policy import must, rule
from safeguarding.roles import Perm


@rule
def can_add_young_person(user):
    access.require(user, Perm.ADD_YOUNG_PERSON)


@rule
def can_change_young_person(user, person):
    """Edit a young person's details or their trusted adults: an agency that may contribute to one of their cases."""
    access.require(user, Perm.CHANGE_YOUNG_PERSON, person, level=access.CONTRIBUTE)


@rule
def can_record_voice(user, person):
    """Record the young person's own words."""
    access.require(user, Perm.ADD_CHRONOLOGY_ENTRY, person, level=access.CONTRIBUTE)


@rule
def can_open_case(user, person):
    access.require(user, Perm.ADD_CASE, person)


@rule
def can_change_case(user, case):
    access.require(user, Perm.CHANGE_CASE, case, level=access.MANAGE)
    must(case.is_open, "This case is closed. Reopen work by opening a new case.")


@rule
def can_close_case(user, case):
    access.require(user, Perm.CLOSE_CASE, case, level=access.MANAGE)
    must(case.is_open, "This case is already closed.")


@rule
def can_add_chronology_entry(user, case):
    access.require(user, Perm.ADD_CHRONOLOGY_ENTRY, case, level=access.CONTRIBUTE)
