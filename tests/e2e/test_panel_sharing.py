"""In a real browser, across two agencies' sessions: a panel asks for a record to be shared, and the live page adds
actions in place.

Colin (panel chair, lead authority) puts Eastgate Park on the agenda; the police cannot see it, and the meeting page
says so. He asks for it to be shared with the police; Alice (the council's social worker, who may share the park)
approves it from her requests page, with the lawful basis; Pete (police) then sees the item and the park. On the live
page, an action for the school (still unable to see the park) is explained in place with the way to ask, and an
action for the police is added without the page reloading. axe-core checks every page on the way.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panels import services
from panels.models import Action, PanelKind, ShareRequest, ShareRequestStatus
from safeguarding import access
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import PASSWORD
from ..contexts.conftest import park  # noqa: F401 - fixture used by name
from .conftest import BLOCKING_IMPACTS, Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PANEL = "Northfield MACE"
REASON = "Adults approaching children after school; the police patrol there."
WHY_SHARE = "The police will be asked to patrol the park, and need to see what is known about it."
ACTION = "Patrol Eastgate Park after school and share sightings with the lead practitioner."


@pytest.fixture
def people(colin, alice, pete):
    for person in (colin, pete):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    return {"colin": colin, "alice": alice, "pete": pete}


@pytest.fixture
def meeting(people, agencies, sam, park):  # noqa: F811
    chair = people["colin"]
    panel = services.panel_create(actor=chair, name=PANEL, kind=PanelKind.MACE,
                                  member_agencies=[agencies["la"], agencies["police"], agencies["school"]],
                                  chairs=[chair])
    starts_at = (timezone.localtime() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    made = services.meeting_schedule(actor=chair, panel=panel, starts_at=starts_at, location="Council House")
    for person in (people["pete"], sam):
        services.attendance_set(actor=chair, meeting=made, person=person, status="invited")
    return made


def _session(browser, live_server, name: str) -> Visit:
    """Another person's browser, with cookies of its own."""
    context = browser.new_context(base_url=live_server.url.replace("://127.0.0.1:", "://localhost:"),
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return Visit(context.new_page(), live_server.url.replace("://127.0.0.1:", "://localhost:"), name)


def _fill_action(visit, form, text: str, agency: str, due):
    form.get_by_label("Action", exact=True).fill(text)
    visit.pick(form, "Agency", agency.split()[-1], agency)
    due_by = form.get_by_role("group", name="Due by")
    due_by.get_by_label("Day").fill(str(due.day))
    due_by.get_by_label("Month").fill(str(due.month))
    due_by.get_by_label("Year").fill(str(due.year))


def test_a_panel_asks_the_council_to_share_a_place_and_the_police_get_an_action_in_place(
        visit, browser, live_server, meeting, park, agencies):  # noqa: F811
    page = visit.page
    violations = {}

    # Colin puts the park on the agenda: he is told at once who will not see it.
    visit.sign_in("colin", PASSWORD)
    visit.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Add an agenda item").click()
    form = page.locator("main form")
    form.get_by_role("group", name="What is the item about?").get_by_label("A place", exact=True).check()
    visit.pick(form, "Place", "Eastgate", "Eastgate Park")
    form.get_by_label("Why it is on the agenda", exact=True).fill(REASON)
    form.get_by_role("button", name="Add to agenda").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Northfield Academy and Northfield Police cannot see Eastgate Park. Ask Northfield Council to share it")
    card = page.locator("main .govuk-summary-card")
    expect(card.locator(".govuk-warning-text")).to_contain_text(
        "Northfield Academy and Northfield Police cannot see what this item is about")
    violations["meeting page (warning)"] = visit.axe("meeting-warning")

    # He asks for it to be shared with the police only.
    card.get_by_role("link", name="Ask for it to be shared").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Northfield Council to share Eastgate Park")
    violations["ask form"] = visit.axe("ask")
    page.get_by_label("Northfield Academy", exact=True).uncheck()
    page.get_by_label("Why the panel needs them to see it", exact=True).fill(WHY_SHARE)
    page.get_by_role("button", name="Ask to share").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Northfield Council has been asked to share Eastgate Park.")
    expect(card).to_contain_text("waiting for an answer")
    asked = ShareRequest.objects.get()
    assert [a.name for a in asked.agencies.all()] == ["Northfield Police"]

    # Alice, the council's social worker, finds the request from her dashboard and approves it.
    alice = _session(browser, live_server, "alice")
    try:
        alice.sign_in("alice", PASSWORD)
        alice.page.get_by_role("link", name="Requests to share with panels").click()
        expect(alice.page.get_by_role("heading", level=1)).to_have_text("Requests to share with panels")
        violations["requests list"] = alice.axe("requests")
        alice.page.get_by_role("link", name="Eastgate Park").click()
        expect(alice.page.get_by_role("heading", level=1)).to_have_text("Share Eastgate Park with the panel?")
        expect(alice.page.locator("main")).to_contain_text(WHY_SHARE)
        violations["decision page"] = alice.axe("decide")
        share_button = alice.page.get_by_role("button", name="Share with these agencies")
        approve = alice.page.locator("main form", has=share_button)
        approve.get_by_role("group", name="Lawful basis for sharing").get_by_label(
            "Public task: a statutory duty (UK GDPR Article 6(1)(e))").check()
        approve.get_by_label("Safeguarding of children and individuals at risk").check()
        approve.get_by_label("Yes, they were told").check()
        approve.get_by_role("button", name="Share with these agencies").click()
        expect(alice.page.locator(".govuk-notification-banner")).to_contain_text(
            "Eastgate Park is now shared with the agencies the panel asked for.")
        expect(alice.page.get_by_role("table")).to_contain_text("Shared")
        alice.assert_no_problems()
    finally:
        alice.page.context.close()
    asked.refresh_from_db()
    assert asked.status == ShareRequestStatus.APPROVED and asked.reason == WHY_SHARE and asked.told == "told"
    assert access.can(access.AgencyReader(agencies["police"]), park)
    approval = AuditEvent.objects.get(action=AuditAction.APPROVE, target_id=str(asked.pk))
    assert approval.detail["lawful_basis"] == "public_task" and approval.detail["meeting"] == meeting.audit_label

    # Pete (police) now sees the item, and the park's own page.
    pete = _session(browser, live_server, "pete")
    try:
        pete.sign_in("pete", PASSWORD)
        pete.goto(f"/meetings/{meeting.pk}/")
        expect(pete.page.locator("main .govuk-summary-card")).to_contain_text("Item 1: Eastgate Park")
        expect(pete.page.locator("main")).to_contain_text(REASON)
        pete.page.locator("main .govuk-summary-card").get_by_role("link", name="Eastgate Park").click()
        expect(pete.page.get_by_role("heading", level=1)).to_contain_text("Eastgate Park")
        pete.assert_no_problems()
    finally:
        pete.page.context.close()

    # Colin runs the meeting: the contents lead to the item; the school still cannot see the park.
    visit.goto(f"/meetings/{meeting.pk}/live/")
    contents = page.get_by_role("navigation", name="Agenda")
    expect(contents.get_by_role("link", name="Eastgate Park")).to_have_attribute("href", f"#item-{asked.item_id}")
    item = page.get_by_role("region", name="Item 1: Eastgate Park")
    expect(item.locator(".govuk-warning-text")).to_contain_text("Northfield Academy cannot see")
    page.evaluate("window.__notReloaded = true")
    due = timezone.localdate(meeting.starts_at) + timedelta(days=14)
    item.locator("summary", has_text="Add an action").click()
    action_form = item.locator("form", has=page.get_by_role("button", name="Add action"))
    _fill_action(visit, action_form, ACTION, "Northfield Academy", due)
    action_form.get_by_role("button", name="Add action").click()
    # Explained in place, with what was typed kept and the way to ask; the page stays.
    expect(item.get_by_text("Northfield Academy cannot see this place. Ask Northfield Council to share it first"
                            )).to_be_visible()
    expect(item.get_by_role("link", name="Ask Northfield Council to share it with Northfield Academy")).to_be_visible()
    action_form = item.locator("form", has=page.get_by_role("button", name="Add action"))
    expect(action_form.get_by_label("Action", exact=True)).to_have_value(ACTION)
    violations["live page (action refused)"] = visit.axe("live-refused")
    assert not Action.objects.exists()

    # For the police, who can now see the park: added, and the list comes back in place.
    visit.pick(action_form, "Agency", "Police", "Northfield Police")
    action_form.get_by_role("button", name="Add action").click()
    expect(item.get_by_text("Action added.")).to_be_visible()
    expect(item.locator(f"#actions-{asked.item_id} ul.govuk-list")).to_contain_text(ACTION)
    expect(item.locator(f"#actions-{asked.item_id} ul.govuk-list")).to_contain_text("Northfield Police")
    expect(item.locator("form", has=page.get_by_role("button", name="Add action")).get_by_label(
        "Action", exact=True)).to_have_value("")
    assert page.evaluate("window.__notReloaded === true"), "the live page reloaded to add the action"
    assert Action.objects.get().owner_agency == agencies["police"]
    visit.settle()
    violations["live page (action added)"] = visit.axe("live-added")

    blocking = {label: [v for v in found if v["impact"] in BLOCKING_IMPACTS] for label, found in violations.items()}
    blocking = {label: found for label, found in blocking.items() if found}
    assert not blocking, "\n".join(f"{label}:\n{visit.describe(found)}" for label, found in blocking.items())
    visit.assert_no_problems()
