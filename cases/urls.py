from django.urls import path

from . import frontdoor_views as frontdoor
from . import missing_views as missing
from . import transition_views as transition
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
    path("cases/<int:pk>/summary/", views.case_summary, name="case-summary"),
    path("cases/<int:pk>/sharing/", views.case_share, name="case-share"),
    path("cases/<int:pk>/sharing/<int:agency_pk>/remove/", views.case_unshare, name="case-unshare"),
    path("cases/<int:pk>/transfer/", frontdoor.case_transfer, name="case-transfer"),
    path("cases/<int:pk>/missing/new/", missing.episode_new, name="missing-episode-new"),
    path("cases/<int:pk>/nrm/new/", missing.nrm_new, name="nrm-referral-new"),
    path("missing/<int:pk>/", missing.episode_detail, name="missing-episode"),
    path("missing/<int:pk>/edit/", missing.episode_edit, name="missing-episode-edit"),
    path("missing/<int:pk>/return-interview/", missing.return_interview, name="return-interview"),
    path("nrm/<int:pk>/", missing.nrm_detail, name="nrm-referral"),
    path("nrm/<int:pk>/edit/", missing.nrm_edit, name="nrm-referral-edit"),
    # Transitional safeguarding: a case's plan for the move to adult services, and the board of 17 to 25 year olds.
    path("cases/<int:pk>/transition/", transition.transition, name="transition"),
    path("cases/<int:pk>/transition/new/", transition.transition_new, name="transition-new"),
    path("cases/<int:pk>/transition/edit/", transition.transition_edit, name="transition-edit"),
    path("cases/<int:pk>/transition/handover/", transition.transition_handover, name="transition-handover"),
    path("transitions/", transition.transitions_board, name="transitions"),
    # The front door: referrals of young people here; of places and groups in contexts/urls.py.
    path("referrals/", frontdoor.front_door, name="front-door"),
    path("referrals/sent/", frontdoor.referrals_sent, name="referrals-sent"),
    path("referrals/young-person/new/", frontdoor.referral_new, name="referral-new"),
    path("referrals/<str:kind>/<int:pk>/", frontdoor.referral_detail, name="referral"),
    path("referrals/<str:kind>/<int:pk>/accept/", frontdoor.referral_accept, name="referral-accept"),
    path("referrals/<str:kind>/<int:pk>/decline/", frontdoor.referral_decline, name="referral-decline"),
    path("referrals/<str:kind>/<int:pk>/more-information/", frontdoor.referral_ask, name="referral-ask"),
    path("referrals/<str:kind>/<int:pk>/answer/", frontdoor.referral_answer, name="referral-answer"),
    path("transfers/", frontdoor.transfers_list, name="transfers"),
    path("transfers/<str:kind>/<int:pk>/", frontdoor.transfer_detail, name="transfer"),
    path("transfers/<str:kind>/<int:pk>/accept/", frontdoor.transfer_accept, name="transfer-accept"),
    path("transfers/<str:kind>/<int:pk>/reject/", frontdoor.transfer_reject, name="transfer-reject"),
]
