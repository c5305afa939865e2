"""Pages of the voting engine, included under /ballots/ (names are global, as in governance)."""

from django.urls import path

from elections import trustee_views, views

urlpatterns = [
    path("", views.ballot_list, name="ballot_list"),
    path("new/", views.ballot_create, name="ballot_create"),
    path("receipt/", views.ballot_receipt_check, name="ballot_receipt_check"),
    path("banner/", views.ballot_banner, name="ballot_banner"),
    path("trustees/", trustee_views.trustee_home, name="trustee_home"),
    path(
        "trustees/<int:pk>/ceremony.json", trustee_views.trustee_ceremony, name="trustee_ceremony"
    ),
    path("trustees/<int:pk>/bundle.json", trustee_views.trustee_bundle, name="trustee_bundle"),
    path("trustees/<int:pk>/upload/", trustee_views.trustee_upload, name="trustee_upload"),
    path("<int:pk>/", views.ballot_detail, name="ballot_detail"),
    path("<int:pk>/vote/", views.ballot_vote, name="ballot_vote"),
    path("<int:pk>/vote/review/", views.ballot_vote_review, name="ballot_vote_review"),
    path("<int:pk>/results/", views.ballot_results, name="ballot_results"),
    path("<int:pk>/papers.json", views.ballot_papers_json, name="ballot_papers_json"),
    path("<int:pk>/bundle.json", views.ballot_bundle, name="ballot_bundle"),
    path("<int:pk>/papers.blt", views.ballot_papers_blt, name="ballot_papers_blt"),
    path("<int:pk>/console/", views.ballot_console, name="ballot_console"),
    path("<int:pk>/trustees/", trustee_views.ballot_trustees, name="ballot_trustees"),
    path("<int:pk>/nominate/", views.ballot_nominate, name="ballot_nominate"),
    path("<int:pk>/proxy/", views.proxy_give, name="proxy_give"),
    path("<int:pk>/paper-counts/", views.paper_count_enter, name="paper_count_enter"),
    path("<int:pk>/<str:action>/confirm/", views.ballot_confirm, name="ballot_confirm"),
    # Last of the /<pk>/ pages: the lifecycle steps open, close, count, publish, cancel.
    path("<int:pk>/<str:action>/", views.ballot_action, name="ballot_action"),
    path("candidates/<int:pk>/consent/", views.candidate_consent, name="candidate_consent"),
    path("candidates/<int:pk>/withdraw/", views.candidate_withdraw, name="candidate_withdraw"),
    path("proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy_revoke"),
    path("paper-counts/<int:pk>/confirm/", views.paper_count_confirm, name="paper_count_confirm"),
    path(
        "paper-counts/<int:pk>/set-aside/",
        views.paper_count_set_aside,
        name="paper_count_set_aside",
    ),
]
