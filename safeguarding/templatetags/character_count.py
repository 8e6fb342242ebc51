"""GOV.UK's character count for every text area with a limit (templates/gds/field.html, crispy-forms-gds's field
template with this one change): ``gds_helper`` marks the text area, and the limit shown is the field's own."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def character_limit(context, field):
    """The limit a layout gave (``Field.textarea(max_characters=...)``), else a marked text area's ``max_length``."""
    if given := context.get("max_characters"):
        return given
    widget = getattr(getattr(field, "field", None), "widget", None)
    if widget is not None and "govuk-js-character-count" in widget.attrs.get("class", ""):
        return getattr(field.field, "max_length", None)
    return None
