"""Keyboard only, in Chromium: real journeys done with Tab, Enter, Space and typing, never the mouse.

At every focus stop the focused element must show GOV.UK's focus state (the yellow, rgb(255, 221, 0), as background,
outline, border or box-shadow; for a radio or a checkbox, on the label's ring, the input itself being transparent)
and must be visible; focus must never fall back to the page's body. A failure names the element.

- Alice (social worker) signs in, skips to the main content, goes from the dashboard to Jayden's case and adds a
  chronology entry.
- Pete (police) answers the council's request to contribute to an assessment of the park.
- Colin (panel chair) records a decision on the live page of a meeting.
- Alice gives a place's safety plan two goals with "Add another goal" (MoJ add-another moves focus to the new row).
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.models import ContributionRequest, Framework, Goal, RequestStatus
from cases.models import ChronologyEntry
from panels import services as panel_services
from panels.models import AgendaItem, PanelKind

from ..conftest import LAWFUL, PASSWORD
from .test_assessments import place  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

# What the focused element is, and whether it shows GOV.UK's focus state.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {lost: true};
  const yellow = "rgb(255, 221, 0)";
  const text = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const name = text((el.labels && el.labels[0] && el.labels[0].innerText) || el.getAttribute("aria-label")
                    || el.innerText || el.value);
  const classes = typeof el.className === "string" && el.className ? " class=" + el.className : "";
  const what = `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}${el.name ? " name=" + el.name : ""}`
               + `${classes}> "${name.slice(0, 60)}"`;
  // A GOV.UK radio or checkbox input is transparent: its label draws the box and, focused, the yellow ring.
  const drawn = el.matches(".govuk-radios__input, .govuk-checkboxes__input") ? el.nextElementSibling : el;
  const styles = drawn === el ? [getComputedStyle(el)] : [getComputedStyle(drawn, "::before")];
  const ring = styles.some((s) => s.backgroundColor === yellow || s.boxShadow.includes(yellow)
    || s.borderTopColor === yellow
    || (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && s.outlineColor === yellow));
  const box = drawn.getBoundingClientRect();
  let shown = box.width > 1 && box.height > 1;
  for (let node = drawn; node && shown; node = node.parentElement) {
    const s = getComputedStyle(node);
    shown = s.visibility !== "hidden" && s.display !== "none" && s.opacity !== "0";
  }
  return {lost: false, name, what, id: el.id, field: el.name || "", ring, shown,
          inMain: !!el.closest("main")};
}"""


class Keyboard:
    """Tab through a page, checking every stop, until focus is on what is wanted."""

    def __init__(self, page):
        self.page = page
        self.stops = 0

    def focused(self, after: list[str] = ()) -> dict:
        state = self.page.evaluate(FOCUS)
        where = "".join(f"\n  {stop}" for stop in after[-12:])
        assert not state["lost"], f"focus was lost to the page's body (or left the page) after:{where}"
        assert state["shown"], f"focus is on something not visible: {state['what']}"
        assert state["ring"], f"focus is not shown (no GOV.UK focus state): {state['what']}"
        return state

    def tab(self, *, back: bool = False, after: list[str] = ()) -> dict:
        self.page.keyboard.press("Shift+Tab" if back else "Tab")
        self.stops += 1
        return self.focused(after)

    def to(self, wanted: str, *, limit: int = 150) -> dict:
        """Tab until the focused element is ``wanted``: ``#id``, ``name=<field>``, or text its name contains."""
        def found(state) -> bool:
            if wanted.startswith("#"):
                return wanted == f"#{state['id']}"
            if wanted.startswith("name="):
                return wanted == f"name={state['field']}"
            return wanted in state["name"]

        here = self.page.evaluate(FOCUS)
        if not here["lost"] and found(here):  # already there
            return self.focused()
        seen = []
        for _ in range(limit):
            state = self.tab(after=[f"(looking for {wanted!r})", *seen])
            if found(state):
                return state
            seen.append(state["what"])
        raise AssertionError(f"{wanted!r} not reached in {limit} Tab presses; last stops:\n" + "\n".join(seen[-15:]))

    def type(self, wanted: str, text: str) -> None:
        self.to(wanted)
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def _sign_in(visit, username: str) -> Keyboard:
    """The sign-in page by keyboard alone: Tab to each field, type, Enter."""
    keys = Keyboard(visit.page)
    visit.goto("/sign-in/")
    keys.type("Username or email address", username)
    keys.type("Password", PASSWORD)
    keys.press("Enter")
    visit.page.wait_for_load_state()
    visit.settle()
    expect(visit.page.get_by_text("Signed in as")).to_be_visible()
    return keys


def _skip_to_main(visit, keys: Keyboard) -> None:
    """The first Tab on a page is GOV.UK's skip link; Enter on it puts the next Tab inside the main content."""
    first = keys.tab()
    assert "Skip to main content" in first["name"], f"the first stop is not the skip link: {first['what']}"
    keys.press("Enter")
    after = keys.tab()
    assert after["inMain"], f"after the skip link, Tab went to {after['what']}, outside the main content"


def _follow(visit, keys: Keyboard, wanted: str) -> None:
    """Tab to a link and follow it with Enter."""
    keys.to(wanted)
    keys.press("Enter")
    visit.page.wait_for_load_state()
    visit.settle()


def test_a_social_worker_adds_a_chronology_entry_by_keyboard(visit, case):
    page = visit.page
    keys = _sign_in(visit, "alice")
    _skip_to_main(visit, keys)
    _follow(visit, keys, "Jayden Okafor")  # the dashboard's "Your cases"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case EFH-")
    expect(page.get_by_role("region", name="Young person")).to_contain_text("Jayden Okafor")  # the identity bar

    # The chronology's folded form: Enter opens it.
    keys.to("Add an entry")
    keys.press("Enter")
    keys.to("Type of entry")
    page.keyboard.type("Case note")  # a closed select chooses the option its typed name begins with
    yesterday = timezone.localdate() - timedelta(days=1)
    keys.type("Day", str(yesterday.day))
    keys.type("Month", str(yesterday.month))
    keys.type("Year", str(yesterday.year))
    keys.type("Time (24-hour clock, optional)", "16:30")
    keys.type("What happened", "Seen at the bus station; said he felt safe with his youth worker.")
    keys.to("Add entry")
    keys.press("Enter")
    expect(page.get_by_text("Entry added to the chronology.")).to_be_visible()
    # The success banner takes focus (GOV.UK's notification banner), so the next Tab goes on from there.
    keys.focused()
    entry = ChronologyEntry.objects.get(case=case)
    assert entry.kind == "note" and "youth worker" in entry.text
    keys.tab()
    visit.assert_no_problems()


@pytest.fixture
def request_to_police(alice, place, agencies):  # noqa: F811
    draft = assessment_services.assessment_start(actor=alice, subject=place,
                                                 framework=Framework.objects.get(key="neighbourhood"))
    return assessment_services.contribution_request(
        actor=alice, assessment=draft, agency=agencies["police"], question="What do your patrols see after 8pm?",
        due_on=timezone.localdate() + timedelta(days=7), basis=LAWFUL)


@pytest.fixture
def police(pete):
    pete.set_password(PASSWORD)
    pete.save(update_fields=["password"])
    return pete


def test_a_partner_answers_a_request_to_contribute_by_keyboard(visit, police, request_to_police):
    page = visit.page
    keys = _sign_in(visit, "pete")
    _skip_to_main(visit, keys)
    _follow(visit, keys, "Eastgate Park")
    expect(page.get_by_text("What do your patrols see after 8pm?")).to_be_visible()

    keys.type("Your agency's response", "Two patrols a week; older males seen there on Friday nights.")
    for group in ("name=lawful_basis", "name=special_category"):
        keys.to(group)
        keys.press("Space")  # the first choice of each: Tab enters a group of radios, Space chooses
    keys.type("Why is it necessary to share your response?", "The council needs it to plan guardianship there.")
    keys.to("name=told")
    keys.press("Space")
    keys.to("Send response")
    keys.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Your response has been sent")).to_be_visible()
    answered = ContributionRequest.objects.get(pk=request_to_police.pk)
    assert answered.status == RequestStatus.ANSWERED and "Friday nights" in answered.response
    visit.assert_no_problems()


@pytest.fixture
def live_meeting(colin, agencies, shared_case, person):
    colin.set_password(PASSWORD)
    colin.save(update_fields=["password"])
    panel = panel_services.panel_create(actor=colin, name="Northfield MACE panel", kind=PanelKind.MACE,
                                        member_agencies=[agencies["la"], agencies["police"]], chairs=[colin])
    starts_at = (timezone.localtime() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    meeting = panel_services.meeting_schedule(actor=colin, panel=panel, starts_at=starts_at, location="Room 2")
    panel_services.agenda_item_add(actor=colin, meeting=meeting, subject=person, reason="Seen with older males")
    return meeting


def test_a_panel_chair_records_a_decision_on_the_live_page_by_keyboard(visit, live_meeting):
    page = visit.page
    keys = _sign_in(visit, "colin")
    _skip_to_main(visit, keys)
    _follow(visit, keys, "Northfield MACE panel")
    _follow(visit, keys, "Run the meeting")
    expect(page.locator(".govuk-caption-l")).to_contain_text("Running the meeting")
    decision = "Refer to the exploitation team; review in four weeks."
    keys.type("Decisions", decision)
    keys.to("Save now")
    keys.press("Enter")
    expect(page.get_by_text(re.compile("Saved at"))).to_be_visible()
    keys.focused()
    item = AgendaItem.objects.get(meeting=live_meeting)
    assert item.decisions == decision
    visit.assert_no_problems()


def test_two_goals_with_add_another_by_keyboard(visit, alice, place):  # noqa: F811
    page = visit.page
    keys = _sign_in(visit, "alice")
    visit.goto(reverse("safety-plan", args=["place", place.pk]))
    _skip_to_main(visit, keys)
    _follow(visit, keys, "Add a goal")
    keys.type("#id_goals-0-statement", "Young people feel safe on the lit path")
    keys.type("#id_goals-0-met_when", "No approaches reported for 3 months")
    keys.type("#id_goals-0-measured_by", "Police logs")
    keys.to("Add another goal")
    keys.press("Enter")
    # The component puts focus on the new row's fieldset, which must show it.
    expect(page.locator("#goals .moj-add-another__item:nth-child(2) fieldset")).to_be_focused()
    keys.focused()
    keys.type("#id_goals-1-statement", "Adults look out at the shop")
    keys.type("#id_goals-1-met_when", "The owner knows the young people by name")
    keys.type("#id_goals-1-measured_by", "Youth worker's notes")
    keys.to("Save goals")
    keys.press("Enter")
    expect(page.get_by_text("2 goals added to the safety plan.")).to_be_visible()
    assert [goal.statement for goal in Goal.objects.all()] == ["Young people feel safe on the lit path",
                                                               "Adults look out at the shop"]
    visit.assert_no_problems()
