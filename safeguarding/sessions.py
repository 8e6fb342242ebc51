"""Session lifetime: signed out after a spell of inactivity, and after a fixed time however active.

Pages shown inside a session are never kept by a browser or proxy cache (a shared computer in an office
must not show the next person a child's record from its history).
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

# Saving the session on every request would cost a write per page; a minute's precision is enough.
_TOUCH_EVERY = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get("signed_in_at", now)
            last = session.get("last_seen_at", now)
            idle = now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or expired:
                request.logout_reason = "idle_timeout" if idle else "session_expired"
                logout(request)
                target = f"{reverse(settings.LOGIN_URL)}?timeout=1"
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(target)
                return redirect(target)
            if now - last > _TOUCH_EVERY or "signed_in_at" not in session:
                session["signed_in_at"] = started
                session["last_seen_at"] = now
            response = self.get_response(request)
            add_never_cache_headers(response)
            return response
        return self.get_response(request)


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, each row also naming its user (SESSION_ENGINE = "safeguarding.sessions")."""

    @classmethod
    def get_model_class(cls):
        from .models import UserSession

        return UserSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        session.user_id = int(user_id) if str(user_id or "").isdigit() else None
        return session


def sessions_end_for(user) -> int:
    """Delete every live session of ``user`` (used when an account is deactivated): one indexed query."""
    from .models import UserSession

    ended, _ = UserSession.objects.filter(user=user, expire_date__gt=timezone.now()).delete()
    return ended
