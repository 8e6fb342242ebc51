"""In a real browser: the Content-Security-Policy is sent and nothing on the main pages breaks it.

Every page answers with a Content-Security-Policy (no 'unsafe-inline' for scripts or styles; a nonce for the two
inline scripts of the base template) and a Permissions-Policy. Chromium enforces the policy: the harness records any
``securitypolicyviolation`` event and console error (tests/e2e/conftest.py), and the pages' own scripts (GOV.UK
Frontend, htmx, Leaflet) must still run.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from ..security import world as world_module

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("scanner")]  # the world scans its documents


def _signed_in(visit, user):
    """The browser carries a session made by Django's test client (signing in itself is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    visit.page.context.clear_cookies()
    visit.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                     "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                     "url": visit.base_url, "httpOnly": True, "secure": True}])


def _check(visit, path: str):
    response = visit.goto(path)
    assert response.status == 200, path
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'nonce-" in directives.get("script-src", ""), f"{path}: no script nonce in {policy!r}"
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives.get(directive, ""), f"{path}: {directive} allows unsafe-inline"
    assert "camera=()" in headers.get("permissions-policy", ""), path
    visit.page.wait_for_load_state("load")
    visit.settle()
    assert visit.page.evaluate("document.body.classList.contains('govuk-frontend-supported')"), (
        f"{path}: the nonced inline script did not run")


def test_main_pages_send_the_policy_and_nothing_violates_it(visit, reference_data, cast, agencies):
    world, _ = world_module.build(cast, agencies)
    _signed_in(visit, cast["alice"])
    for path in ("/", reverse("case", args=[world["case"].pk]), reverse("young-person", args=[world["person"].pk]),
                 reverse("place", args=[world["place"].pk]), reverse("person-network", args=[world["person"].pk]),
                 reverse("group-network", args=[world["group"].pk]),
                 reverse("assessment-edit", args=[world["assessment"].pk])):
        _check(visit, path)
    _check(visit, reverse("places-map"))
    expect(visit.page.locator("#places-map")).to_have_attribute("data-markers", "1")  # Leaflet ran
    assert visit.page.locator(".leaflet-marker-icon").count() == 1

    _signed_in(visit, cast["colin"])
    for path in (reverse("meeting", args=[world["meeting"].pk]), reverse("meeting-live", args=[world["meeting"].pk])):
        _check(visit, path)
    visit.page.locator("textarea").first.fill("They are putting themselves at risk")  # htmx posts, swaps a prompt
    expect(visit.page.get_by_text("being put at risk by others").first).to_be_visible()
    visit.settle()
    visit.assert_no_problems()
