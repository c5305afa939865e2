"""Pages of the motions app, included under /motions/ (names are global, as in the other apps)."""

from django.urls import path

from motions import views

urlpatterns = [
    path("", views.motion_list, name="motion_list"),
    path("new/", views.motion_create, name="motion_create"),
    path("drafts/<str:token>/", views.draft_shared, name="draft_shared"),
    path("voting-mandates/", views.voting_mandates, name="voting_mandates"),
    path("<int:pk>/", views.motion_detail, name="motion_detail"),
    path("<int:pk>/edit/", views.motion_edit, name="motion_edit"),
    path("<int:pk>/statute-changes/", views.motion_statute_changes, name="motion_statute_changes"),
    path("<int:pk>/compare/", views.motion_compare, name="motion_compare"),
    path("<int:pk>/refer/", views.motion_refer, name="motion_refer"),
    path("<int:pk>/vote/", views.motion_vote, name="motion_vote"),
    path("<int:pk>/amendments/", views.amendment_create, name="amendment_create"),
    path("<int:pk>/forward/", views.motion_forward, name="motion_forward"),
    path("<int:pk>/ic-outcome/", views.motion_ic_outcome, name="motion_ic_outcome"),
    path("<int:pk>/follow-ups/", views.motion_follow_up, name="motion_follow_up"),
    path("<int:pk>/speakers/", views.motion_speakers, name="motion_speakers"),
    path("<int:pk>/floor/<str:action>/", views.motion_floor, name="motion_floor"),
    # Last of the /<pk>/ pages: submit, support, withdraw support and the simple steps.
    path("<int:pk>/<str:action>/", views.motion_action, name="motion_action"),
    path("amendments/<int:pk>/<str:action>/", views.amendment_action, name="amendment_action"),
    path("speakers/<int:pk>/<str:action>/", views.speaker_action, name="speaker_action"),
]
