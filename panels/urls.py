from django.urls import path

from . import views

urlpatterns = [
    path("panels/", views.panels, name="panels"),
    path("panels/new/", views.panel_new, name="panel-new"),
    path("panels/<int:pk>/edit/", views.panel_edit, name="panel-edit"),
    path("panels/<int:pk>/meetings/new/", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/live/", views.meeting_live, name="meeting-live"),
    path("meetings/<int:pk>/items/new/", views.item_new, name="item-new"),
    path("meetings/<int:pk>/invite/", views.invite, name="meeting-invite"),
    path("meetings/<int:pk>/attendance/<int:person_pk>/", views.attendance_mark, name="attendance-mark"),
    path("meetings/<int:pk>/advance/", views.meeting_advance, name="meeting-advance"),
    path("meetings/<int:pk>/packs/", views.packs_request, name="packs-request"),
    path("meetings/<int:pk>/packs/status/", views.packs_status, name="packs-status"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack-download"),
    path("items/<int:pk>/minutes/", views.item_minute, name="item-minute"),
    path("items/<int:pk>/feedback-given/", views.item_feedback_given, name="item-feedback-given"),
    path("items/<int:pk>/actions/new/", views.action_new, name="action-new"),
    path("items/<int:pk>/share-request/", views.share_request_new, name="share-request-new"),
    path("share-requests/", views.share_requests, name="share-requests"),
    path("share-requests/<int:pk>/", views.share_request, name="share-request"),
    path("actions/", views.actions, name="actions"),
    path("actions/<int:pk>/update/", views.action_update, name="action-update"),
]
