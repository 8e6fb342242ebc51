"""In a real browser: signing in with one's agency's own account (single sign-on, safeguarding/sso.py).

A police officer, invited to the service, goes from the sign-in page to the single sign-on page, chooses the police,
signs in on the police's identity provider (tests/oidc_provider: a real OpenID Connect provider, django-oauth-toolkit,
running as its own process) and comes back signed in. Someone the service never invited goes the same way and is
turned back with a page that says why. axe-core checks the service's pages on the way.
"""

import copy
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safeguarding import services
from safeguarding.models import AuditAction, AuditEvent
from safeguarding.roles import Role

from ..conftest import SYSTEM
from ..oidc_provider.people import PEOPLE, POLICE, POLICE_DOMAIN
from ..oidc_provider.provider import OidcProvider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def police_idp(live_server, tmp_path_factory):
    """The police's identity provider, with the live server's callback as its client's redirect URI."""
    base = live_server.url.replace("://127.0.0.1:", "://localhost:")
    provider = OidcProvider(tmp_path_factory.mktemp("police-idp"), people=copy.deepcopy(PEOPLE), clients=[{
        "client_id": "efh-northfield-police", "client_secret": "secret-of-northfield-police-0123456789",
        "redirect_uris": [f"{base}/sign-in/sso/{POLICE}/callback/"]}]).start()
    yield provider
    provider.stop()


@pytest.fixture
def police_sso(police_idp, agencies):
    return services.identity_provider_set(
        actor=SYSTEM, agency=agencies["police"], issuer=police_idp.issuer, client_id="efh-northfield-police",
        client_secret="secret-of-northfield-police-0123456789", email_domains=[POLICE_DOMAIN])


@pytest.fixture
def officer(agencies):
    return services.user_create(actor=SYSTEM, username="ruth.harris", agency=agencies["police"],
                                roles=[Role.PARTNER_PRACTITIONER], first_name="Ruth", last_name="Harris",
                                email=PEOPLE["officer"]["email"])


def _through_the_provider(visit, idp, username: str):
    page = visit.page
    visit.goto("/sign-in/")
    page.get_by_role("link", name="sign in with your agency's account").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with your agency's account")
    visit.assert_assets_loaded()
    visit.assert_accessible("sso-choose")
    visit.screenshot("sso-choose")
    page.get_by_label("Northfield Police").check()
    page.get_by_role("button", name="Continue").click()
    # The police's own sign-in page, on the provider's address.
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider: sign in")
    assert page.url.startswith(idp.issuer.removesuffix("/o")), page.url
    page.get_by_label("Work username").fill(username)
    page.get_by_label("Work password").fill(idp.people[username]["password"])
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_load_state()
    visit.settle()


def test_an_invited_officer_signs_in_with_the_polices_own_account(visit, police_idp, police_sso, officer):
    page = visit.page
    _through_the_provider(visit, police_idp, "officer")
    expect(page).to_have_url(visit.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator(".app-signed-in")).to_contain_text("Ruth Harris")
    expect(page.get_by_text("Successfully signed in")).to_have_count(0)
    visit.assert_accessible("dashboard-after-sso")
    visit.screenshot("signed-in-by-sso")
    assert AuditEvent.objects.get(action=AuditAction.LOGIN, actor=officer).detail == {"via": "sso",
                                                                                      "provider": POLICE}
    assert AuditEvent.objects.filter(action=AuditAction.SSO_BIND, target_id=str(officer.pk)).count() == 1

    # Signing out ends the service's session; signing in again is matched on the bound subject.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    visit.assert_no_problems()


def test_someone_never_invited_is_turned_back_with_a_reason(visit, police_idp, police_sso, officer):
    page = visit.page
    _through_the_provider(visit, police_idp, "stranger")
    expect(page.get_by_role("heading", level=1)).to_have_text("You could not be signed in")
    assert page.title().startswith("Error: ")
    expect(page.get_by_text("There is no account in this service for the person you signed in as")).to_be_visible()
    visit.assert_accessible("sso-refused")
    visit.screenshot("sso-refused")
    page.get_by_role("link", name="Sign in with a username and password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).detail["reason"] == "not_invited"
    visit.assert_no_problems()


def test_a_step_up_sends_someone_signed_in_by_their_agency_back_to_its_provider(
        visit, police_idp, police_sso, agencies, settings):
    """An inspector signed in by the police's provider has no password or factor of ours: when the audit log asks
    for a fresh second factor, signing in again at the police's provider is the step-up, and they come back to it."""
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 20
    inspector = services.user_create(actor=SYSTEM, username="ruth.harris", agency=agencies["police"],
                                     roles=[Role.TEAM_MANAGER], first_name="Ruth", last_name="Harris",
                                     email=PEOPLE["officer"]["email"])
    page = visit.page
    _through_the_provider(visit, police_idp, "officer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    time.sleep(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)  # the sign-in is no longer fresh

    audit_url = reverse("audit-search")
    visit.goto(audit_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in again to continue")
    assert reverse("sign-in-sso") in page.url and "next=" in page.url, page.url
    expect(page.get_by_label("Northfield Police")).to_be_checked()  # their own agency's, the only one offered
    visit.assert_accessible("sso-step-up")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    if page.get_by_role("heading", name="Test identity provider: sign in").count():  # no session at the provider
        page.get_by_label("Work username").fill("officer")
        page.get_by_label("Work password").fill(police_idp.people["officer"]["password"])
        page.get_by_role("button", name="Sign in to the provider").click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    assert page.url.startswith(visit.url(audit_url)), page.url
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=inspector).count() == 2
    visit.assert_no_problems()
