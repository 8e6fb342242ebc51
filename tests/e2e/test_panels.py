"""In a real browser: a panel meeting from its agenda to the packs, as the chair runs it.

Colin (panel chair, lead authority) adds a young person and a theme to next week's agenda, runs the meeting on the
live page (attendance marked with one click, minutes saved as he types, the trauma-informed language prompt, an
action for the police), then asks for the packs: a real Celery worker, in this process, builds one PDF per attending
agency while the page polls (htmx, every 2 s) until each is ready to download. axe-core checks the add-item form,
the live page and the meeting page.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from playwright.sync_api import expect

from panels import services
from panels.models import AgendaItem, PackStatus, PanelKind, PanelPack
from safeguarding import celery_app
from safeguarding.models import LanguagePhrase

from ..conftest import PASSWORD, QUEUES
from ..contexts.conftest import park  # noqa: F401 - fixture used by name
from .conftest import BLOCKING_IMPACTS

# Packs are built by a worker reading the replica (in tests a mirror of the test database).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]

PANEL = "Northfield MACE"
AGENCIES = ("Northfield Council", "Northfield Police", "Northfield Academy")
REASON = "Missing three times this month; seen at Eastgate Park with older males."
THEME = "Younger children carrying bags in Marsh Lane"
MINUTES = "Police shared two reports from the park. School attendance has fallen to 60%."
BLAMING = "Staff feel the children are putting themselves at risk by going back there."
NEUTRAL = "He is being put at risk by adults who look for him at the park."
ACTION = "Patrol Eastgate Park after school on weekdays and share sightings with the lead practitioner."
PACKS_TIMEOUT_MS = 90_000


@pytest.fixture
def phrases(db):
    """The language list the migrations ship, put back: a live-server test's flush empties every table."""
    LanguagePhrase.objects.get_or_create(phrase="putting themselves at risk", defaults={
        "suggestion": "being put at risk by others / at risk of harm from …",
        "why": "It places responsibility for the harm on the child, not on the people harming them."})


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    # Each pack takes a little while per item, so the page shows it building before it is ready.
    settings.PACK_BUILD_TEST_DELAY = 0.75
    return tmp_path


@pytest.fixture
def chair(colin):
    """Colin, the panel chair, able to sign in."""
    colin.set_password(PASSWORD)
    colin.save(update_fields=["password"])
    return colin


@pytest.fixture
def meeting(chair, agencies, pete, sam, shared_case, park, phrases):  # noqa: F811
    """Next week's meeting of a panel with the council, police and school; Pete and Sam invited (Colin, as
    chair, is invited when it is scheduled). Jayden's case is shared with the police; the park is a place."""
    panel = services.panel_create(actor=chair, name=PANEL, kind=PanelKind.MACE,
                                  member_agencies=[agencies["la"], agencies["police"], agencies["school"]],
                                  chairs=[chair])
    starts_at = (timezone.localtime() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    made = services.meeting_schedule(actor=chair, panel=panel, starts_at=starts_at, location="Council House, room 2")
    for person in (pete, sam):
        services.attendance_set(actor=chair, meeting=made, person=person, status="invited")
    return made


def _choose(page, form, label: str, typed: str, option: str):
    """Choose ``option`` in the picker labelled ``label`` by typing ``typed`` into its type-ahead."""
    box = form.get_by_role("combobox", name=label, exact=True)
    box.press_sequentially(typed, delay=30)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    expect(box).to_have_value(option)


def _add_item(page, kind: str, fill: dict[str, str], choose: dict[str, tuple[str, str]] | None = None,
              expected: str = ""):
    page.get_by_role("link", name="Add an agenda item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agenda item")
    form = page.locator("main form")
    form.get_by_role("group", name="What is the item about?").get_by_label(kind, exact=True).check()
    for label, (typed, option) in (choose or {}).items():
        _choose(page, form, label, typed, option)
    for label, text in fill.items():
        form.get_by_label(label, exact=True).fill(text)
    form.get_by_role("button", name="Add to agenda").click()
    expect(page.get_by_text(expected)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PANEL)


class _FormNesting(HTMLParser):
    """Counts <form> start tags met inside another form (a browser drops them, so the DOM cannot show them)."""

    def __init__(self):
        super().__init__()
        self.depth = self.nested = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.nested += self.depth > 0
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth = max(self.depth - 1, 0)


def _nested_forms(html: str) -> int:
    parser = _FormNesting()
    parser.feed(html)
    return parser.nested


def _is_minute_save(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/minutes/")


def test_chair_sets_the_agenda_runs_the_meeting_and_sends_packs(visit, meeting, person, media, broker):
    page = visit.page
    violations = {}

    # Colin signs in and finds the meeting under "Panels".
    visit.sign_in("colin", PASSWORD)
    expect(page.get_by_text("Signed in as")).to_contain_text("Colin Test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panels and meetings")
    page.get_by_role("table", name="Upcoming meetings").get_by_role("link", name=PANEL).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PANEL)
    expect(page).to_have_url(visit.url(f"/meetings/{meeting.pk}/"))
    expect(page.locator("main")).to_contain_text("No items on the agenda yet.")

    # The add-item form, first sent empty: the errors say what is missing.
    page.get_by_role("link", name="Add an agenda item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agenda item")
    violations["add item form"] = visit.axe("add-item")
    page.get_by_role("button", name="Add to agenda").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select what is the item about?")
    expect(summary).to_contain_text("Enter why it is on the agenda")
    violations["add item form (errors)"] = visit.axe("add-item-errors")
    page.get_by_role("link", name="Back", exact=True).click()

    # Item 1: Jayden; item 2: a theme.
    _add_item(page, "A young person", {"Why it is on the agenda": REASON},
              choose={"Young person": ("jayden", "Jayden Okafor")}, expected="Item 1 added to the agenda.")
    _add_item(page, "A theme (a pattern across an area)",
              {"Theme": THEME, "Why it is on the agenda": "Reports from two schools."},
              expected="Item 2 added to the agenda.")
    agenda = page.locator("main .govuk-summary-card")
    expect(agenda).to_have_count(2)
    expect(agenda.nth(0)).to_contain_text("Item 1: Jayden Okafor")
    expect(agenda.nth(0)).to_contain_text(REASON)
    expect(agenda.nth(1)).to_contain_text(f"Item 2: {THEME} (theme)")
    first = AgendaItem.objects.get(meeting=meeting, position=1)

    # The live page.
    page.get_by_role("link", name="Run the meeting").click()
    expect(page.locator(".govuk-caption-l")).to_contain_text("Running the meeting")
    visit.settle()
    assert _nested_forms(page.request.get(page.url).text()) == 0, "a form inside a form on the live page"

    # Attendance: one click, saved by htmx, confirmed beside the radios.
    pete_row = page.locator("main form", has=page.get_by_role("group", name="Pete Test, Northfield Police"))
    pete_row.get_by_label("Present", exact=True).check()
    expect(pete_row.locator("[aria-live]")).to_have_text("Pete Test: present")
    visit.settle()

    # Minutes save themselves about 1.5 s after typing stops.
    item = page.get_by_role("region", name="Item 1: Jayden Okafor")
    discussion = item.get_by_label("Discussion", exact=True)
    saved = item.locator(f"#saved-{first.pk}")
    prompt = item.locator(f"#lang-item-{first.pk}-minutes-{first.pk}")
    with page.expect_response(_is_minute_save) as sent:
        discussion.fill(MINUTES)
    assert sent.value.ok, sent.value.status
    expect(saved).to_contain_text("Saved at")
    expect(prompt).to_have_text("")

    # Victim-blaming words bring the prompt (it never blocks the save) ...
    discussion.press("End")
    with page.expect_response(_is_minute_save) as sent:
        discussion.press_sequentially(" " + BLAMING)
    assert sent.value.ok, sent.value.status
    expect(prompt).to_contain_text("Think about the words")
    expect(prompt).to_contain_text("putting themselves at risk")
    expect(saved).to_contain_text("Saved at")
    visit.screenshot("live-language-prompt")
    violations["live page (prompt)"] = visit.axe("live-prompt")

    # ... which go once the words are changed, and the change is saved too.
    with page.expect_response(_is_minute_save) as sent:
        discussion.fill(f"{MINUTES} {NEUTRAL}")
    assert sent.value.ok, sent.value.status
    expect(saved).to_contain_text("Saved at")
    expect(prompt).to_have_text("")
    visit.settle()
    first.refresh_from_db()
    assert first.minutes == f"{MINUTES} {NEUTRAL}"

    # An action for the police, due a fortnight after the meeting.
    due = timezone.localdate(meeting.starts_at) + timedelta(days=14)
    item.locator("summary", has_text="Add an action").click()
    action_form = item.locator("form", has=page.get_by_role("button", name="Add action"))
    action_form.get_by_label("Action", exact=True).fill(ACTION)
    _choose(page, action_form, "Agency", "police", "Northfield Police")
    due_by = action_form.get_by_role("group", name="Due by")
    due_by.get_by_label("Day").fill(str(due.day))
    due_by.get_by_label("Month").fill(str(due.month))
    due_by.get_by_label("Year").fill(str(due.year))
    violations["live page (adding an action)"] = visit.axe("live-action")
    action_form.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added.")).to_be_visible()
    item = page.get_by_role("region", name="Item 1: Jayden Okafor")
    expect(item.locator("ul.govuk-list").first).to_contain_text(ACTION)
    expect(item.locator("ul.govuk-list").first).to_contain_text(f"Northfield Police · due {due.day} {due:%b %Y}")
    visit.settle()
    expect(page.get_by_role("group", name="Pete Test, Northfield Police").get_by_label("Present", exact=True)
           ).to_be_checked()
    expect(item.get_by_label("Discussion", exact=True)).to_have_value(f"{MINUTES} {NEUTRAL}")
    visit.screenshot("live")

    # On a tablet (768 px wide): attendance comes before the agenda, and the folded items keep the page short.
    page.set_viewport_size({"width": 768, "height": 1024})
    visit.settle()
    assert page.locator("#attendance").bounding_box()["y"] < page.locator(f"#item-{first.pk}").bounding_box()["y"]
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"live page at 768 px: {height} px high")
    assert height < 6000, height
    visit.screenshot("live-tablet")
    page.set_viewport_size({"width": 1280, "height": 900})
    violations["live page"] = visit.axe("live")

    # Back on the meeting page: the minutes and the action are there; the packs are asked for.
    page.get_by_role("link", name="Back to the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PANEL)
    expect(agenda.nth(0)).to_contain_text(NEUTRAL)
    expect(agenda.nth(0)).to_contain_text(ACTION)
    expect(page.locator("main")).to_contain_text("Pete Test, Northfield Police: Present")
    packs = page.locator("#packs-panel")
    expect(packs).to_contain_text("No packs for this agenda yet.")

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20, queues=QUEUES):
        page.get_by_role("button", name="Build packs for attending agencies").click()
        expect(page.get_by_text("3 packs are being built.")).to_be_visible()
        page.evaluate("window.__notReloaded = true")  # the panel updates in place; the page never reloads
        expect(page.locator("#packs-panel progress").first).to_be_visible()
        visit.screenshot("packs-building")
        ready = page.locator("#packs-panel").get_by_role("link", name="Download")
        expect(ready).to_have_count(len(AGENCIES), timeout=PACKS_TIMEOUT_MS)
        visit.settle()
    packs = page.locator("#packs-panel")
    for agency in AGENCIES:
        expect(packs).to_contain_text(f"{agency}: Ready")
        expect(packs.get_by_role("link", name=f"Download the pack for {agency}")).to_be_visible()
    expect(packs.locator("progress")).to_have_count(0)
    expect(packs).not_to_have_attribute("hx-trigger", "every 2s")  # polling stopped once all were ready
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded instead of polling"
    assert PanelPack.objects.filter(meeting=meeting, status=PackStatus.READY).count() == len(AGENCIES)
    visit.screenshot("packs-ready")
    violations["meeting page (packs ready)"] = visit.axe("meeting")

    # The police pack downloads as a PDF.
    link = packs.get_by_role("link", name="Download the pack for Northfield Police")
    href = link.get_attribute("href")
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.url == visit.url(href), download.url
    assert download.suggested_filename.startswith(f"panel-pack-{meeting.pk}-Northfield Police"), \
        download.suggested_filename
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # Chromium ends a navigation that becomes a download with ERR_ABORTED: that is the download, not a failure.
    visit.problems = [p for p in visit.problems if p != f"request failed: {download.url} net::ERR_ABORTED"]

    blocking = {label: [v for v in found if v["impact"] in BLOCKING_IMPACTS] for label, found in violations.items()}
    blocking = {label: found for label, found in blocking.items() if found}
    assert not blocking, "\n".join(f"{label}:\n{visit.describe(found)}" for label, found in blocking.items())
    visit.assert_no_problems()
