from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("young-people/", views.young_people, name="young-people"),
    path("young-people/new/", views.young_person_new, name="young-person-new"),
    path("young-people/<int:pk>/", views.young_person_detail, name="young-person"),
    path("young-people/<int:pk>/edit/", views.young_person_edit, name="young-person-edit"),
    path("young-people/<int:pk>/trusted-adults/new/", views.trusted_adult_new, name="trusted-adult-new"),
    path("young-people/<int:pk>/voice/new/", views.voice_entry_new, name="voice-entry-new"),
    path("young-people/<int:pk>/cases/new/", views.case_new, name="case-new"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/close/", views.case_close, name="case-close"),
    path("cases/<int:pk>/chronology/", views.chronology_add, name="chronology-add"),
    path("cases/<int:pk>/sharing/", views.case_share, name="case-share"),
    path("cases/<int:pk>/sharing/<int:agency_pk>/remove/", views.case_unshare, name="case-unshare"),
]
