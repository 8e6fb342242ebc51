"""Pictures of the service for the README (docs/screenshots/), from the demo: `make screenshots`.

Seeds the demo if its logins are missing, starts the server on a free port, signs in as each demo role through the
sign-in page and its second factor (the demo's shared authenticator secret), and saves full-page PNGs at 1366 and
390 CSS px wide: each role's dashboard, the social worker's first case (the identity bar, the sub-navigation and the
chronology), the network with the most links, the map of places and an assessment's task list. Names are stable
(``<what>-<width>.png``), so running it again replaces them.

Playwright drives Debian's Chromium (E2E_CHROMIUM, as tests/e2e); it cannot download browsers of its own here.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from safeguarding.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"
WIDTHS = (1366, 390)
# Each role's demo login, and the name its dashboard's pictures take.
ROLES = [
    ("social-worker", "sw.demo"), ("team-manager", "tm.demo"), ("panel-chair", "chair.demo"),
    ("partner-practitioner", "police.demo"), ("partner-manager", "police.manager.demo"),
    ("analyst", "analyst.demo"), ("data-protection-officer", "dpo.demo"), ("administrator", "admin.demo"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _code() -> str:
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // app_settings.TOTP_PERIOD))


def _most_linked():
    """The young person or peer group with the most links: the demo's biggest network."""
    from cases.models import YoungPerson
    from contexts.models import PeerGroup

    person = (YoungPerson.objects.annotate(n=Count("associations", distinct=True)
                                           + Count("associations_as_other", distinct=True)
                                           + Count("memberships", distinct=True)
                                           + Count("place_links", distinct=True)).order_by("-n", "pk").first())
    group = (PeerGroup.objects.annotate(n=Count("memberships", distinct=True) + Count("place_links", distinct=True))
             .order_by("-n", "pk").first())
    if group and (not person or group.n > person.n):
        return f"/peer-groups/{group.pk}/network/", group.n
    return (f"/young-people/{person.pk}/network/", person.n) if person else (None, 0)


class Command(BaseCommand):
    help = ("Save pictures of each role's dashboard, a case, the biggest network, the map and an assessment "
            "(docs/screenshots/).")

    def handle(self, *args, **options):
        from django.contrib.auth import get_user_model

        if not get_user_model().objects.filter(username="sw.demo").exists():
            call_command("seed_demo")
        from assessments.models import Assessment
        from cases.models import Case

        network, links = _most_linked()
        case = (Case.objects.filter(lead_practitioner__username="sw.demo", status="open")
                .order_by("next_review_on", "pk").values_list("pk", flat=True).first())
        assessments = list(Assessment.objects.filter(owning_agency__is_lead_authority=True)
                           .order_by("-pk").values_list("pk", flat=True)[:20])
        OUT.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        env = {**os.environ, "DEBUG": "1"}
        server = subprocess.Popen([  # noqa: S603 - this interpreter, this project
            sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://localhost:{port}"
        try:
            self._wait(base)
            self._shoot(base, network, links, assessments, case)
        finally:
            server.terminate()
            server.wait(timeout=10)

    def _wait(self, base):
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - our own server
                return
            except OSError:
                time.sleep(0.5)
        raise CommandError("the server did not start")

    def _shoot(self, base, network, links, assessments, case):
        from playwright.sync_api import sync_playwright

        chromium = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True)
            try:
                for name, username in ROLES:
                    page = self._sign_in(browser, base, username)
                    self._save(page, base + "/", f"dashboard-{name}")
                    if username == "sw.demo":
                        if case:
                            self._save(page, f"{base}/cases/{case}/", "case")
                        if network:
                            self._save(page, base + network, "network")
                            self.stdout.write(f"network: {network} ({links} links of its own, and theirs)")
                        self._save(page, base + "/places/map/", "map")
                        for pk in assessments:
                            if page.goto(f"{base}/assessments/{pk}/edit/").status == 200:
                                self._save(page, f"{base}/assessments/{pk}/edit/", "assessment-task-list")
                                break
                    page.context.close()
            finally:
                browser.close()

    def _sign_in(self, browser, base, username):
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(base + "/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        for _ in range(3):  # a code may turn over as it is typed: the next one is asked for
            if "/2fa/authenticate/" not in page.url:
                break
            page.get_by_label("Code").fill(_code())
            page.get_by_role("button", name="Sign In", exact=True).click()
            page.wait_for_load_state()
            if "/2fa/authenticate/" in page.url:
                time.sleep(5)
        if "/sign-in/" in page.url or "/2fa/" in page.url:
            raise CommandError(f"could not sign in as {username} (at {page.url})")
        return page

    def _save(self, page, url, name):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.wait_for_load_state("networkidle")
            path = OUT / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            self.stdout.write(f"saved {path.relative_to(settings.BASE_DIR)}")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
