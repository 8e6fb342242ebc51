"""Cells for files people open in a spreadsheet (report exports, the audit log's CSV): never a formula.

A text cell beginning ``=``, ``+``, ``-``, ``@``, tab or carriage return would be run by Excel or LibreOffice as a
formula (``=HYPERLINK(...)``); it gets a leading apostrophe, so it is shown as typed and never run.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` as a spreadsheet cell that can never be a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
