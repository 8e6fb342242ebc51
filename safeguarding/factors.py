"""Second factors: who must have one, the step-up before sensitive work, and allauth's hooks into the kernel.

Password sign-in is django-allauth's (``allauth.account``), second factors its ``allauth.mfa``: TOTP, passkeys
(WebAuthn) and recovery codes. This module decides what allauth cannot know:

- whether a person must have a second factor: their agency requires one (``Agency.mfa_required``, on by default) and
  they did not sign in through their agency's identity provider (``signed_in_by_sso``, the single sign-on hook);
  ``FactorRequiredMiddleware`` sends such a person without one to set one up before any other page;
- the **step-up** (``fresh_factor_required``): a second factor given within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
  before exports, the audit search and every administration page;
- the audit of what allauth does (factors added, removed and failed; passwords reset and changed).
"""

import logging
import time
from functools import wraps
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from . import audit
from .models import AuditAction

log = logging.getLogger(__name__)

# The kinds of factor that count as a second factor (recovery codes only stand in for a lost one).
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Whether the session's person has a second factor, read once a session and then kept in it (no query a page). Kept
# true to the database: a factor added or removed in the session updates it (``on_factor_added``/``_removed``), and
# an administrator's reset ends every session of the person (services.user_factors_reset).
SESSION_KEY = "has_factor"
# allauth's name for a sign-in through an identity provider in the session's authentication records.
SSO_METHOD = "socialaccount"


def typed_login(request, credentials) -> str:
    """What the person typed to sign in (username or email address): Axes keys its lockouts on it."""
    credentials = credentials or {}
    typed = credentials.get("username") or credentials.get("email")
    if not typed and request is not None:
        typed = request.POST.get("login") or request.POST.get("username")
    return str(typed or "")[:150]


def signed_in_by_sso(request) -> bool:
    """Whether this session was signed in by the person's agency's identity provider (OpenID Connect), which asks for
    its own second factor: the service then asks for none. The single sign-on hook; safeguarding.sso decides."""
    from .sso import signed_in_by_sso as by_provider

    return by_provider(request)


def has_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()


def session_has_factor(request) -> bool:
    """``has_factor`` for the signed-in person, asked of the database once a session."""
    known = request.session.get(SESSION_KEY)
    if known is None:
        known = request.session[SESSION_KEY] = has_factor(request.user)
    return known


def factor_required(request) -> bool:
    """The signed-in person must have a second factor before using the service."""
    user = request.user
    return bool(user.is_authenticated and getattr(user, "agency", None) is not None and user.agency.mfa_required
                and not signed_in_by_sso(request))


def _exempt(path: str) -> bool:
    """Pages a person without a second factor may still open: setting one up, signing out, static files."""
    return path.startswith(("/account/", "/sign-in/", "/sign-out/", "/invitation/", settings.STATIC_URL, "/healthz"))


class FactorRequiredMiddleware:
    """A password user of an agency requiring a second factor, without one, is sent to set one up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if factor_required(request) and not session_has_factor(request):
            if _exempt(request.path):
                request.factor_setup_pending = True  # base.html shows no menu: nothing else is open yet
                return self.get_response(request)
            target = reverse("mfa_index")
            if getattr(request, "htmx", False):
                # A part of the setting-up page itself (the header's notification count): nothing to show yet.
                if _exempt(urlsplit(request.htmx.current_url or "").path):
                    return HttpResponse(status=204)
                return HttpResponseClientRedirect(target)
            messages.info(request, "Your agency requires a second factor. Set one up to carry on.")
            return redirect(target)
        return self.get_response(request)


def fresh_factor(request) -> bool:
    """The person gave a second factor (or, with none set up, their password) within the step-up window, in this
    session: signing in with it counts, as does confirming it again."""
    window = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    methods = {"mfa"} if session_has_factor(request) else {"password", SSO_METHOD}
    times = [r.get("at", 0) for r in get_authentication_records(request, request.user) if r.get("method") in methods]
    return bool(times) and time.time() - max(times) < window


def step_up(request):
    """None when the person's second factor is fresh; otherwise where to confirm it (allauth's reauthentication:
    their factor, or their password if they have none), from which they come back, a form they sent carried over.
    For a view that must first find the record (a download: not visible is 404 before anything else)."""
    if not request.user.is_authenticated or fresh_factor(request):
        return None
    if signed_in_by_sso(request) and not session_has_factor(request):
        # No password or factor of ours to confirm: signing in again at their agency's provider is the step-up.
        return redirect(f"{reverse('sign-in-sso')}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
    target = reverse("mfa_reauthenticate" if session_has_factor(request) else "account_reauthenticate")
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
    return suspend_request(request, target)


def fresh_factor_required(view):
    """Step-up: before exports, the audit search and administration, a second factor given in the last few minutes
    (``STEP_UP_SECONDS``); see ``step_up``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return step_up(request) or view(request, *args, **kwargs)

    wrapped.step_up = True
    return wrapped


class AccountAdapter(DefaultAccountAdapter):
    """People are invited by an administrator, never sign themselves up."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "Enter a correct username and password. Both are case-sensitive.",
        "email_password_mismatch": "Enter a correct email address and password. The password is case-sensitive.",
        "account_inactive": "This account has been deactivated. Ask your service administrator.",
    }

    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        """Wrong passwords are throttled by Axes (per username and address, in the database, with its lockout page),
        not also by allauth's counter: one lockout for passwords. allauth's still throttles second-factor codes."""

    def send_mail(self, template_prefix, email, context):
        context.setdefault("service_name", settings.SERVICE_NAME)
        super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self):
        return settings.SERVICE_NAME

    def can_delete_authenticator(self, authenticator):
        """The last second factor of a person whose agency requires one cannot be removed (an administrator resets
        factors instead: services.user_factors_reset)."""
        user = authenticator.user
        if authenticator.type in FACTOR_TYPES and user.agency.mfa_required:
            others = Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exclude(pk=authenticator.pk)
            return others.exists()
        return True


# --- The audit of what allauth does (connected in apps.py) ---------------------------------------------------------

def _remember(request, value):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = value


def on_factor_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type in FACTOR_TYPES:
        _remember(request, True)
    audit.record(actor=user, action=AuditAction.FACTOR_ADDED, target=user, detail={"type": authenticator.type})


def on_factor_removed(sender, request, user, authenticator, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)  # asked again on the next page
    audit.record(actor=user, action=AuditAction.FACTOR_REMOVED, target=user, detail={"type": authenticator.type})


def on_factor_reset(sender, request, user, authenticator, **kwargs):
    audit.record(actor=user, action=AuditAction.FACTOR_ADDED, target=user,
                 detail={"type": authenticator.type, "regenerated": True})


def on_factor_failed(sender, request, user, authenticator=None, **kwargs):
    """A wrong code or key: nobody is signed in yet, so the event names the person the first factor identified."""
    audit._write(actor=None, username=user.get_username(), action=AuditAction.FACTOR_FAILED,
                 detail={"type": getattr(authenticator, "type", ""),
                         "reauthentication": bool(kwargs.get("reauthentication"))})


def on_factor_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type in FACTOR_TYPES:
        _remember(request, True)


def on_password_reset(sender, request, user, **kwargs):
    audit.record(actor=user, action=AuditAction.PASSWORD_RESET, target=user)


def on_password_changed(sender, request, user, **kwargs):
    audit.record(actor=user, action=AuditAction.PASSWORD_CHANGE, target=user)
