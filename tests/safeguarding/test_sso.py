"""Single sign-on by an agency's own OpenID Connect provider (safeguarding/sso.py), end to end against a real provider:
tests/oidc_provider, a separate Django project with django-oauth-toolkit, started here as its own process. The service
fetches its discovery document, exchanges codes at its token endpoint and reads its userinfo over HTTP; the person's
browser is played with requests (tests/e2e/test_sign_in_sso.py drives a real one)."""

import copy
import time
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding import services, sso
from safeguarding.models import AgencyKind, AuditAction, AuditEvent, IdentityProvider
from safeguarding.roles import Role

from ..conftest import PASSWORD, SYSTEM, client_for
from ..oidc_provider.people import COUNCIL, COUNCIL_DOMAIN, PEOPLE, POLICE, POLICE_DOMAIN
from ..oidc_provider.provider import OidcProvider, free_port

pytestmark = pytest.mark.django_db



def _clients(base: str) -> list[dict]:
    return [{"client_id": f"efh-{agency}", "client_secret": f"secret-of-{agency}-0123456789",
             "redirect_uris": [f"{base}/sign-in/sso/{agency}/callback/"]} for agency in (POLICE, COUNCIL)]


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    """One real OpenID Connect provider for the session, with a client for the police and one for the council."""
    provider = OidcProvider(tmp_path_factory.mktemp("idp"), people=copy.deepcopy(PEOPLE),
                            clients=_clients("http://testserver")).start()
    yield provider
    provider.stop()


@pytest.fixture
def provider_people(idp):
    """What the provider says about its people, as it was, after each test."""
    yield idp
    idp.people = copy.deepcopy(PEOPLE)
    idp.write_people()


def _configure(agency, idp, domain, **extra):
    slug = "police" if agency.kind == AgencyKind.POLICE else "council"
    return services.identity_provider_set(
        actor=SYSTEM, agency=agency, issuer=idp.issuer, client_id=f"efh-northfield-{slug}",
        client_secret=f"secret-of-northfield-{slug}-0123456789", email_domains=[domain], **extra)


@pytest.fixture
def providers(agencies, provider_people):
    police = _configure(agencies["police"], provider_people, POLICE_DOMAIN)
    council = _configure(agencies["la"], provider_people, COUNCIL_DOMAIN)
    assert (police.provider_id, council.provider_id) == (POLICE, COUNCIL)
    return {"police": police, "council": council}


@pytest.fixture
def officer(agencies):
    """Invited: an account in the police made by an administrator, with the email the police's provider has."""
    return services.user_create(actor=SYSTEM, username="ruth.harris", agency=agencies["police"],
                                roles=[Role.PARTNER_PRACTITIONER], first_name="Ruth", last_name="Harris",
                                email=PEOPLE["officer"]["email"].upper())  # case is no matter


@pytest.fixture
def councillor(agencies):
    return services.user_create(actor=SYSTEM, username="kiran.patel", agency=agencies["la"],
                                roles=[Role.SOCIAL_WORKER], first_name="Kiran", last_name="Patel",
                                email=PEOPLE["councillor"]["email"])


def sso_sign_in(client, idp, username, *, provider=None, email=None, query=""):
    """From the service's single sign-on page, through the provider's sign-in, back to the service."""
    choice = {"agency": provider.pk} if provider else {"email": email}
    start = client.post(reverse("sign-in-sso") + query, choice)
    assert start.status_code == 302, start.content.decode()[:2000]
    assert start["Location"].startswith(f"{idp.issuer}/authorize/")
    back = urlsplit(idp.sign_in(start["Location"], username))
    assert back.netloc == "testserver"
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def failures():
    """The refused sign-ins' details, oldest first."""
    return list(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id").values_list(
        "detail", flat=True))


# --- Signing in --------------------------------------------------------------------------------------------------

def test_it_binds_an_invited_person_at_their_first_sign_in_and_signs_them_in(client, idp, providers, officer):
    response = sso_sign_in(client, idp, "officer", provider=providers["police"])
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert signed_in_as(client) == str(officer.pk)
    assert client.get(reverse("dashboard")).status_code == 200

    binding = SocialAccount.objects.get(user=officer)
    assert (binding.provider, binding.uid) == (POLICE, PEOPLE["officer"]["sub"])
    bound = AuditEvent.objects.get(action=AuditAction.SSO_BIND)
    assert bound.target_id == str(officer.pk) and bound.actor_username == "system:sso"
    assert bound.detail == {"provider": POLICE, "agency_id": officer.agency_id, "claim": "sub",
                            "subject": PEOPLE["officer"]["sub"]}
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.actor_id == officer.pk and login.agency_id == officer.agency_id
    assert login.detail == {"via": "sso", "provider": POLICE}
    assert client.session[sso.SESSION_KEY] == POLICE
    assert "signed_in_at" in client.session  # the session's limits run from here
    assert not failures()


def test_the_work_email_finds_the_agency_and_next_is_kept(client, idp, providers, officer, shared_case):
    target = reverse("case", args=[shared_case.pk])
    response = sso_sign_in(client, idp, "officer", email=f"someone@{POLICE_DOMAIN.upper()}", query=f"?next={target}")
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200


def test_afterwards_only_the_subject_matches_whatever_email_the_provider_gives(client, idp, providers, officer):
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    client.post(reverse("logout"))
    idp.change("officer", email=f"ruth.harris@{POLICE_DOMAIN}")  # changed at the agency
    assert sso_sign_in(client, idp, "officer", provider=providers["police"]).status_code == 302
    assert signed_in_as(client) == str(officer.pk)
    assert SocialAccount.objects.filter(user=officer).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SSO_BIND).count() == 1


def test_another_account_given_the_same_email_takes_over_no_one(client, idp, providers, officer):
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    client.post(reverse("logout"))
    response = sso_sign_in(client, idp, "officer-again", provider=providers["police"])
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "already linked to a different sign-in" in response.content.decode()
    assert failures()[-1] == {"reason": "already_bound", "via": "sso", "provider": POLICE,
                              "subject": PEOPLE["officer-again"]["sub"]}
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == [PEOPLE["officer"]["sub"]]


def test_someone_never_invited_is_refused_with_a_clear_page(client, idp, providers, officer):
    response = sso_sign_in(client, idp, "stranger", provider=providers["police"])
    page = response.content.decode()
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "<title>Error: You could not be signed in" in page
    assert "There is no account in this service for the person you signed in as" in page
    assert "Northfield Police" in page and reverse("login") in page
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor_id is None and event.actor_username == PEOPLE["stranger"]["email"]
    assert event.detail == {"reason": "not_invited", "via": "sso", "provider": POLICE,
                            "subject": PEOPLE["stranger"]["sub"]}
    assert not SocialAccount.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_an_email_the_provider_calls_unverified_binds_no_one(client, idp, providers, agencies):
    services.user_create(actor=SYSTEM, username="tom.shaw", agency=agencies["police"],
                         roles=[Role.PARTNER_PRACTITIONER], email=PEOPLE["unverified"]["email"])
    response = sso_sign_in(client, idp, "unverified", provider=providers["police"])
    assert response.status_code == 403 and signed_in_as(client) is None
    assert failures()[-1]["reason"] == "email_unverified"
    assert not SocialAccount.objects.exists()


def test_a_person_of_another_agency_is_never_signed_in_by_its_provider(client, idp, providers, officer, councillor):
    # A council social worker at the police's provider: the police's provider does not speak for the council's emails.
    response = sso_sign_in(client, idp, "councillor", provider=providers["police"])
    assert response.status_code == 403 and failures()[-1]["reason"] == "other_domain"
    # Even if an administrator listed the council's domain for the police's provider, only police people are matched.
    services.identity_provider_set(actor=SYSTEM, agency=providers["police"].agency, issuer=idp.issuer,
                                   client_id="efh-northfield-police", email_domains=[POLICE_DOMAIN, COUNCIL_DOMAIN])
    response = sso_sign_in(client, idp, "councillor", provider=providers["police"])
    assert response.status_code == 403 and failures()[-1]["reason"] == "not_invited"
    # The police officer's subject, coming through the council's provider, is not the officer's binding either.
    response = sso_sign_in(client, idp, "officer", provider=providers["council"])
    assert response.status_code == 403 and failures()[-1]["reason"] == "other_domain"
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()
    # The council's own person signs in by the council's provider.
    assert sso_sign_in(client, idp, "councillor", provider=providers["council"]).status_code == 302
    assert signed_in_as(client) == str(councillor.pk)


def test_a_bound_person_moved_to_another_agency_is_refused_by_the_old_agencys_provider(
        client, idp, providers, officer, agencies):
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    client.post(reverse("logout"))
    services.user_update(actor=SYSTEM, user=officer, agency=agencies["school"])
    response = sso_sign_in(client, idp, "officer", provider=providers["police"])
    assert response.status_code == 403 and signed_in_as(client) is None
    assert failures()[-1]["reason"] == "other_agency"


def test_deactivating_a_person_ends_their_sso_session_and_refuses_the_next(client, idp, providers, officer):
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    assert services.user_deactivate(actor=SYSTEM, user=officer) == 1
    assert client.get(reverse("dashboard")).status_code == 302
    response = sso_sign_in(client, idp, "officer", provider=providers["police"])
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "has been deactivated" in response.content.decode()
    assert failures()[-1]["reason"] == "deactivated"


def test_an_invited_person_deactivated_before_their_first_sign_in_is_not_bound(client, idp, providers, officer):
    services.user_deactivate(actor=SYSTEM, user=officer)
    response = sso_sign_in(client, idp, "officer", provider=providers["police"])
    assert response.status_code == 403 and failures()[-1]["reason"] == "deactivated"
    assert not SocialAccount.objects.exists()


def test_a_provider_switched_off_signs_no_one_in(client, idp, providers, officer):
    start = client.post(reverse("sign-in-sso"), {"agency": providers["police"].pk})
    services.identity_provider_set(actor=SYSTEM, agency=providers["police"].agency, issuer=idp.issuer,
                                   client_id="efh-northfield-police", email_domains=[POLICE_DOMAIN], is_active=False)
    back = urlsplit(idp.sign_in(start["Location"], "officer"))
    assert client.get(f"{back.path}?{back.query}").status_code == 404  # no such provider now
    assert signed_in_as(client) is None
    page = client.get(reverse("sign-in-sso")).content.decode()
    assert "Northfield Police" not in page and "Northfield Council" in page


def test_the_idle_and_absolute_limits_apply_to_sso_sessions(client, idp, providers, officer):
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    session = client.session
    session["last_seen_at"] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("login") + "?timeout=1"
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).detail["reason"] == "idle_timeout"
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    session = client.session
    session["signed_in_at"] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() - 5
    session.save()
    assert client.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).latest("id").detail["reason"] == "session_expired"


def test_a_forged_or_replayed_callback_signs_no_one_in_and_is_audited(client, idp, providers, officer):
    start = client.post(reverse("sign-in-sso"), {"agency": providers["police"].pk})
    back = urlsplit(idp.sign_in(start["Location"], "officer"))
    forged = client.get(reverse("openid_connect_callback", args=[POLICE]), {"code": "made-up", "state": "made-up"})
    assert forged.status_code == 400 and "<title>Error: " in forged.content.decode()
    assert failures()[-1] == {"reason": "provider_error", "via": "sso", "provider": POLICE, "subject": ""}
    assert client.get(f"{back.path}?{back.query}").status_code == 302  # the real one still works, once
    replayed = client.get(f"{back.path}?{back.query}")
    assert replayed.status_code == 400 and failures()[-1]["reason"] == "provider_error"


def test_cancelling_at_the_provider_says_so(client, providers):
    start = client.post(reverse("sign-in-sso"), {"agency": providers["police"].pk})
    state = dict(p.split("=", 1) for p in urlsplit(start["Location"]).query.split("&"))["state"]
    response = client.get(reverse("openid_connect_callback", args=[POLICE]),
                          {"error": "access_denied", "state": state})
    assert "You cancelled signing in" in response.content.decode() and signed_in_as(client) is None
    assert failures()[-1]["reason"] == "cancelled"


def test_an_unknown_provider_is_not_found(client, providers):
    assert client.get(reverse("openid_connect_callback", args=["nobody"]), {"code": "x", "state": "y"}
                      ).status_code == 404


def test_signed_in_by_sso_says_how_the_session_began(client, rf, idp, providers, officer, alice):
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    request = rf.get("/")
    request.session = client.session
    assert sso.signed_in_by_sso(request)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"login": "alice", "password": PASSWORD})
    request.session = client.session
    assert signed_in_as(client) == str(alice.pk) and not sso.signed_in_by_sso(request)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("id").detail == {}


# --- The single sign-on page ---------------------------------------------------------------------------------------

def test_the_sign_in_page_links_to_single_sign_on(client):
    page = client.get(reverse("login") + "?next=/cases/").content.decode()
    assert f'href="{reverse("sign-in-sso")}?next=/cases/"' in page


def test_the_page_lists_the_agencies_and_lets_their_forms_reach_the_provider(client, idp, providers):
    response = client.get(reverse("sign-in-sso"))
    page = response.content.decode()
    assert response.status_code == 200 and "Northfield Council" in page and "Northfield Police" in page
    assert "secret-of" not in page and "efh-northfield" not in page
    form_action = next(d for d in response["Content-Security-Policy"].split(";") if "form-action" in d)
    assert "'self'" in form_action and sso.origin(idp.issuer) in form_action


def test_the_page_says_what_is_wrong_without_failing(client, providers):
    url = reverse("sign-in-sso")
    for data, message in [({}, "Enter your work email address, or choose your agency"),
                          ({"email": "someone@example.org"}, "No agency signs in to this service with that email"),
                          ({"email": "not an email"}, "Enter a valid email address"),
                          ({"agency": "999999"}, "Select a valid choice")]:
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 200 and "<title>Error: " in page and message in page, data
        assert "govuk-error-summary" in page


def test_a_provider_that_does_not_answer_is_said_so(client, agencies, providers):
    services.identity_provider_set(actor=SYSTEM, agency=agencies["police"], client_id="efh-northfield-police",
                                   issuer=f"http://127.0.0.1:{free_port()}/o", email_domains=[POLICE_DOMAIN])
    response = client.post(reverse("sign-in-sso"), {"email": f"r.harris@{POLICE_DOMAIN}"})
    page = response.content.decode()
    assert response.status_code == 200 and "Northfield Police&#x27;s sign-in is not answering" in page
    assert "<title>Error: " in page


def test_someone_signed_in_goes_to_their_dashboard(client, alice):
    client.force_login(alice)
    assert client.get(reverse("sign-in-sso"))["Location"] == reverse("dashboard")


def test_the_page_makes_the_same_queries_however_many_agencies_sign_in_this_way(client, agencies, idp, providers):
    # session (none yet: no query), the providers with their agencies (one query), and nothing per agency.
    def count():
        client.get(reverse("sign-in-sso"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("sign-in-sso")).status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    few = count()
    assert len(few) == 1 and "safeguarding_identityprovider" in few[0], few
    for n in range(6):
        agency = services.agency_create(actor=SYSTEM, name=f"Northfield School {n}", kind=AgencyKind.EDUCATION)
        services.identity_provider_set(actor=SYSTEM, agency=agency, issuer=idp.issuer, client_id=f"school-{n}",
                                       client_secret="s" * 20, email_domains=[f"school{n}.example.sch.uk"])
    many = count()
    assert len(many) == len(few), many
    assert client.get(reverse("sign-in-sso")).content.decode().count('name="agency"') == 8


# --- Recording an agency's provider --------------------------------------------------------------------------------

def test_recording_a_provider_keeps_the_secret_out_of_the_audit_and_history(agencies, adam):
    provider = services.identity_provider_set(
        actor=adam, agency=agencies["police"], issuer="https://login.microsoftonline.com/tenant/v2.0/",
        client_id="1f0c", client_secret="a-very-secret-value", email_domains=[" @Northfield.Police.UK ", ""])
    assert provider.issuer == "https://login.microsoftonline.com/tenant/v2.0"
    assert provider.email_domains == ["northfield.police.uk"] and provider.provider_id == "northfield-police"
    services.identity_provider_set(actor=adam, agency=agencies["police"], issuer=provider.issuer, client_id="1f0c",
                                   client_secret="", email_domains=["northfield.police.uk"])
    assert IdentityProvider.objects.get().client_secret == "a-very-secret-value"  # empty keeps it
    services.identity_provider_set(actor=adam, agency=agencies["police"], issuer=provider.issuer, client_id="1f0c",
                                   client_secret="a-new-secret", email_domains=["northfield.police.uk"])
    events = AuditEvent.objects.filter(target_id=str(provider.pk), action__in=[AuditAction.CREATE, AuditAction.UPDATE])
    assert [e.detail["fields"] for e in events.order_by("id")] == [
        ["client_id", "email_domains", "issuer"], [], ["client_secret"]]
    assert "secret" not in repr(provider).lower()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM safeguarding_identityproviderevent")
        assert not any("secret" in str(value) for row in cursor.fetchall() for value in row)


@pytest.mark.parametrize("domains", [[], ["northfield police"], ["someone@northfield.police.uk"]])
def test_a_provider_needs_real_email_domains(agencies, adam, domains):
    with pytest.raises(ValidationError):
        services.identity_provider_set(actor=adam, agency=agencies["police"], issuer="https://idp.example.org",
                                       client_id="x", client_secret="y", email_domains=domains)


def test_the_claim_people_are_matched_on_cannot_change_once_anyone_is_bound(client, idp, providers, officer):
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    with pytest.raises(ValidationError):
        services.identity_provider_set(actor=SYSTEM, agency=officer.agency, issuer=idp.issuer,
                                       client_id="efh-northfield-police", email_domains=[POLICE_DOMAIN],
                                       uid_claim="oid")


def test_only_the_service_binds_and_only_an_administrator_unbinds(client, idp, providers, officer, adam, mandy):
    with pytest.raises(PermissionDenied):
        services.sso_account_bind(actor=adam, user=officer, identity_provider=providers["police"], uid="x",
                                  claims={})
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    with pytest.raises(PermissionDenied):
        services.sso_account_unbind(actor=mandy, user=officer)
    assert services.sso_account_unbind(actor=adam, user=officer) == 1
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(officer.pk)).latest("id").detail == {
        "sso_unbound": [POLICE]}
    # Unbound, the person is bound again (to whichever account of theirs signs in first) at their next sign-in.
    client.post(reverse("logout"))
    assert sso_sign_in(client, idp, "officer-again", provider=providers["police"]).status_code == 302
    assert SocialAccount.objects.get(user=officer).uid == PEOPLE["officer-again"]["sub"]


def test_the_admin_never_shows_a_secret_and_gives_the_redirect_uri(client, agencies, adam):
    provider = services.identity_provider_set(actor=SYSTEM, agency=agencies["police"], issuer="https://idp.example.org",
                                              client_id="x", client_secret="a-very-secret-value",
                                              email_domains=[POLICE_DOMAIN])
    client_for(client, adam)
    page = client.get(reverse("admin:safeguarding_identityprovider_change", args=[provider.pk])).content.decode()
    assert "a-very-secret-value" not in page
    assert f"{settings.SITE_URL}/sign-in/sso/{POLICE}/callback/" in page
    # allauth's own pages, which would write bindings unaudited and show secrets, are not in the admin.
    assert client.get("/admin/socialaccount/socialapp/").status_code == 404
    assert client.get("/admin/socialaccount/socialaccount/").status_code == 404


def test_an_entra_style_provider_matches_on_oid(client, idp, providers, councillor):
    services.identity_provider_set(actor=SYSTEM, agency=councillor.agency, issuer=idp.issuer,
                                   client_id="efh-northfield-council", email_domains=[COUNCIL_DOMAIN], uid_claim="oid")
    assert sso_sign_in(client, idp, "councillor", provider=providers["council"]).status_code == 302
    assert signed_in_as(client) == str(councillor.pk)
    assert SocialAccount.objects.get(user=councillor).uid == PEOPLE["councillor"]["oid"]


def test_a_provider_that_leaves_out_the_claim_is_refused_not_a_500(client, idp, providers, officer):
    services.identity_provider_set(actor=SYSTEM, agency=officer.agency, issuer=idp.issuer,
                                   client_id="efh-northfield-police", email_domains=[POLICE_DOMAIN], uid_claim="oid")
    response = sso_sign_in(client, idp, "officer", provider=providers["police"])  # the officer has no oid there
    assert response.status_code == 400 and signed_in_as(client) is None
    assert failures()[-1]["reason"] == "provider_error" and not SocialAccount.objects.exists()


def test_an_administrator_records_a_provider_in_the_admin(client, agencies, adam):
    client_for(client, adam)
    response = client.post(reverse("admin:safeguarding_identityprovider_add"), {
        "agency": agencies["school"].pk, "issuer": "login.example.org/academy/v2.0", "client_id": "efh-academy",
        "client_secret": "academy-secret-0123456789", "uid_claim": "sub", "email_domains": "academy.example.sch.uk",
        "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    provider = IdentityProvider.objects.get(agency=agencies["school"])
    assert (provider.issuer, provider.provider_id) == ("https://login.example.org/academy/v2.0", "northfield-academy")
    assert AuditEvent.objects.get(action=AuditAction.CREATE, actor=adam, target_id=str(provider.pk))
    response = client.post(reverse("admin:safeguarding_identityprovider_add"), {
        "agency": agencies["police"].pk, "issuer": "https://login.example.org/police", "client_id": "x",
        "client_secret": "", "uid_claim": "sub", "email_domains": POLICE_DOMAIN, "is_active": "on"})
    assert response.status_code == 200 and "Enter the client secret" in response.content.decode()


def test_the_callback_makes_a_fixed_number_of_queries_for_a_bound_person(client, idp, providers, officer):
    """Pinned: a returning person's callback (after the provider's token and userinfo answers, which are HTTP, not
    queries): their binding and account, the session, the sign-in's audit event and the session's own row."""
    sso_sign_in(client, idp, "officer", provider=providers["police"])
    client.post(reverse("logout"))
    start = client.post(reverse("sign-in-sso"), {"agency": providers["police"].pk})
    back = urlsplit(idp.sign_in(start["Location"], "officer"))
    with CaptureQueriesContext(connection) as made:
        response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302 and signed_in_as(client) == str(officer.pk)
    assert len(made) == CALLBACK_QUERIES, "\n".join(q["sql"][:200] for q in made)


CALLBACK_QUERIES = 26  # 30 before the providers were read once a request
