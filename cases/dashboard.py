"""The dashboard's sections about cases, the team and the front door (registered with safeguarding.dashboard)."""

from django.urls import reverse

from safeguarding.dashboard import Row, Section, register

from . import referrals, selectors
from .models import ReferralStatus


def _case_row(case, *, lead: bool = False) -> Row:
    detail = f"{case.reference}, {case.get_risk_level_display().lower()} risk"
    if lead:
        detail += f", {case.lead_practitioner or 'not allocated'}"
    return Row(text=case.young_person.full_name, href=reverse("case", args=[case.pk]), detail=detail,
               due_on=case.next_review_on, due_word="Review",
               tags=() if case.next_review_on else (("No review date", "grey"),))


def _my_cases(user, limit):
    return [_case_row(case) for case in selectors.joined(selectors.my_cases_by_review(user)[:limit])]


def _team_overdue(user, limit):
    return [_case_row(case, lead=True) for case in selectors.joined(selectors.team_overdue_reviews(user)[:limit])]


def _team_caseload(user, limit):
    rows = []
    for member in selectors.team_caseload(user)[:limit]:
        detail = f"{member.open_cases} open case{'s' if member.open_cases != 1 else ''}"
        tags = ((f"{member.overdue_reviews} overdue", "red"),) if member.overdue_reviews else ()
        rows.append(Row(text=member.get_full_name() or member.username, detail=detail, tags=tags))
    return rows


def _front_door(user, limit):
    return [Row(text=str(r), href=referrals.url(r),
                detail=f"From {r.referring_agency}, referred {r.referred_at:%-d %b %Y}",
                due_on=r.decide_by, due_word="Decide",
                tags=() if r.status == ReferralStatus.WAITING else ((r.get_status_display(), "blue"),))
            for r in selectors.front_door_waiting(user, limit)]


def _of_team(query: str):
    """The case list narrowed as ``query`` asks and to the reader's team (the one the section counts)."""
    return lambda user: f"{query}&team={user.team_id}" if user.team_id else query


def _recent(user, limit):
    return [Row(text=p.full_name, href=reverse("young-person", args=[p.pk]))
            for p in selectors.recently_viewed(user, limit)]


register(Section(
    key="my-cases", title="Your cases", rule="cases.can_lead_cases", order=10, limit=6,
    rows=_my_cases, count=lambda user: selectors.my_cases_by_review(user).count(), noun="of your open cases",
    link="cases", link_query="?status=open&mine=on",
    empty="You are not the lead practitioner on any open case."))

register(Section(
    key="team-caseload", title="Your team's caseload", rule="cases.can_oversee_team_cases", order=40, limit=6,
    rows=_team_caseload, count=lambda user: selectors.team_open_cases(user).count(), noun="of your team's open cases",
    link="cases", link_query=_of_team("?status=open"),
    empty="Nobody in your team leads an open case, or you are not in a team (an administrator adds you to one)."))

register(Section(
    key="team-overdue", title="Your team's overdue reviews", rule="cases.can_oversee_team_cases", order=45,
    rows=_team_overdue, count=lambda user: selectors.team_overdue_reviews(user).count(),
    noun="overdue reviews in your team",
    link="cases", link_query=_of_team("?status=open&overdue=on"),
    empty="No case in your team is past its review date."))

register(Section(
    key="front-door", title="Your front door", rule="cases.can_triage", order=50,
    rows=_front_door, count=selectors.front_door_count, noun="referrals waiting",
    link="front-door", empty="No referral is waiting for a decision."))

register(Section(
    key="recent", title="Recently viewed", rule="cases.can_find_young_people", order=200,
    rows=_recent, link="young-people", link_text="Find a young person",
    empty="Young people you open will be listed here."))
