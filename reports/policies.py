"""Who may see which figures (reports). Services enforce these; views and templates ask."""

from safeguarding import access
from safeguarding.policy import need, rule
from safeguarding.roles import Perm


@rule
def can_see_reports(user):
    """See the dashboard's figures over what one's agency can see: team managers, panel chairs, analysts, and a
    partner agency's manager (over what their agency can see)."""
    access.require(user, Perm.VIEW_REPORTS)


@rule
def can_see_names(user):
    """Drill down from a figure to the named records it counts: whoever may see reports and open records (not an
    analyst, who sees figures only, small ones suppressed)."""
    can_see_reports.ensure(user)
    need(user.has_perm(Perm.VIEW_RECORDS), "Your role shows figures, not the records behind them.")


@rule
def can_export(user, what: str):
    """Export a report's tables (anyone who may see reports) or a drill-down list of named records (who may see
    names)."""
    can_see_reports.ensure(user)
    if what != "dashboard":
        can_see_names.ensure(user)
