from django.urls import path

from . import views

PLACE, GROUP, PERSON = {"kind": "place"}, {"kind": "peer-group"}, {"kind": "young-person"}

urlpatterns = [
    path("places/", views.places, name="places"),
    path("places/new/", views.record_new, PLACE, name="place-new"),
    path("places/map/", views.places_map, name="places-map"),
    path("places/<int:pk>/", views.place_detail, name="place"),
    path("places/<int:pk>/edit/", views.record_edit, PLACE, name="place-edit"),
    path("places/<int:pk>/sharing/", views.record_share, PLACE, name="place-share"),
    path("places/<int:pk>/sharing/<int:agency_pk>/remove/", views.record_unshare, PLACE, name="place-unshare"),
    path("places/<int:pk>/transfer/", views.record_transfer, PLACE, name="place-transfer"),
    path("places/<int:pk>/links/new/", views.place_link_new, name="place-link-new"),
    path("places/<int:pk>/guardians/new/", views.guardian_new, name="guardian-new"),
    path("guardians/<int:pk>/training/new/", views.training_new, name="training-new"),
    path("peer-groups/", views.peer_groups, name="peer-groups"),
    path("peer-groups/new/", views.record_new, GROUP, name="peer-group-new"),
    path("peer-groups/<int:pk>/", views.peer_group_detail, name="peer-group"),
    path("peer-groups/<int:pk>/edit/", views.record_edit, GROUP, name="peer-group-edit"),
    path("peer-groups/<int:pk>/sharing/", views.record_share, GROUP, name="peer-group-share"),
    path("peer-groups/<int:pk>/sharing/<int:agency_pk>/remove/", views.record_unshare, GROUP,
         name="peer-group-unshare"),
    path("peer-groups/<int:pk>/transfer/", views.record_transfer, GROUP, name="peer-group-transfer"),
    path("peer-groups/<int:pk>/members/new/", views.membership_new, name="membership-new"),
    path("peer-groups/<int:pk>/places/new/", views.subject_place_link_new, GROUP, name="group-place-link-new"),
    path("peer-groups/<int:pk>/network/", views.group_network, name="group-network"),
    path("young-people/<int:pk>/contexts/", views.person_contexts, name="person-contexts"),
    path("young-people/<int:pk>/associations/new/", views.association_new, name="association-new"),
    path("young-people/<int:pk>/places/new/", views.subject_place_link_new, PERSON, name="person-place-link-new"),
    path("young-people/<int:pk>/network/", views.person_network, name="person-network"),
    path("links/<str:kind>/<int:pk>/review/", views.link_review, name="link-review"),
    path("links/<str:kind>/<int:pk>/end/", views.link_end, name="link-end"),
    path("chronology/<int:pk>/place/", views.entry_place, name="entry-place"),
    path("to-review/", views.to_review, name="to-review"),
    path("referrals/context/new/", views.referral_new, name="context-referral-new"),
]
