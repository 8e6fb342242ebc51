"""Every URL pattern goes through safeguarding.access: marked public (and harmless), or signed-in only.

New URLs are found automatically: a view without the door's mark fails this test.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Signing in and what comes before it: django-allauth's entrance pages (safeguarding/urls.py ENTRANCE), the link in an
# invitation, and single sign-on's page and the callback its provider sends the browser back to (safeguarding.sso).
PUBLIC = {"healthz", "login", "logout", "sign-in-sso", "openid_connect_callback", "account_login", "account_logout",
          "account_inactive", "account_reset_password", "account_reset_password_done",
          "account_reset_password_from_key", "account_reset_password_from_key_done", "mfa_authenticate",
          "mfa_login_webauthn", "invitation-accept"}
# The partner API's description and its documentation page: its shape, nothing of any record.
API_PUBLIC = {"schema", "docs"}


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, prefix + str(entry.pattern), entry


def _door(callback):
    # A class-based view's class is ``view_class``; a DRF viewset's (the API) is ``cls``.
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return getattr(callback, "access_door", None) or getattr(view_class, "access_door", None)


def _concrete(route: str) -> str:
    """A URL for a pattern, with every parameter filled with a plausible value."""
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # a regular expression's named group (the API's routes)
    route = re.sub(r"<(?:int:)?\w+>", "1", route)
    route = re.sub(r"<path:\w+>", "x", route)
    route = re.sub(r"<(?:str|slug):\w+>", "x", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    return "/" + route


ALL = list(_patterns())
APP = [(ns, route, p) for ns, route, p in ALL if not ns.startswith("admin")]
ADMIN = [(ns, route, p) for ns, route, p in ALL if ns.startswith("admin")]


def test_it_finds_the_patterns():
    assert len(APP) >= 15 and len(ADMIN) > 10


def _public(ns, pattern) -> bool:
    return pattern.name in (API_PUBLIC if ns == "api:" else PUBLIC)


@pytest.mark.parametrize(("ns", "route", "pattern"), APP, ids=[r for _, r, _ in APP])
def test_it_marks_every_app_view(ns, route, pattern):
    door = _door(pattern.callback)
    assert door in {"public", "signed_in", "api_client"}, f"{route} does not go through safeguarding.access"
    assert (door == "public") == _public(ns, pattern), f"{route} is {door}"
    assert (door == "api_client") == (ns == "api:" and not _public(ns, pattern)), f"{route} is {door}"


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "route", "pattern"), APP, ids=[r for _, r, _ in APP])
def test_it_sends_anonymous_visitors_to_sign_in(client, ns, route, pattern):
    if _public(ns, pattern):
        return
    if ns == "api:":  # a partner system is not sent to a sign-in page: it is told to send its credential
        for method in (client.get, client.post):
            response = method(_concrete(route))
            assert response.status_code == 401, route
            assert response["Content-Type"] == "application/problem+json", route
            assert response["WWW-Authenticate"] == 'Bearer realm="api"', route
        return
    for method in (client.get, client.post):
        response = method(_concrete(route))
        assert response.status_code == 302, route
        assert response["Location"].startswith("/sign-in/"), route


@pytest.mark.django_db
@pytest.mark.parametrize(("ns", "route", "pattern"), ADMIN, ids=[r for _, r, _ in ADMIN])
def test_it_keeps_the_admin_behind_staff_sign_in(client, ns, route, pattern):
    if pattern.name in {"login", "logout"}:
        return
    response = client.get(_concrete(route))
    assert response.status_code in {302, 404}, route
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]
