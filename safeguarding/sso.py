"""Single sign-on: each agency may sign its people in with its own OpenID Connect provider (a council's Entra ID, a
police force's), through django-allauth's ``openid_connect`` provider.

- An agency's provider is an ``IdentityProvider`` row (issuer, client, the claim to match, the email domains it
  speaks for), recorded by an administrator (``services.identity_provider_set``). The adapter below turns the active
  rows into allauth's apps, one per agency, each with its own ``provider_id``; the secret stays in that table.
- Nobody signs up. A person exists first (invited: an account an administrator made, in their agency, with their work
  email). At their first sign-in by their agency's provider they are **bound** to its stable subject (``sub``, or
  Entra's ``oid``), once and audited, if the provider's email for them is in the agency's domains, not said to be
  unverified, and is the email on exactly one active account of THAT agency not already bound. From then on only the
  subject matches: an email changed or reused at the provider takes over no one.
- A subject is only ever looked up under the provider it came from (allauth's SocialAccount is unique on provider and
  subject), and the person it finds must still be active and still in that provider's agency: agency A's provider can
  never sign in a person of agency B.
- Every sign-in and refusal is audited like a password one; sessions are the same sessions (idle and absolute limits,
  ended when a person is deactivated). ``signed_in_by_sso`` tells the second-factor check that the agency's provider
  has already done that job.
"""

from urllib.parse import urlsplit

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from . import access, audit, services
from .models import IdentityProvider, UidClaim, User

SESSION_KEY = "sso_provider"
SYSTEM = access.system("sso")

# Why a sign-in was refused: the code goes to the audit log, the words to the person. None says whether an account
# exists for what the provider sent: only the person's administrator can tell them that.
REFUSALS = {
    "not_invited": "There is no account in this service for the person you signed in as at your agency.",
    "deactivated": "Your account in this service has been deactivated.",
    "other_agency": "Your account in this service does not belong to the agency you signed in with.",
    "other_domain": "Your agency's sign-in did not give a work email address that this service accepts for it.",
    "email_unverified": "Your agency's sign-in says your email address is not verified.",
    "no_email": "Your agency's sign-in did not give your email address.",
    "already_bound": "Your account in this service is already linked to a different sign-in at your agency.",
    "provider_off": "Your agency does not sign in to this service this way at the moment.",
    "not_sign_in": "This service only accepts a sign-in from your agency's provider.",
    "provider_error": "We could not finish signing you in with your agency's account.",
    "cancelled": "You cancelled signing in with your agency's account.",
}


# --- What other parts of the service ask ------------------------------------------------------------------------

def signed_in_by_sso(request) -> bool:
    """Whether the person on this request signed in through their agency's identity provider (which did the second
    factor, if any, as their agency requires): the password sign-in's second factor is not asked of them."""
    if getattr(request, "sign_in_via", None):  # this very request is completing a single sign-on
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))


def on_logged_in(sender, request, user, **kwargs):
    """Mark the session with the provider that signed it in (and unmark one signed in again by password)."""
    if request is None or not hasattr(request, "session"):
        return
    via = getattr(request, "sign_in_via", None)
    if via:
        request.session[SESSION_KEY] = via["provider"]
    else:
        request.session.pop(SESSION_KEY, None)


def providers_for_sign_in():
    """The agencies' providers someone may sign in with now: active, of active agencies, in agency order."""
    return IdentityProvider.objects.filter(is_active=True, agency__is_active=True).select_related("agency").order_by(
        "agency__name")


def provider_for_email(email: str) -> IdentityProvider | None:
    """The provider that speaks for ``email``'s domain, if one does."""
    domain = email.strip().rsplit("@", 1)[-1].lower()
    return providers_for_sign_in().filter(email_domains__contains=[domain]).first() if domain else None


def social_app(provider: IdentityProvider) -> SocialApp:
    """allauth's app for an agency's provider, built in memory (never stored: the secret has one home)."""
    return SocialApp(
        provider="openid_connect", provider_id=provider.provider_id, name=provider.agency.name[:40],
        client_id=provider.client_id, secret=provider.client_secret,
        # Entra ID's oid is in its ID token but not its userinfo answer: matched on it, the ID token is what is read.
        settings={"server_url": provider.issuer, "uid_field": provider.uid_claim, "oauth_pkce_enabled": True,
                  "fetch_userinfo": provider.uid_claim == UidClaim.SUB},
    )


def origin(url: str) -> str:
    """``https://login.example.org`` of a provider's URL: where its sign-in page is (the CSP's form-action)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class ProviderUnavailable(Exception):
    """The agency's provider did not answer (or answered nonsense) when a sign-in began."""


def begin(request, provider: IdentityProvider, next_url: str | None = None):
    """Send the browser to ``provider`` to sign in, to come back to the callback (and then ``next_url``)."""
    from allauth.socialaccount.adapter import get_adapter

    allauth_provider = get_adapter(request).get_provider(request, provider.provider_id)
    try:
        return allauth_provider.redirect(request, process=AuthProcess.LOGIN, next_url=next_url)
    except (requests.RequestException, OAuth2Error, KeyError, ValueError) as exc:
        raise ProviderUnavailable(provider.provider_id) from exc


def callback(request, provider_id: str):
    """allauth's OpenID Connect callback. A provider that leaves out the claim people are matched on (allauth reads it
    with a bare lookup) is refused like any provider error, not answered with a 500."""
    from allauth.socialaccount.providers.openid_connect import views as oidc_views

    try:
        return oidc_views.callback(request, provider_id)
    except KeyError:
        try:
            _refuse(request, _active_provider(provider_id, request), "provider_error", status=400)
        except ImmediateHttpResponse as refused:
            return refused.response


# --- allauth's hooks --------------------------------------------------------------------------------------------

def _claims(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def _refuse(request, provider: IdentityProvider | None, code: str, *, username: str = "", subject: str = "",
            status: int = 403):
    audit.record_failed_sign_in(username=username, detail={
        "reason": code, "via": "sso", "provider": provider.provider_id if provider else "", "subject": subject})
    raise ImmediateHttpResponse(render(request, "registration/sso_refused.html", {
        "reason": REFUSALS[code], "code": code, "agency": provider.agency if provider else None}, status=status))


def _providers(request) -> list[IdentityProvider]:
    """``providers_for_sign_in``, read once a request: allauth asks for its apps several times in one callback."""
    if request is None:
        return list(providers_for_sign_in())
    if not hasattr(request, "_sso_providers"):
        request._sso_providers = list(providers_for_sign_in())
    return request._sso_providers


def _active_provider(provider_id: str, request=None) -> IdentityProvider | None:
    return next((p for p in _providers(request) if p.provider_id == provider_id), None)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth's social sign-in, narrowed to invited people of the provider's own agency."""

    def list_apps(self, request, provider=None, client_id=None):
        return [social_app(p) for p in _providers(request)
                if (not provider or provider == "openid_connect" or p.provider_id == provider)
                and (not client_id or p.client_id == client_id)]

    def is_open_for_signup(self, request, sociallogin):
        return False  # people are invited; never made by signing in

    def is_auto_signup_allowed(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        """Decide who this is before allauth signs anyone in: refuse (audited, with a clear page), or let the
        subject's bound person in, binding an invited person at their first sign-in."""
        provider = _active_provider(sociallogin.account.provider, request)
        claims = _claims(sociallogin)
        email = str(claims.get("email") or "")[:254]
        subject = str(sociallogin.account.uid)
        if provider is None:
            _refuse(request, None, "provider_off", username=email, subject=subject)
        if sociallogin.state.get("process") != AuthProcess.LOGIN:
            _refuse(request, provider, "not_sign_in", username=email, subject=subject)
        if sociallogin.is_existing:
            user = sociallogin.user
        else:
            user = self._bind(request, provider, sociallogin, email, claims)
        if user.agency_id != provider.agency_id:
            _refuse(request, provider, "other_agency", username=user.username, subject=subject)
        if not user.is_active:
            _refuse(request, provider, "deactivated", username=user.username, subject=subject)
        request.sign_in_via = {"via": "sso", "provider": provider.provider_id}

    def _bind(self, request, provider: IdentityProvider, sociallogin, email: str, claims: dict) -> User:
        subject = str(sociallogin.account.uid)

        def refuse(code, username=email):
            _refuse(request, provider, code, username=username, subject=subject)

        if not email or "@" not in email:
            refuse("no_email")
        if "email_verified" in claims and not parse_bool_safely(claims["email_verified"]):
            refuse("email_unverified")
        if email.rsplit("@", 1)[1].lower() not in provider.email_domains:
            refuse("other_domain")
        people = list(User.objects.filter(agency=provider.agency, email__iexact=email)[:2])
        if len(people) != 1:
            # Nobody (or, against the rules, two people) has this email at this agency. A person of another agency
            # with it is no concern of this provider's.
            refuse("not_invited")
        [person] = people
        if not person.is_active:
            refuse("deactivated", person.username)
        try:
            account = services.sso_account_bind(actor=SYSTEM, user=person, identity_provider=provider, uid=subject,
                                                claims=sociallogin.account.extra_data)
        except (ValidationError, PermissionDenied):
            refuse("already_bound", person.username)
        sociallogin.account = account
        sociallogin.user = person
        return person

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """The provider refused, the person cancelled, the state did not match or the provider did not answer:
        audited, and a page that says what to do (never allauth's own, never a 500)."""
        provider_id = getattr(getattr(provider, "app", None), "provider_id", "") if provider else ""
        ours = _active_provider(provider_id, request) if provider_id else None
        code = "cancelled" if error == "cancelled" else "provider_error"
        _refuse(request, ours, code, status=400 if code == "provider_error" else 200)
