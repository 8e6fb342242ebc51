"""Browser smoke tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browsers here, so it launches the system Chromium (``apt-get install
chromium``; .ci/run installs it). The live server listens on ``localhost``, which Chromium treats as a secure
context, so the production settings' Secure session and CSRF cookies work over plain HTTP.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse ORM calls here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
AXE = ROOT / "static" / "dist" / "axe.min.js"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = ("serious", "critical")
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`));"""


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the e2e tests need Debian's Chromium. "
            "Install it with `apt-get install chromium` (or set E2E_CHROMIUM to its path).",
            pytrace=False,
        )
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: build the static assets with `npm run build`.",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("axe-*.json")]:
        old.unlink()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


class Visit:
    """One test's browser tab, with the checks every page gets."""

    def __init__(self, page, base_url: str, name: str):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.shots = 0
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", self._response)
        # Any Content-Security-Policy violation is a problem (the browser also logs it as a console error).
        page.add_init_script(CSP_LISTENER)
        page.expose_function("__cspViolation", lambda text: self.problems.append(f"CSP violation: {text}"))

    def _console(self, message):
        # Chromium logs every 4xx as "Failed to load resource"; _response judges those instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _response(self, response):
        # A 404 for a record is what the outsider test expects; a missing asset never is.
        if response.status >= 400 and "/static/" in response.url:
            self.problems.append(f"{response.status} for {response.url}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        self.settle()
        return response

    def settle(self):
        """Wait until htmx is quiet: every section a page loads by itself has arrived, nothing is in flight.

        Leaving a page sooner cuts those requests off, which the harness rightly reports as problems.
        """
        self.page.wait_for_function("() => !document.querySelector('.htmx-request, [hx-trigger=\"load\"]')")

    def screenshot(self, label: str) -> Path:
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{self.shots:02d}-{label}".lower()).strip("-")
        path = ARTIFACTS / f"{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_assets_loaded(self):
        """GOV.UK Frontend's and MoJ Frontend's CSS, their JavaScript, and htmx are served and running."""
        state = self.page.evaluate("""() => ({
            htmx: typeof window.htmx === "object" && typeof window.htmx.version === "string",
            font: getComputedStyle(document.querySelector("h1")).fontFamily,
            headerBackground: getComputedStyle(document.querySelector(".govuk-generic-header")).backgroundColor,
            mojStyles: [...document.styleSheets].some(sheet => [...sheet.cssRules].some(
                rule => (rule.selectorText || "").startsWith(".moj-timeline"))),
            mojJs: [...document.querySelectorAll("[data-module^='moj-']")].every(
                element => [...element.attributes].some(attribute => /^data-moj-.*-init$/.test(attribute.name))),
            supported: document.body.classList.contains("govuk-frontend-supported"),
            govukJs: !!document.querySelector("[data-govuk-skip-link-init]"),
        })""")
        assert state["htmx"], "htmx did not load (window.htmx is undefined)"
        assert "arial" in state["font"].lower(), f"GOV.UK styles not applied: heading font is {state['font']}"
        assert state["headerBackground"] not in ("", "rgba(0, 0, 0, 0)"), "GOV.UK header has no styling"
        assert state["mojStyles"], "MoJ Frontend's styles are not in the stylesheet"
        assert state["mojJs"], "MoJ Frontend JavaScript did not initialise a component on the page"
        assert state["supported"], "the govuk-frontend-supported class was not set"
        assert state["govukJs"], "GOV.UK Frontend JavaScript did not initialise (skip link not initialised)"

    def axe(self, label: str) -> list[dict]:
        """Run axe-core on the page as it is now; return (and save, and print) every violation but a known issue."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated by the test, not added as an inline <script>, which the Content-Security-Policy refuses.
            self.page.evaluate(AXE.read_text() + "\n;undefined")
        violations = self.page.evaluate("""async () => (await axe.run()).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
        }))""")
        slug = re.sub(r"[^a-z0-9]+", "-", f"axe-{self.name}-{label}".lower()).strip("-")
        (ARTIFACTS / f"{slug}.json").write_text(json.dumps(violations, indent=2))
        for v in violations:
            targets = [n["target"] for n in v["nodes"]]
            print(f"axe [{label}] {v['impact']}: {v['id']} ({v['help']}) at {targets}")
        return [v for v in violations if not self.known_issue(v)]

    @staticmethod
    def describe(violations: list[dict]) -> str:
        return "\n".join(
            f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})\n"
            + "\n".join(f"    {n['target']}: {n['html'][:200]}" for n in v["nodes"])
            for v in violations
        )

    @staticmethod
    def known_issue(violation: dict) -> bool:
        """GOV.UK Frontend's conditional reveal sets aria-expanded on its radios, which ARIA does not (yet) allow on a
        radio: kept on purpose because screen readers announce it (alphagov/govuk-frontend#979, w3c/aria#1404).
        Only that finding, on those radios, is let through."""
        return violation["id"] == "aria-allowed-attr" and all(
            'class="govuk-radios__input"' in node["html"] and "aria-expanded=" in node["html"]
            and "aria-controls=" in node["html"] for node in violation["nodes"])

    def assert_accessible(self, label: str) -> None:
        """No serious or critical axe-core violations on the page as it is now."""
        blocking = [v for v in self.axe(label) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe found serious/critical violations on {label}:\n{self.describe(blocking)}"

    def sign_in(self, username: str, password: str) -> None:
        """Through the sign-in form, as a person would."""
        if "/sign-in/" not in self.page.url:
            self.goto("/sign-in/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        button = self.page.get_by_role("button", name="Sign in")
        assert button.count() == 1, "the sign-in page has no 'Sign in' button to press"
        button.click()
        self.page.wait_for_load_state()
        self.settle()

    def pick(self, scope, label: str, typed: str, option: str) -> None:
        """Choose ``option`` in the type-ahead labelled ``label`` within ``scope`` by typing ``typed``, as a person
        would (safeguarding.pickers: alphagov's accessible-autocomplete over /find/<kind>/)."""
        box = scope.get_by_label(label, exact=True)
        box.fill("")
        box.press_sequentially(typed, delay=30)
        self.page.get_by_role("option", name=re.compile(re.escape(option))).first.click()

    def assert_no_problems(self):
        assert not self.problems, "browser reported problems:\n" + "\n".join(self.problems)


@pytest.fixture
def visit(browser, live_server, request):
    """A fresh browser context (no cookies) per test, on http://localhost:<port>."""
    base_url = live_server.url.replace("://127.0.0.1:", "://localhost:")
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield Visit(page, base_url, request.node.name.removeprefix("test_"))
    context.close()



@pytest.fixture
def manager(mandy):
    """Mandy (team manager, lead authority), able to sign in."""
    from ..conftest import PASSWORD

    mandy.set_password(PASSWORD)
    mandy.save(update_fields=["password"])
    return mandy


@pytest.fixture
def reference_data(db):
    """What the migrations put in the database (the shipped frameworks, the language list), put back: a live-server
    test's flush empties every table."""
    from assessments import frameworks
    from assessments import services as assessment_services
    from assessments.models import Framework
    from safeguarding import access
    from safeguarding.models import LanguagePhrase

    for definition in frameworks.shipped():
        if not Framework.objects.filter(key=definition["key"]).exists():
            assessment_services.framework_install(actor=access.system("tests"), definition=definition)
    LanguagePhrase.objects.get_or_create(phrase="putting themselves at risk", defaults={
        "suggestion": "being put at risk by others / at risk of harm from …",
        "why": "It places responsibility for the harm on the child, not on the people harming them."})
