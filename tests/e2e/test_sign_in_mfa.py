"""Signing in with a second factor, in Chromium: a password and an authenticator app's code, and a passkey held by
Chromium's virtual authenticator (Chrome DevTools Protocol, WebAuthn domain). The lead authority requires a second
factor here, as the product does by default (the cast's agencies otherwise ask for none: tests/conftest.py)."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from safeguarding import services
from safeguarding.models import AuditAction, AuditEvent

from ..conftest import PASSWORD, SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.fixture
def required(agencies):
    return services.agency_update(actor=SYSTEM, agency=agencies["la"], mfa_required=True)


def test_a_password_and_an_authenticator_code(visit, manager, required):
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)
    visit.goto("/sign-in/")
    visit.assert_assets_loaded()
    visit.assert_accessible("sign-in")
    visit.sign_in("mandy", PASSWORD)
    assert "/account/2fa/authenticate/" in visit.page.url
    visit.assert_accessible("code")
    visit.screenshot("asked-for-code")
    visit.page.get_by_label("Code").fill(code_for(secret))
    visit.page.get_by_role("button", name="Sign In", exact=True).click()
    visit.page.wait_for_load_state()
    visit.settle()
    assert visit.page.url.rstrip("/") == visit.url("")
    assert "Signed in as" in visit.page.content()
    visit.assert_accessible("dashboard")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=manager).count() == 1
    visit.assert_no_problems()


def test_a_passkey_set_up_after_the_password_then_signing_in_with_it_alone(visit, manager, required):
    cdp = visit.page.context.new_cdp_session(visit.page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})
    visit.sign_in("mandy", PASSWORD)
    # No second factor yet, and her agency requires one: every page sends her to set one up.
    visit.goto("/cases/")
    assert "/account/2fa/" in visit.page.url
    visit.assert_accessible("set-up")
    visit.goto("/account/2fa/webauthn/add/")
    if "/reauthenticate/" in visit.page.url:  # adding a factor asks for the password again
        visit.page.get_by_label("Password").fill(PASSWORD)
        visit.page.get_by_role("button", name="Confirm").click()
        visit.page.wait_for_load_state()
    assert "/account/2fa/webauthn/add/" in visit.page.url
    visit.assert_accessible("add-passkey")
    visit.page.get_by_label("Name").fill("Work laptop")
    visit.page.get_by_label("Passwordless").check()
    visit.page.get_by_role("button", name="Add").click()
    visit.page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    visit.settle()
    passkey = Authenticator.objects.get(user=manager, type=Authenticator.Type.WEBAUTHN)
    assert passkey.data["name"] == "Work laptop" and passkey.wrap().is_passwordless
    visit.screenshot("passkey-added")

    visit.page.get_by_role("button", name="Sign out").click()
    visit.page.wait_for_load_state()
    visit.goto("/sign-in/")
    visit.page.get_by_role("button", name="Use a passkey").click()
    visit.page.wait_for_url(lambda url: "/sign-in/" not in url)
    visit.settle()
    assert "Signed in as" in visit.page.content()
    visit.assert_accessible("signed-in-by-passkey")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=manager).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.FACTOR_ADDED, actor=manager,
                                     detail__type="webauthn").exists()
    visit.assert_no_problems()
