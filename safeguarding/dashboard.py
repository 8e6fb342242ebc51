"""The dashboard: one page built from sections that apps register, each shown to whoever its policy allows.

A person may hold more than one capability (a team manager is also a practitioner; a chair may hold cases), so
the page is never chosen by role name: each ``Section`` names a rule (``"<app>.<rule>"``, in that app's
``policies.py``) and whoever that rule allows sees it. A section reads its rows through a selector in its own app
(through the access door), shows at most ``limit`` of them, says how many there are in all and links to the full
list, or says plainly that there is nothing.

Each app registers its own sections in its ``dashboard.py`` with ``register``; this module imports no app (they are
found by name, as Django finds ``admin`` modules). Every section costs a fixed number of queries (its rows, its
count), so the page's count does not grow with the data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .policy import RULES


@dataclass(frozen=True)
class Row:
    """One line of a section: what it is (a link), a line of detail, and when it is due (tagged when overdue)."""

    text: str
    href: str = ""
    detail: str = ""
    due_on: date | None = None
    due_word: str = "Due"  # "Review", "Respond by": what the date is
    tags: tuple[tuple[str, str], ...] = ()  # (text, govuk-tag colour)
    post: bool = False  # the link is a form posted (opening a notification marks it read)

    @property
    def due(self) -> tuple[str, str] | None:
        """The date said in words ("overdue by 3 days", "due in 2 days"), and the tag's colour."""
        if self.due_on is None:
            return None
        days = (self.due_on - timezone.localdate()).days
        if days < 0:
            return (f"Overdue by {-days} day{'s' if days != -1 else ''}", "red")
        if days == 0:
            return (f"{self.due_word} today", "orange")
        return (f"{self.due_word} in {days} day{'s' if days != 1 else ''}", "yellow" if days <= 7 else "grey")


@dataclass(frozen=True)
class Section:
    """One part of the dashboard, as its app describes it."""

    key: str  # unique, also the id of its heading
    title: str  # says whose work it is: "Your cases", "Your team's overdue reviews", "Your agency's actions"
    rule: str  # "<app>.<rule>": who sees it
    rows: Callable[..., list[Row]]  # rows(user, limit): at most ``limit`` rows, already presented
    empty: str  # what it says when there is nothing
    link: str  # the full list's URL name
    # "?mine=on&status=open": the full list narrowed to what the section shows; or link_query(user) when it depends on
    # who reads it (their team, say)
    link_query: str | Callable[..., str] = ""
    count: Callable[..., int] | None = None  # count(user): how many in all (for "View all N")
    link_text: str = "View all"  # "View all 12 <noun>" when counted, else the text alone
    noun: str = ""
    limit: int = 5
    order: int = 100  # lower first

    def __post_init__(self):
        if not 1 <= self.limit <= 8:
            raise ImproperlyConfigured(f"Dashboard section {self.key} shows {self.limit} rows: keep it to 1-8.")


@dataclass
class Shown:
    """A section as one person sees it now."""

    section: Section
    rows: list[Row]
    total: int | None
    href: str = ""

    @property
    def link_label(self) -> str:
        if self.total is None:
            return self.section.link_text
        if self.total == 0:  # nothing to count: the list's name alone ("View all open requests")
            return f"{self.section.link_text} {self.section.noun}".strip()
        return f"{self.section.link_text} {self.total} {self.section.noun}".strip()


SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    known = SECTIONS.get(section.key)
    if known is not None and known != section:
        raise ImproperlyConfigured(f"Two dashboard sections are called {section.key}.")
    SECTIONS[section.key] = section
    return section


def registered() -> list[Section]:
    """Every app's sections, in their order."""
    autodiscover_modules("dashboard")
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def allows(user, section: Section) -> bool:
    app, name = section.rule.split(".", 1)
    return bool(RULES[f"{app}.policies.{name}"](user))


def sections_for(user) -> list[Shown]:
    """The sections ``user`` may see, each read now: a fixed number of queries each, whatever the data."""
    shown = []
    for section in registered():
        if not allows(user, section):
            continue
        rows = list(section.rows(user, section.limit))
        shown.append(Shown(
            section=section, rows=rows, total=section.count(user) if section.count else None,
            href=reverse(section.link) + (section.link_query(user) if callable(section.link_query)
                                          else section.link_query)))
    return shown


# --- The kernel's own section: what is new for the person's agency (their unread notifications) --------------------

def _new_for_agency(user, limit):
    from . import selectors

    return [Row(text=n.title, href=reverse("notification-open", args=[n.pk]), post=True,
                detail=f"{n.get_kind_display()}, {timezone.localtime(n.created_at):%-d %b %Y}")
            for n in selectors.new_for_my_agency(user, limit)]


def _new_count(user) -> int:
    from . import selectors

    return selectors.new_for_my_agency_rows(user).count()


register(Section(
    key="new-for-agency", title="New for your agency", rule="safeguarding.can_manage_own_notifications", order=1,
    rows=_new_for_agency, count=_new_count, noun="unread", link="notifications", link_text="View all",
    empty="Nothing new has been shared with, asked of or given to your agency that you have not opened."))
