"""The page title, in one place (templates/base.html):
``{% page_title %}{% block title %}{% endblock %}{% end_page_title %}``.

GOV.UK pages start their title "Error: " while a form on them has errors, so a screen reader hears it first. No
template says so itself: the tag looks through the page's context for a bound form or formset with errors, or a list
whose filters cannot be used (also one level inside a list or dict, as pages with a form per question pass them) and
prefixes the title once.
"""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

from safeguarding.lists import ListPage

register = template.Library()

PREFIX = "Error: "


def _has_errors(value) -> bool:
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    if isinstance(value, ListPage):  # a list whose filters cannot be used (safeguarding.lists: status 400)
        return value.errors
    return False


def _candidates(context):
    for layer in context.dicts:
        for value in layer.values():
            yield value
            if isinstance(value, list | tuple):
                yield from value[:100]
            elif isinstance(value, dict):
                yield from list(value.values())[:100]


def page_has_errors(context) -> bool:
    """Whether any form the page was given holds errors (forms are validated by then, so this adds no queries)."""
    return any(_has_errors(value) for value in _candidates(context))


class PageTitleNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        title = self.nodelist.render(context).strip()
        if page_has_errors(context) and not title.startswith(PREFIX):
            return PREFIX + title
        return title


@register.tag
def page_title(parser, token):
    nodelist = parser.parse(("end_page_title",))
    parser.delete_first_token()
    return PageTitleNode(nodelist)
