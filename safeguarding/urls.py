from django.contrib import admin
from django.urls import include, path

from . import data_protection_views as dp
from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
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
