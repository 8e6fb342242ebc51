from functools import wraps

from django.contrib import admin
from django.http import Http404
from django.urls import URLPattern, URLResolver, include, path

from . import access, views

# django-allauth's pages (sign-in, second factors, password reset) go through the door like every other: the ones a
# person uses before being signed in are public and name nothing; the rest are for signed-in people. Any other page of
# allauth is left out (no self sign-up, no changing one's own email address, no sign-in codes by email).
ENTRANCE = {"account_logout", "account_inactive", "account_reset_password", "account_reset_password_done",
            "account_reset_password_from_key", "account_reset_password_from_key_done", "mfa_authenticate",
            "mfa_login_webauthn"}
MANAGE = {"account_reauthenticate", "account_change_password", "account_set_password", "mfa_index",
          "mfa_reauthenticate", "mfa_activate_totp", "mfa_deactivate_totp", "mfa_view_recovery_codes",
          "mfa_generate_recovery_codes", "mfa_download_recovery_codes", "mfa_list_webauthn", "mfa_add_webauthn",
          "mfa_remove_webauthn", "mfa_edit_webauthn", "mfa_reauthenticate_webauthn"}


# Pages about one of the person's own passkeys: anyone else's (or none) is 404 before anything else is asked.
OWN_PASSKEY = {"mfa_remove_webauthn", "mfa_edit_webauthn"}


def _own_passkey(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        from allauth.mfa.models import Authenticator

        if not Authenticator.objects.filter(pk=kwargs.get("pk"), user_id=request.user.pk,
                                            type=Authenticator.Type.WEBAUTHN).exists():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _through_the_door(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = list(_through_the_door(entry.url_patterns))
            if inner:
                yield URLResolver(entry.pattern, inner, entry.default_kwargs, entry.app_name, entry.namespace)
        elif entry.name in ENTRANCE:
            yield URLPattern(entry.pattern, access.public(entry.callback), entry.default_args, entry.name)
        elif entry.name in MANAGE:
            view = _own_passkey(entry.callback) if entry.name in OWN_PASSKEY else entry.callback
            yield URLPattern(entry.pattern, access.signed_in(view), entry.default_args, entry.name)


def _allauth():
    from allauth.account import urls as account_urls
    from allauth.mfa import urls as mfa_urls

    return [*_through_the_door(account_urls.urlpatterns), path("2fa/", include(list(_through_the_door(
        mfa_urls.urlpatterns))))]


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/", views.SignInView.as_view(), name="account_login"),  # allauth's name for the same page
    path("account/", include(_allauth())),
    path("invitation/<str:uidb36>/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("sign-out/", views.sign_out, name="logout"),
    path("audit/", views.audit_search, name="audit-search"),
    path("language-check/", views.language_check, name="language-check"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications-count"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/email/", views.notification_preference, name="notification-preference"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("find/<slug:kind>/", views.find, name="find"),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("contexts.urls")),
    path("", include("assessments.urls")),
    path("", include("panels.urls")),
    path("", include("reports.urls")),
]

handler403 = "safeguarding.views.forbidden"
handler404 = "safeguarding.views.not_found"
handler500 = "safeguarding.views.server_error"
