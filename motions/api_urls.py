"""REST API of the motions app, included under /api/ by governance.urls."""

from django.urls import path

from motions import api

api_patterns = [
    path("motions/", api.MotionListApi.as_view(), name="api_motions"),
    path("motions/<int:pk>/", api.MotionDetailApi.as_view(), name="api_motion"),
    path("motions/<int:pk>/versions/", api.MotionVersionApi.as_view(), name="api_motion_versions"),
    path("motions/<int:pk>/diff/", api.MotionDiffApi.as_view(), name="api_motion_diff"),
    path("motions/<int:pk>/support/", api.MotionSupportApi.as_view(), name="api_motion_support"),
    path("motions/<int:pk>/steps/<str:step>/", api.MotionStepApi.as_view(), name="api_motion_step"),
    path("motions/<int:pk>/amendments/", api.AmendmentApi.as_view(), name="api_motion_amendments"),
    path(
        "motions/<int:pk>/ic-submission/", api.ICForwardApi.as_view(), name="api_motion_ic_forward"
    ),
    path("motions/<int:pk>/ic-outcome/", api.ICOutcomeApi.as_view(), name="api_motion_ic_outcome"),
    path("motions/<int:pk>/follow-ups/", api.FollowUpApi.as_view(), name="api_motion_follow_ups"),
    path(
        "amendments/<int:pk>/support/",
        api.AmendmentSupportApi.as_view(),
        name="api_amendment_support",
    ),
    path(
        "amendments/<int:pk>/steps/<str:step>/",
        api.AmendmentStepApi.as_view(),
        name="api_amendment_step",
    ),
    path("motions/<int:pk>/speakers/", api.SpeakerListApi.as_view(), name="api_motion_speakers"),
    path("motions/<int:pk>/floor/", api.FloorApi.as_view(), name="api_motion_floor"),
    path(
        "speakers/<int:pk>/steps/<str:step>/", api.SpeakerStepApi.as_view(), name="api_speaker_step"
    ),
]
