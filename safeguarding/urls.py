from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import views


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
    path("sign-out/", views.sign_out, name="logout"),
    path("audit/", views.audit_search, name="audit-search"),
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
