"""Templates ask the policy layer, never restate it: ``{% allowed "cases.can_add_young_person" as may_add %}``."""

from django import template

from safeguarding.policy import RULES

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context, name: str, *args) -> bool:
    """Whether the signed-in person may do what the rule ``<app>.<rule>`` (in ``<app>/policies.py``) names."""
    app, rule_name = name.split(".", 1)
    return bool(RULES[f"{app}.policies.{rule_name}"](context["request"].user, *args))
