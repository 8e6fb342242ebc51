from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("audit/", views.audit_search, name="audit-search"),
    path("language-check/", views.language_check, name="language-check"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications-count"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/email/", views.notification_preference, name="notification-preference"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("find/<slug:kind>/", views.find, name="find"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/new/", views.webhook_new, name="webhook-new"),
    path("webhooks/<int:pk>/", views.webhook, name="webhook"),
    path("webhooks/<int:pk>/pause/", views.webhook_pause, name="webhook-pause"),
    path("webhooks/<int:pk>/resume/", views.webhook_resume, name="webhook-resume"),
    path("webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook-test"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
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
