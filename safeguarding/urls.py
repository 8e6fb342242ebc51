from functools import wraps
from importlib import import_module

from django.contrib import admin
from django.http import Http404
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import access, views
from . import data_protection_views as dp

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



class Schema(SpectacularAPIView):
    """The API's OpenAPI 3 description: its shape only, nothing of any record, so anyone may read it."""

    access_door = "public"
    authentication_classes, permission_classes, throttle_classes = [], [AllowAny], []


class SchemaPage(SpectacularSwaggerSplitView):
    """The API's documentation page, from the installed sidecar files (no CDN); its script is a file, not inline,
    so the Content-Security-Policy holds."""

    access_door = "public"
    authentication_classes, permission_classes, throttle_classes = [], [AllowAny], []


# The partner API: each app's resources (its api.py ROUTES), under /api/v1/<name>/ and /api/v1/<name>/<id>/.
router = SimpleRouter()
for module in ("cases.api", "contexts.api", "assessments.api", "panels.api"):
    for prefix, viewset in import_module(module).ROUTES:
        router.register(prefix, viewset, basename=prefix)
api_patterns = [
    *router.urls,
    path("schema/", Schema.as_view(), name="schema"),
    path("docs/", SchemaPage.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/sso/", views.sign_in_sso, name="sign-in-sso"),
    # allauth reverses this name to build the redirect URI an agency registers with its identity provider.
    path("sign-in/sso/<slug:provider_id>/callback/", views.sso_callback, name="openid_connect_callback"),
    path("sign-in/", views.SignInView.as_view(), name="account_login"),  # allauth's name for the same page
    path("account/", include(_allauth())),
    path("invitation/<str:uidb36>/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("sign-out/", views.sign_out, name="logout"),
    path("audit/", views.audit_search, name="audit-search"),
    path("audit/export.csv", dp.audit_export, name="audit-export"),
    path("retention/", dp.retention_queue, name="retention-queue"),
    path("retention/<int:pk>/keep/", dp.retention_keep, name="retention-keep"),
    path("retention/<int:pk>/dispose/", dp.retention_dispose, name="retention-dispose"),
    path("subject-access/", dp.subject_access_list, name="subject-access-list"),
    path("subject-access/<int:pk>/", dp.subject_access_detail, name="subject-access"),
    path("subject-access/<int:pk>/sign-off/", dp.subject_access_sign_off, name="subject-access-sign-off"),
    path("subject-access/<int:pk>/rebuild/", dp.subject_access_rebuild, name="subject-access-rebuild"),
    path("subject-access/<int:pk>/export.pdf", dp.subject_access_pdf, name="subject-access-pdf"),
    path("subject-access/<int:pk>/export.json", dp.subject_access_json, name="subject-access-json"),
    path("young-people/<int:pk>/subject-access/", dp.subject_access_new, name="subject-access-new"),
    path("seen/<str:kind>/<int:pk>/", dp.record_viewers, name="record-viewers"),
    path("language-check/", views.language_check, name="language-check"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications-count"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/email/", views.notification_preference, name="notification-preference"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("find/<slug:kind>/", views.find, name="find"),
    path("upload/<str:kind>/<int:pk>/", views.document_new, name="document-new"),
    path("documents/<str:kind>/<int:pk>/", views.document_download, name="document-download"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/new/", views.webhook_new, name="webhook-new"),
    path("webhooks/<int:pk>/", views.webhook, name="webhook"),
    path("webhooks/<int:pk>/pause/", views.webhook_pause, name="webhook-pause"),
    path("webhooks/<int:pk>/resume/", views.webhook_resume, name="webhook-resume"),
    path("webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook-test"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"), namespace="api")),
    path("", include("cases.urls")),
    path("", include("contexts.urls")),
    path("", include("assessments.urls")),
    path("", include("panels.urls")),
    path("", include("reports.urls")),
]

handler403 = "safeguarding.views.forbidden"
handler404 = "safeguarding.views.not_found"
handler500 = "safeguarding.views.server_error"
