"""REST API of the voting engine, included under /api/ by governance.urls."""

from django.urls import path

from elections import api
from governance.api.kit import step_routes

api_patterns = [
    path("ballots/", api.BallotListApi.as_view(), name="api_ballots"),
    path("ballots/create/", api.BallotCreateApi.as_view(), name="api_ballot_create"),
    path("ballots/<int:pk>/", api.BallotDetailApi.as_view(), name="api_ballot"),
    path("ballots/<int:pk>/vote/", api.BallotVoteApi.as_view(), name="api_ballot_vote"),
    *step_routes(api.BallotStepApi, "ballots"),
    path(
        "ballots/<int:pk>/candidates/",
        api.CandidateNominateApi.as_view(),
        name="api_ballot_candidates",
    ),
    path(
        "candidates/<int:pk>/consent/",
        api.CandidateConsentApi.as_view(),
        name="api_candidate_consent",
    ),
    path(
        "candidates/<int:pk>/withdraw/",
        api.CandidateWithdrawApi.as_view(),
        name="api_candidate_withdraw",
    ),
    path("ballots/<int:pk>/proxies/", api.ProxyGiveApi.as_view(), name="api_ballot_proxies"),
    path("proxies/<int:pk>/revoke/", api.ProxyRevokeApi.as_view(), name="api_proxy_revoke"),
    path(
        "ballots/<int:pk>/paper-counts/",
        api.PaperCountEnterApi.as_view(),
        name="api_ballot_paper_counts",
    ),
    path(
        "paper-counts/<int:pk>/confirm/",
        api.PaperCountConfirmApi.as_view(),
        name="api_paper_count_confirm",
    ),
    path(
        "paper-counts/<int:pk>/set-aside/",
        api.PaperCountSetAsideApi.as_view(),
        name="api_paper_count_set_aside",
    ),
    path("ballots/<int:pk>/results/", api.BallotResultsApi.as_view(), name="api_ballot_results"),
    path("ballots/<int:pk>/trustees/", api.BallotTrusteesApi.as_view(), name="api_ballot_trustees"),
    path("ballots/<int:pk>/papers/", api.BallotPapersApi.as_view(), name="api_ballot_papers"),
    path("trusteeships/", api.TrusteeshipListApi.as_view(), name="api_trusteeships"),
    path("trusteeships/<int:pk>/", api.TrusteeshipApi.as_view(), name="api_trusteeship"),
    path(
        "trusteeships/<int:pk>/bundle/",
        api.TrusteeshipBundleApi.as_view(),
        name="api_trusteeship_bundle",
    ),
    path(
        "trusteeships/<int:pk>/upload/",
        api.TrusteeshipUploadApi.as_view(),
        name="api_trusteeship_upload",
    ),
    path("receipts/check/", api.ReceiptCheckApi.as_view(), name="api_receipt_check"),
]
