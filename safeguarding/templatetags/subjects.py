"""Templates ask the subject registry (``safeguarding.subjects``) what a record is and where its page is, rather than
branching on its kind: ``{% load subjects %}{{ item.subject|subject_link }}``."""

from django import template
from django.utils.html import format_html

from safeguarding import subjects

register = template.Library()


@register.filter
def subject_url(record) -> str:
    """The address of a subject record's own page."""
    return subjects.of(record).url(record)


@register.filter
def subject_link(record) -> str:
    """A link to a subject record's page, named as it is named, with its kind said where kinds are mixed."""
    kind = subjects.of(record)
    link = format_html('<a class="govuk-link" href="{}">{}</a>', kind.url(record), str(record))
    return format_html("{} ({})", link, kind.aside) if kind.aside else link


@register.filter
def identified(record):
    """The record if pages about it carry the identity bar (a young person), else None:
    ``{% include "includes/identity_bar.html" with person=subject|identified %}``."""
    return subjects.identified(record)
