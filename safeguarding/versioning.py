"""Optimistic locking: two people editing one record cannot overwrite each other.

A form carries the version it was loaded at; the save locks the row, and refuses if someone else saved
in between. The person sees what changed and nothing is overwritten.
"""

from django.core.exceptions import ValidationError

CONFLICT_MESSAGE = (
    "Someone else changed this record while you were editing it. Your changes have not been saved. "
    "Open the record again to see the latest version, then make your changes."
)


class EditConflict(ValidationError):
    def __init__(self):
        super().__init__(CONFLICT_MESSAGE, code="edit_conflict")


def lock_current(obj, expected_version: int):
    """Lock ``obj``'s row for this transaction and return it, fresh, if still at ``expected_version``."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if current.version != expected_version:
        raise EditConflict()
    current.version += 1
    if "_access_levels" in obj.__dict__:  # what the reader's agency may do to it, read with the record
        current._access_levels = obj._access_levels
    return current
