"""Partner API clients: their credentials, how a call proves it is one, what its scopes let it ask, how often it may
call, and how its pages are cut (safeguarding.api holds the rest of the API's machinery).

Kept apart from ``safeguarding.api`` because DRF reads these classes from its settings while its own views module
loads: this module imports no DRF view.
"""

import hashlib
import hmac
import secrets
from dataclasses import replace

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from . import audit
from .models import ApiClient, AuditAction
from .request_origin import _origin, origin

READ, WRITE = "read", "write"
SCOPE_LEVELS = (READ, WRITE)

# The resources a client may be given a scope on: every app's route under /api/v1/ (the names webhooks point at).
RESOURCES = (
    "young-people", "cases", "chronology-entries", "places", "peer-groups", "place-links", "associations",
    "memberships", "assessments", "contribution-requests", "meetings", "agenda-items", "actions", "referrals",
)


# --- Credentials --------------------------------------------------------------------------------------------------

def hash_secret(secret: str) -> str:
    """A secret of 256 random bits needs no slow hash to resist guessing: sha256 is enough, and cheap per call."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_credential() -> tuple[str, str]:
    """A new key id (public, names the client in logs) and secret (shown once, stored hashed)."""
    return f"efh_{secrets.token_hex(8)}", secrets.token_urlsafe(32)


def clean_scopes(scopes: dict) -> dict:
    """``scopes`` checked: known resources only, each ``read`` or ``write``."""
    if not isinstance(scopes, dict) or not scopes:
        raise DjangoValidationError({"scopes": "Give the client read or write on at least one resource."})
    unknown = sorted(set(scopes) - set(RESOURCES))
    if unknown:
        raise DjangoValidationError({"scopes": f"Unknown resources: {', '.join(unknown)}."})
    bad = sorted(name for name, level in scopes.items() if level not in SCOPE_LEVELS)
    if bad:
        raise DjangoValidationError({"scopes": f"Each scope is read or write: {', '.join(bad)}."})
    return dict(sorted(scopes.items()))


class ClientAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key_id>.<secret>``: the client, if its credential is right, unexpired, unrevoked and
    its agency and account are active. One query (client, account and agency together)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if len(header) != 2 or header[0].lower() != b"bearer":
            raise exceptions.AuthenticationFailed("Send the credential as: Authorization: Bearer <key id>.<secret>")
        try:
            key_id, secret = header[1].decode("ascii").split(".", 1)
        except (UnicodeDecodeError, ValueError):
            raise exceptions.AuthenticationFailed("The credential is not valid.") from None
        client = ApiClient.objects.select_related("user__agency").filter(key_id=key_id[:24]).first()
        if client is None or not hmac.compare_digest(client.secret_hash, hash_secret(secret)):
            self._refuse(client, "bad_credentials")
        if not client.is_usable or not client.user.is_active or not client.user.agency.is_active:
            self._refuse(client, "revoked" if client.revoked_at else "expired" if client.expires_at <= timezone.now()
                         else "inactive")
        # Every audit row written while this request is handled names the client (reset by AuditContextMiddleware).
        _origin.set(replace(origin(), api_client=client.key_id))
        return client.user, client

    @staticmethod
    def _refuse(client, reason: str):
        if client is not None:  # a real key id with a wrong secret, or a credential no longer valid: worth a record
            audit._write(actor=None, username=client.user.get_username(), action=AuditAction.LOGIN_FAILED,
                         target=client, detail={"reason": reason, "api_client": client.key_id})
        raise exceptions.AuthenticationFailed("The credential is not valid, has expired or has been revoked.")

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The client holds a scope on the view's ``resource``: ``read`` for reading, ``write`` for anything else."""

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated("Send a client credential: Authorization: Bearer <key id>.<secret>")
        held = client.scopes.get(view.resource)
        wanted = READ if request.method in SAFE_METHODS else WRITE
        if held == WRITE or held == wanted:
            return True
        raise exceptions.PermissionDenied(f"This client has no {wanted} scope on {view.resource}.")


class ClientThrottle(SimpleRateThrottle):
    """``API_THROTTLE_RATE`` calls per client, counted in Redis so every web process shares one count."""

    scope = "client"

    @property
    def cache(self):
        return caches["api"]

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = request.auth
        return f"throttle:{client.key_id}" if isinstance(client, ApiClient) else None


class Cursor(CursorPagination):
    """Newest first, by id: a position that stays right while rows are added, and a page read along the primary key
    with one grant probe a row, whatever the offset (no count)."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 100
