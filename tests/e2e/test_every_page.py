"""Every page type, found from the URLconf, in a real browser: axe-core with the WCAG 2.2 A and AA rules, failing on
any violation (not only serious ones), and no sideways scroll at 320 CSS px (WCAG 1.4.10 Reflow).

The pages are every non-API, non-admin URL pattern (tests/security/world.py walks the URLconf and fills each
pattern's parameters from its world of records), less ``EXCLUDED``: each entry says why it is not a page. Each page is
visited as the first role (``ROLES``, in order) that the server answers 200 for; the dashboard as every role. Then
every page with a form posting to itself is sent empty, and the error page it answers with is checked the same way.

``test_every_pattern_is_a_page_or_excluded`` keeps the list honest: a new URL pattern is either visited or excluded
with a reason, and an exclusion names a pattern that exists. The run prints a table of what it saw.
"""

import time
from collections import Counter

import pytest
from django.test import Client

from safeguarding.roles import Role

from ..conftest import _person, client_for
from ..security import world as security_world
from .conftest import AXE, TIMEOUT_MS, Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROW = 320

# Each role the service has for people who use its pages, as a person of the world's cast (tests/conftest.py), in
# the order a page is tried: the first one the server shows the page to visits it.
ROLES = [
    ("social worker", "alice"), ("team manager", "mandy"), ("panel chair", "colin"), ("administrator", "adam"),
    ("data protection officer", "dora"), ("partner practitioner", "pete"), ("partner manager", "polly"),
]

# URL patterns that are not pages to check, by name, each with why. Everything else must be visited.
_POST_ONLY = "POST only: a button on another page does it, and GET answers 405"
_FILE = "a file download (CSV, PDF, JSON or a document), not a page"
_FRAGMENT = "a fragment htmx polls or swaps into its page, never opened as a page"
_SESSION = "signs in or out, or comes before signing in: tests/e2e/test_sign_in_*.py cover these pages"
EXCLUDED = {
    # Signing in, signing out and what comes before a session (tests/security/world.py SKIP, and allauth's).
    **dict.fromkeys(security_world.SKIP, _SESSION),
    "account_reauthenticate": _SESSION, "mfa_reauthenticate": _SESSION, "mfa_reauthenticate_webauthn": _SESSION,
    # allauth pages for what this service does not use or turns off (passwords are changed through the reset email;
    # recovery codes and TOTP are set up on the second-factor page): they answer 404 or send elsewhere.
    "account_change_password": "allauth: redirects (a password is set through the reset email)",
    "account_set_password": "allauth: redirects (a password is set through the reset email)",
    "mfa_activate_totp": "allauth: redirects to the second-factor page unless activating",
    "mfa_deactivate_totp": "allauth: redirects when no authenticator app is set up",
    "mfa_view_recovery_codes": "allauth: redirects when no recovery codes are set up",
    "mfa_generate_recovery_codes": "allauth: redirects when no second factor is set up",
    "mfa_download_recovery_codes": _FILE,
    "mfa_add_webauthn": "allauth: needs a browser's WebAuthn answer (tests/e2e/test_sign_in_mfa.py)",
    "mfa_remove_webauthn": _POST_ONLY, "mfa_edit_webauthn": "allauth: a passkey's name, reached from its list",
    # Files.
    "audit-export": _FILE, "subject-access-pdf": _FILE, "subject-access-json": _FILE, "document-download": _FILE,
    "assessment-pdf": _FILE, "pack-download": _FILE, "reports-export-download": _FILE,
    # Fragments and redirects.
    "notifications-count": _FRAGMENT, "packs-status": _FRAGMENT, "case-summary": _FRAGMENT,
    "find": "a picker's search: JSON for the type-ahead (safeguarding.pickers)",
    "notification-open": "marks a notification read and redirects to what it is about",
    "transition-edit": "the world's case has no transition plan yet (tests/e2e/test_transition.py edits one)",
    "reports-list": "a figure's list: needs the figure's query, reached from a report (tests/e2e/test_reports.py)",
    # Buttons (POST only).
    **dict.fromkeys([
        "retention-keep", "retention-dispose", "subject-access-sign-off", "subject-access-rebuild",
        "notifications-read-all", "webhook-pause", "webhook-resume", "webhook-rotate", "webhook-test",
        "webhook-delete", "chronology-add", "case-unshare", "place-unshare", "peer-group-unshare",
        "transition-handover", "referral-accept", "transfer-accept", "transfer-reject", "link-end",
        "contribution-withdraw", "attendance-mark", "meeting-advance", "packs-request", "item-feedback-given",
        "item-minute", "assessment-change", "language-check", "reports-export-create", "case-share", "place-share",
        "peer-group-share", "referral-decline", "referral-ask", "referral-answer", "assessment-decide", "action-new",
    ], _POST_ONLY),
}

# Violations in other helpers' areas, by (page name, axe rule), each naming the area; cleared when their work
# merges. Anything else fails the test.
KNOWN: dict[tuple[str, str], str] = {}


def _world(cast, agencies):
    world, _ = security_world.build(cast, agencies)
    found, problems = security_world.urls(world)
    return world, found, problems


def _check(page, label: str) -> dict:
    """axe (WCAG 2.2 A and AA) on the page as it is, then its width at 320 px."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;undefined")
    violations = page.evaluate("""async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 400)}))}))""", TAGS)
    page.set_viewport_size({"width": NARROW, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""(limit) => [...document.querySelectorAll("body *")]
        .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest(".app-table-scroll"))
        .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > limit + 1))
        .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : ""))
        """, NARROW)
    page.set_viewport_size({"width": 1280, "height": 900})
    return {"label": label, "violations": violations, "width": width, "wide": wide,
            "title": page.title()}


def _unfocused(page, presses=25) -> list[str]:
    """Tab through the page from the top, as a keyboard user would: what takes focus without showing it (GOV.UK's
    focus style is a yellow box-shadow or an outline)."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    hidden = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => { const e = document.activeElement; if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            return {what: e.outerHTML.slice(0, 100), shown: s.outlineStyle !== "none" && s.outlineWidth !== "0px"
                    || s.boxShadow !== "none"}; }""")
        if state is None:
            break
        if not state["shown"]:
            hidden.append(state["what"])
    return hidden


def _settle(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request, [hx-trigger=\"load\"]')")


def _empty_and_submit(page) -> bool:
    """Clear every field of the main form that posts to this page and send it; False if there is no such form."""
    form = page.evaluate_handle("""() => {
        const form = [...document.querySelectorAll("main form")].find(f =>
            (f.method || "").toLowerCase() === "post" &&
            (!f.getAttribute("action") || new URL(f.action, location.href).pathname === location.pathname));
        if (!form) return null;
        for (const el of form.elements) {
            if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
            if (el.type === "checkbox" || el.type === "radio") el.checked = false;
            else if (el.tagName === "SELECT") { el.selectedIndex = -1; el.value = ""; }
            else if (el.type !== "file") el.value = "";
        }
        form.noValidate = true;
        return form;
    }""")
    if not form.json_value():
        return False
    with page.expect_navigation():
        form.evaluate("f => HTMLFormElement.prototype.submit.call(f)")
    _settle(page)
    return True


def test_every_pattern_is_a_page_or_excluded():
    """Every exclusion names a real pattern, and every other pattern can be filled from the world (or it is
    reported here: add its records to tests/security/world.py)."""
    names = {pattern.name for route, pattern in security_world.app_patterns() if not security_world.is_api(route)}
    assert not set(EXCLUDED) - names, f"exclusions for patterns that no longer exist: {set(EXCLUDED) - names}"
    assert {page for page, _ in KNOWN} <= names


def test_every_page_is_accessible_and_fits_a_phone(browser, live_server, agencies, cast, polly,
                                                   reference_data):
    started = time.monotonic()
    people = {**cast, "polly": polly,
              "dora": _person(agencies, "dora", "la", Role.DATA_PROTECTION_OFFICER)}
    world, found, problems = _world(cast, agencies)
    problems = [p for p in problems if not any(f"({name})" in p for name in EXCLUDED)]
    assert not problems, "\n".join(problems)
    built = time.monotonic()
    clients = {}
    for _, username in ROLES:
        clients[username] = client_for(Client(raise_request_exception=False), people[username])

    # Which role sees each page: the first the server answers 200 (HTML) for. The dashboard: every role.
    plan, missed = [], {}
    for url in found:
        if url.name in EXCLUDED:
            continue
        tried = []
        for role, username in ROLES:
            response = clients[username].get(url.path)
            tried.append(f"{username}:{response.status_code}")
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                plan.append((url, role, username))
                if url.name != "dashboard":
                    break
        else:
            if url.name != "dashboard":
                missed[url.path] = " ".join(tried)
    print(f"world {built - started:.0f} s, roles found {time.monotonic() - built:.0f} s")
    visited_names = {url.name for url, _, _ in plan}
    patterns = {p.name for r, p in security_world.app_patterns() if not security_world.is_api(r)}
    unvisited = sorted(patterns - visited_names - set(EXCLUDED))

    base = live_server.url.replace("://127.0.0.1:", "://localhost:")
    contexts = {}

    def page_for(username):
        if username not in contexts:
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            context.add_cookies([{"name": "sessionid", "value": clients[username].cookies["sessionid"].value,
                                  "url": base}])
            contexts[username] = context.new_page()
        return contexts[username]

    # Each form that posts to its own page is then sent empty, and the error page checked. (A form that accepts an
    # empty answer changes the world: the two that do, the assessment's and the panel's, save what they had.)
    results, accepted = [], []
    for url, role, username in plan:
        page = page_for(username)
        response = page.goto(base + url.path)
        _settle(page)
        if response.status != 200:
            missed[url.path] = f"{username}: {response.status} in the browser"
            continue
        result = _check(page, url.path)
        if url.name == "dashboard":
            result["unfocused"] = _unfocused(page)
        results.append({**result, "name": url.name, "role": role})
        if url.name == "dashboard" or not _empty_and_submit(page):
            continue
        if page.url.split("?")[0] != base + url.path or not page.locator(".govuk-error-summary").count():
            accepted.append(url.path)
            continue
        result = _check(page, url.path + " (errors)")
        results.append({**result, "name": url.name, "role": role, "errors": True})
    for page in contexts.values():
        page.context.close()

    # The table, and the verdict.
    failures, by_rule, known_seen = [], Counter(), set()
    print(f"\n{'page':58} {'role':24} {'axe':>4} {'320px':>6}")
    for r in results:
        real = []
        for v in r["violations"]:
            if Visit.known_issue(v):  # GOV.UK's conditional reveal's aria-expanded on radios, kept on purpose
                continue
            by_rule[v["id"]] += 1
            if (r["name"], v["id"]) in KNOWN:
                known_seen.add((r["name"], v["id"]))
            else:
                real.append(v)
        print(f"{r['label'][:58]:58} {r['role']:24} {len(r['violations']):>4} {r['width']:>6}"
              + (f"  {', '.join(v['id'] for v in r['violations'])}" if r["violations"] else "")
              + (f"  wide: {r['wide']}" if r["width"] > NARROW else ""))
        for v in real:
            failures.append(f"{r['label']} as {r['role']}: {v['id']} ({v['impact']}) {v['help']}: "
                            + "; ".join(f"{n['target']} {n['html']}" for n in v["nodes"][:3]))
        for what in r.get("unfocused", []):
            failures.append(f"{r['label']} as {r['role']}: focus not visible on {what}")
        if r["width"] > NARROW:
            failures.append(f"{r['label']} as {r['role']}: {r['width']} px wide at {NARROW} px ({r['wide']})")
    pages = [r for r in results if not r.get("errors")]
    print(f"\npatterns {len(patterns)}, excluded {len(set(EXCLUDED) & patterns)}, "
          f"page types visited {len(visited_names)}, visits {len(pages)}, error pages {len(results) - len(pages)}, "
          f"forms that accepted an empty answer {len(accepted)}, {time.monotonic() - started:.0f} s")
    print("violations by rule:", dict(by_rule))
    if accepted:
        print("accepted empty:", accepted)
    stale = set(KNOWN) - known_seen
    assert not unvisited, f"patterns neither visited nor in EXCLUDED: {unvisited} ({missed})"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
    assert not stale, f"KNOWN lists violations that no longer happen (remove them): {sorted(stale)}"
