"""Second factors, the step-up, invitations and password reset (safeguarding.factors, .invitations; allauth).

The cast's agencies ask for no second factor (tests/conftest.py); these tests turn it on for the lead authority.
"""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportExport
from safeguarding import invitations, services
from safeguarding.models import AuditAction, AuditEvent, OutboxJob, User, UserSession
from safeguarding.roles import Role
from safeguarding.tasks import invitation_send

from ..conftest import PASSWORD, SYSTEM, client_for

pytestmark = pytest.mark.django_db


def code_for(secret: str, at: float | None = None) -> str:
    """The authenticator app's code now (or at ``at``), from allauth's own TOTP functions."""
    return format_hotp_value(hotp_value(secret, int(at or time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.fixture
def required(agencies):
    """The lead authority asks its password users for a second factor (the product's default)."""
    return services.agency_update(actor=SYSTEM, agency=agencies["la"], mfa_required=True)


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def with_password(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def password_step(client, user, ip="10.1.0.1"):
    return client.post(reverse("login"), {"login": user.username, "password": PASSWORD}, REMOTE_ADDR=ip)


# --- Required by the agency ---------------------------------------------------------------------------------------

def test_it_sends_a_password_user_without_a_factor_to_set_one_up_before_any_page(client, alice, required):
    assert password_step(client, alice).status_code == 302
    for page in (reverse("dashboard"), reverse("cases"), reverse("notifications")):
        response = client.get(page)
        assert response.status_code == 302 and response.url == reverse("mfa_index"), page
    assert client.get(reverse("mfa_index")).status_code == 200
    htmx = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == reverse("mfa_index")
    # A part of the setting-up page (the header's count) gets nothing, not a redirect that would reload the page.
    part = client.get(reverse("notifications-count"), HTTP_HX_REQUEST="true",
                      HTTP_HX_CURRENT_URL="http://testserver" + reverse("mfa_index"))
    assert part.status_code == 204


def test_it_lets_a_person_whose_agency_asks_for_no_factor_straight_in(client, alice):
    assert password_step(client, alice).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_it_asks_for_the_code_after_the_password_and_audits_both(client, alice, required):
    secret = with_totp(alice)
    first = password_step(client, alice)
    assert first.url == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard")).status_code == 302  # not signed in until the code is given
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "<title>Error: " in wrong.content.decode()
    failed = AuditEvent.objects.get(action=AuditAction.FACTOR_FAILED)
    assert failed.actor_username == "alice" and failed.detail["type"] == "totp"
    done = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert done.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=alice).count() == 1


def test_a_recovery_code_signs_in_once(client, alice, required):
    with_totp(alice)
    codes = RecoveryCodes.activate(alice).get_unused_codes()
    password_step(client, alice)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    password_step(client, alice, ip="10.1.0.2")
    reused = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert reused.status_code == 200  # used up
    assert client.get(reverse("dashboard")).status_code == 302
    assert client.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302


def test_the_last_factor_cannot_be_removed_while_the_agency_requires_one(alice, required):
    from safeguarding.factors import MFAAdapter

    with_totp(alice)
    only = Authenticator.objects.get(user=alice)
    assert not MFAAdapter().can_delete_authenticator(only)
    services.agency_update(actor=SYSTEM, agency=required, mfa_required=False)
    assert MFAAdapter().can_delete_authenticator(Authenticator.objects.get(pk=only.pk))


def test_the_factor_check_costs_one_query_a_session_and_none_a_page(client, alice, required):
    """Pinned: the dashboard with the check (a person with a factor) makes as many queries as without it."""
    with_totp(alice)
    client_for(client, alice)
    client.get(reverse("dashboard"))  # the one query: has alice a factor? Kept in her session.
    with CaptureQueriesContext(connection) as checked:
        assert client.get(reverse("dashboard")).status_code == 200
    services.agency_update(actor=SYSTEM, agency=required, mfa_required=False)
    client_for(client, alice)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as unchecked:
        assert client.get(reverse("dashboard")).status_code == 200
    assert len(checked) == len(unchecked)
    assert not any("mfa_authenticator" in q["sql"] for q in checked.captured_queries)


# --- An administrator's reset -------------------------------------------------------------------------------------

def test_an_administrators_reset_removes_every_factor_ends_the_sessions_and_is_audited(client, alice, adam,
                                                                                          required):
    secret = with_totp(alice)
    RecoveryCodes.activate(alice)
    password_step(client, alice)
    client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert client.get(reverse("dashboard")).status_code == 200
    assert services.user_factors_reset(actor=adam, user=alice) == 2
    assert not Authenticator.objects.filter(user=alice).exists()
    assert not UserSession.objects.filter(user=alice).exists()
    assert client.get(reverse("dashboard")).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.FACTORS_RESET)
    assert event.actor == adam and event.target_id == str(alice.pk)
    assert event.detail == {"types": ["recovery_codes", "totp"], "sessions_ended": 1}
    # Signing in again, she is sent to set up a new factor.
    password_step(client, alice, ip="10.1.0.3")
    assert client.get(reverse("dashboard")).url == reverse("mfa_index")


def test_only_another_administrator_may_reset_factors(alice, mandy, adam):
    with pytest.raises(PermissionDenied):
        services.user_factors_reset(actor=mandy, user=alice)
    with pytest.raises(PermissionDenied):
        services.user_factors_reset(actor=adam, user=adam)


def test_the_admin_action_resets_factors(client, alice, adam):
    with_totp(alice)
    client_for(client, adam)
    response = client.post(reverse("admin:safeguarding_user_changelist"),
                           {"action": "reset_factors", "_selected_action": [alice.pk]})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action=AuditAction.FACTORS_RESET, actor=adam).count() == 1


# --- Step-up ------------------------------------------------------------------------------------------------------

def test_an_export_needs_a_fresh_second_factor_and_carries_on_after_it(client, mandy, required):
    with_password(mandy)
    secret = with_totp(mandy)
    password_step(client, mandy)
    client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    form = {"what": "cases", "status": "open", "format": "csv"}
    later = time.time() + 600  # ten minutes on: the sign-in is no longer fresh, and a new code is due
    with time_machine.travel(later, tick=True):
        asked = client.post(reverse("reports-export-create"), form)
        assert asked.status_code == 302 and asked.url.startswith(reverse("mfa_reauthenticate"))
        assert not ReportExport.objects.exists()
        done = client.post(asked.url, {"code": code_for(secret)})
        assert ReportExport.objects.count() == 1  # the form sent before the step-up, carried over
        assert done.status_code == 302
        # Fresh now: the next export goes straight through.
        assert client.post(reverse("reports-export-create"), form).url == reverse("reports-exports")
        assert ReportExport.objects.count() == 2


def test_a_download_needs_a_fresh_factor_but_an_unknown_one_is_404_first(client, mandy, oscar, required):
    with_password(mandy)
    secret = with_totp(mandy)
    client_for(client, mandy)
    export = services_export(mandy)
    with time_machine.travel(time.time() + 600, tick=True):
        assert client.get(reverse("reports-export-download", args=[export.pk])).url.startswith(
            reverse("mfa_reauthenticate"))
    client.force_login(oscar)  # no fresh sign-in either: not visible comes first
    assert client.get(reverse("reports-export-download", args=[export.pk])).status_code == 404
    assert secret


def services_export(user):
    from reports import services as report_services

    return report_services.export_request(actor=user, what="cases", params={"status": "open"}, fmt="csv")


def test_the_audit_search_and_the_admin_ask_for_the_password_of_a_person_without_a_factor(client, adam, mandy):
    client.force_login(adam)  # signed in, but not just now
    assert client.get(reverse("admin:index")).url.startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("audit-search")).url.startswith(reverse("account_reauthenticate"))
    client_for(client, adam)  # just now
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("audit-search")).status_code == 200


def test_the_admins_own_sign_in_form_is_never_used(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302 and response.url == reverse("login") + "?next=%2Fadmin%2F"


# --- Invitations --------------------------------------------------------------------------------------------------

@pytest.fixture
def invited(adam, agencies):
    person = services.user_invite(actor=adam, username="ivy", agency=agencies["la"], roles=[Role.SOCIAL_WORKER],
                                  email="ivy@example.org", first_name="Ivy", last_name="Newcombe")
    return person


def _link_in(message) -> str:
    return re.search(r"http://\S+/invitation/\S+/", message.body).group(0).split("://", 1)[1].split("/", 1)[1]


def test_an_invitation_is_emailed_through_the_outbox_and_accepted_once(client, invited, required):
    assert not invited.is_active and not invited.has_usable_password()
    job = OutboxJob.objects.get(task="safeguarding.tasks.invitation_send")
    assert job.args == [invited.pk]  # the id only: the link is made when the email is sent
    assert AuditEvent.objects.get(action=AuditAction.INVITE).target_id == str(invited.pk)
    mail.outbox.clear()
    assert invitation_send(invited.pk) is True
    (message,) = mail.outbox
    assert message.to == ["ivy@example.org"] and "ivy" in message.body
    link = "/" + _link_in(message)
    assert client.get(link).status_code == 200
    weak = client.post(link, {"new_password1": "password1234", "new_password2": "password1234"})
    assert weak.status_code == 200 and "<title>Error: " in weak.content.decode()
    good = "lantern orchard velvet compass"
    accepted = client.post(link, {"new_password1": good, "new_password2": good})
    assert accepted.status_code == 302 and accepted.url == reverse("login")
    invited.refresh_from_db()
    assert invited.is_active and invited.check_password(good)
    assert AuditEvent.objects.filter(action=AuditAction.ACCEPT, actor=invited).count() == 1
    used = client.get(link)
    assert used.status_code == 404 and "does not work" in used.content.decode()
    assert invitation_send(invited.pk) is False  # accepted: nothing more is sent
    # Signing in, Ivy is asked to set up her second factor first.
    client.post(reverse("login"), {"login": "ivy@example.org", "password": good})
    assert client.get(reverse("dashboard")).url == reverse("mfa_index")


def test_an_invitation_link_expires_and_a_tampered_one_never_works(client, invited):
    link = invitations.link_for(invited).split("://", 1)[1].split("/", 1)[1]
    uidb36, token = link.rstrip("/").split("/")[-2:]
    assert client.get(f"/invitation/{uidb36}/{token[:-1]}x/").status_code == 404
    assert client.get("/invitation/zzzzzzzzzzzzzzzzzzzz/1-2/").status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.get("/" + link).status_code == 404
    assert client.get("/" + link).status_code == 200


def test_only_an_administrator_may_invite(mandy, agencies):
    with pytest.raises(PermissionDenied):
        services.user_invite(actor=mandy, username="x", agency=agencies["la"], roles=[Role.SOCIAL_WORKER],
                             email="x@example.org")


def test_the_admins_add_form_invites_when_no_password_is_typed(client, adam, agencies):
    client_for(client, adam)
    response = client.post(reverse("admin:safeguarding_user_add"), {
        "username": "quentin", "first_name": "Quentin", "last_name": "Marsh", "email": "quentin@example.org",
        "agency": agencies["police"].pk, "job_title": "PC", "roles": [Role.PARTNER_PRACTITIONER.value],
        "password1": "", "password2": ""})
    assert response.status_code == 302
    quentin = User.objects.get(username="quentin")
    assert not quentin.is_active and not quentin.has_usable_password()
    assert AuditEvent.objects.filter(action=AuditAction.INVITE, actor=adam).count() == 1


# --- Password reset and the password rules ------------------------------------------------------------------------

def test_a_password_is_reset_by_email_and_audited(client, alice):
    mail.outbox.clear()
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "kestrel harbour lilac staircase"
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                       {"password1": new, "password2": new})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, actor=alice).count() == 1


def test_reset_requests_are_throttled_and_an_unknown_address_looks_the_same(client, alice):
    mail.outbox.clear()
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert unknown.status_code == 302  # the same answer, so addresses cannot be fished for
    answers = [client.post(reverse("account_reset_password"), {"email": "alice@example.org"}).status_code
               for _ in range(4)]
    assert answers[:3] == [302, 302, 302] and answers[3] == 429
    assert len([m for m in mail.outbox if "alice@example.org" in m.to]) == 3


def test_second_factor_codes_are_throttled(client, alice, required):
    secret = with_totp(alice)
    password_step(client, alice)
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})
    blocked = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert blocked.status_code == 200 and "Too many failed" in blocked.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.parametrize(("password", "problem"), [
    ("short-pass", "too short"),
    ("password1234", "too common"),
    ("alicetest@example.org", "too similar"),
])
def test_the_password_rules_refuse(alice, password, problem):
    with pytest.raises(ValidationError, match=problem):
        validate_password(password, alice)


@pytest.mark.parametrize("password", ["lantern orchard velvet", "abcdefghijkl", "zzzzzzzzzzzzzzzzzz"])
def test_the_password_rules_ask_for_length_not_composition(alice, password):
    validate_password(password, alice)  # no digits, capitals or symbols demanded


def test_signing_in_by_email_address_works_and_locks_out_like_a_username(client, alice, settings):
    assert client.post(reverse("login"), {"login": "alice@example.org", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"login": "alice@example.org", "password": "guess"}, REMOTE_ADDR="10.9.0.1")
    locked = client.post(reverse("login"), {"login": "alice@example.org", "password": PASSWORD},
                         REMOTE_ADDR="10.9.0.1")
    assert locked.status_code == 429
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert failed.actor_username == "alice@example.org"


def test_no_one_signs_themselves_up(client):
    assert client.get("/account/signup/").status_code == 404


# --- Query counts of the new pages --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "queries"), [("login", 0), ("account_reset_password", 0)])
def test_the_entrance_pages_make_no_query(client, name, queries):
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as made:
        assert client.get(reverse(name)).status_code == 200
    assert len(made) == queries


def test_the_code_page_makes_the_same_queries_with_more_factors(client, alice, required):
    """Pinned: the second-factor page reads the person and their factors (one query each, however many)."""
    secret = with_totp(alice)
    password_step(client, alice)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("mfa_authenticate")).status_code == 200
    RecoveryCodes.activate(alice)
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("mfa_authenticate")).status_code == 200
    assert len(one) == len(two)
    assert secret


def test_demo_code_prints_the_demo_logins_current_code():
    from io import StringIO

    from django.core.management import call_command

    from safeguarding.demo import DEMO_TOTP_SECRET

    out = StringIO()
    with time_machine.travel(1_800_000_000, tick=False):
        call_command("demo_code", stdout=out)
        assert out.getvalue().strip() == code_for(DEMO_TOTP_SECRET)


def test_the_invitation_page_makes_a_fixed_number_of_queries(client, invited):
    """Pinned: the link's person, read once to check the token (the page shows only the form)."""
    link = invitations.link_for(invited).split("://", 1)[1].split("/", 1)[1]
    client.get(f"/{link}")
    with CaptureQueriesContext(connection) as made:
        assert client.get(f"/{link}").status_code == 200
    assert len(made) == INVITATION_PAGE_QUERIES, [q["sql"] for q in made]


INVITATION_PAGE_QUERIES = 1


def test_the_factors_page_makes_the_same_queries_however_many_factors(client, alice, required):
    """Pinned: /account/2fa/ (allauth's list of the person's factors) reads them in a fixed number of queries."""
    with_totp(alice)
    client_for(client, alice)
    client.get(reverse("mfa_index"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("mfa_index")).status_code == 200
    RecoveryCodes.activate(alice)
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("mfa_index")).status_code == 200
    assert len(one) == len(two) == FACTORS_PAGE_QUERIES, [q["sql"] for q in two]


FACTORS_PAGE_QUERIES = 5
