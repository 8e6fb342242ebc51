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
    path("upload/<str:kind>/<int:pk>/", views.document_new, name="document-new"),
    path("documents/<str:kind>/<int:pk>/", views.document_download, name="document-download"),
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
