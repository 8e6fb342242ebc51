"""What every service that edits a record shares: only the fields it allows, and which of them changed."""


def only(fields: dict, allowed: set[str]) -> dict:
    """``fields``, refused (as a programming error) if it names anything this write may not set."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    return fields


def changed(before, after, fields) -> list[str]:
    """The names among ``fields`` whose value differs between two copies of a record (for the audit row)."""
    return sorted(f for f in fields if getattr(before, f) != getattr(after, f))
