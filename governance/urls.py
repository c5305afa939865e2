"""Root URLconf: the pages of each app, the REST API, accounts and the language switch."""

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from elections.api_urls import api_patterns as election_api_patterns
from governance import probes, translation_views, views
from governance.accounts import enrolment_views, profile_api, profile_views
from governance.api import views as api
from governance.api.kit import step_routes
from governance.assemblies import api as assembly_api
from governance.assemblies import views as assembly_views
from governance.audit import api as audit_api
from governance.audit import views as audit_views
from governance.roll import api as roll_api
from motions.api_urls import api_patterns as motion_api_patterns

api_patterns = [
    path("units/", api.UnitList.as_view(), name="api_units"),
    path("bodies/", api.BodyList.as_view(), name="api_bodies"),
    path("mandates/", api.MandateList.as_view(), name="api_mandates"),
    path("members/", api.MemberList.as_view(), name="api_members"),
    path("members/dues-imports/", roll_api.DuesImportApi.as_view(), name="api_dues_import"),
    path(
        "members/<str:membership_number>/",
        roll_api.MemberDetailApi.as_view(),
        name="api_member",
    ),
    path(
        "members/<str:membership_number>/dues/",
        roll_api.DuesPaymentApi.as_view(),
        name="api_member_dues",
    ),
    path("statutes/", api.StatuteVersionList.as_view(), name="api_statutes"),
    path("statutes/<int:number>/", api.StatuteVersionDetail.as_view(), name="api_statute"),
    path("decisions/", api.DecisionList.as_view(), name="api_decisions"),
    path("decisions/<path:reference>/", api.DecisionDetail.as_view(), name="api_decision"),
    path("audit-events/", api.AuditEventList.as_view(), name="api_audit_events"),
    path("audit-events/verify/", api.AuditVerification.as_view(), name="api_audit_verify"),
    path("audit/as-of/", audit_api.AsOfApi.as_view(), name="api_audit_as_of"),
    path("audit/anomalies/", audit_api.AnomalyReportApi.as_view(), name="api_audit_anomalies"),
    path(
        "audit/proofs/inclusion/",
        audit_api.InclusionProofApi.as_view(),
        name="api_audit_inclusion_proof",
    ),
    path(
        "audit/proofs/consistency/",
        audit_api.ConsistencyProofApi.as_view(),
        name="api_audit_consistency_proof",
    ),
    path("assemblies/", assembly_api.AssemblyListApi.as_view(), name="api_assemblies"),
    path("assemblies/<int:pk>/", assembly_api.AssemblyDetailApi.as_view(), name="api_assembly"),
    path(
        "assemblies/<int:pk>/attendance/",
        assembly_api.AttendanceListApi.as_view(),
        name="api_assembly_attendance",
    ),
    path(
        "assemblies/<int:pk>/check-in/",
        assembly_api.CheckInApi.as_view(),
        name="api_assembly_check_in",
    ),
    path(
        "assemblies/<int:pk>/check-out/",
        assembly_api.CheckOutApi.as_view(),
        name="api_assembly_check_out",
    ),
    path(
        "assemblies/<int:pk>/proxies/",
        assembly_api.AssemblyProxyApi.as_view(),
        name="api_assembly_proxies",
    ),
    path(
        "assemblies/<int:pk>/my-proxy/",
        assembly_api.OwnProxyApi.as_view(),
        name="api_assembly_own_proxy",
    ),
    path(
        "assembly-proxies/<int:pk>/withdraw/",
        assembly_api.OwnProxyWithdrawApi.as_view(),
        name="api_assembly_own_proxy_withdraw",
    ),
    path(
        "assembly-proxies/<int:pk>/revoke/",
        assembly_api.AssemblyProxyRevokeApi.as_view(),
        name="api_assembly_proxy_revoke",
    ),
    *step_routes(assembly_api.AssemblyStepApi, "assemblies"),
    *election_api_patterns,
    *motion_api_patterns,
    path("me/", profile_api.ProfileApi.as_view(), name="api_me"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its script as a file, so the CSP needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisation/", views.organisation, name="organisation"),
    path(
        "translations/<slug:kind>/<int:pk>/",
        translation_views.translate_names,
        name="translate_names",
    ),
    path("bodies/<slug:code>/", views.body_detail, name="body_detail"),
    path("statutes/", views.statute_list, name="statute_list"),
    path("statutes/diff/", views.statute_diff, name="statute_diff"),
    path("statutes/<int:number>/", views.statute_version, name="statute_version"),
    path(
        "statutes/<int:number>/articles/<str:article>/", views.article_detail, name="article_detail"
    ),
    path("members/", views.member_roll, name="member_roll"),
    path("members/import/", views.member_import, name="member_import"),
    path("members/import/<uuid:pk>/", views.member_import_progress, name="member_import_progress"),
    path("members/dues/import/", views.dues_import, name="dues_import"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/dues/", views.member_dues_record, name="member_dues_record"),
    path("members/<int:pk>/language/", views.member_language, name="member_language"),
    path(
        "members/<int:pk>/enrolment-link/",
        views.member_enrolment_link,
        name="member_enrolment_link",
    ),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/<path:reference>/", views.decision_detail, name="decision_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/checkpoint/", audit_views.audit_checkpoint_check, name="audit_checkpoint_check"),
    path(
        "audit/checkpoint.txt",
        audit_views.audit_checkpoint_download,
        name="audit_checkpoint_download",
    ),
    path("audit/as-of/", audit_views.audit_as_of, name="audit_as_of"),
    path("audit/anomalies/", audit_views.audit_anomalies, name="audit_anomalies"),
    path("audit/export/", audit_views.audit_export, name="audit_export"),
    path("audit/events.jsonl", audit_views.audit_events_export, name="audit_events_export"),
    path("assemblies/", assembly_views.assembly_list, name="assembly_list"),
    path("assemblies/convene/", assembly_views.assembly_convene, name="assembly_convene"),
    path("assemblies/<int:pk>/", assembly_views.assembly_detail, name="assembly_detail"),
    path(
        "assemblies/<int:pk>/minutes.pdf", assembly_views.assembly_minutes, name="assembly_minutes"
    ),
    path(
        "assemblies/<int:pk>/minutes/approve/",
        assembly_views.assembly_minutes_approve,
        name="assembly_minutes_approve",
    ),
    path("assemblies/<int:pk>/door/", assembly_views.assembly_door, name="assembly_door"),
    path(
        "assemblies/<int:pk>/projector/",
        assembly_views.assembly_projector,
        name="assembly_projector",
    ),
    path(
        "assemblies/<int:pk>/door/check-in/",
        assembly_views.assembly_check_in,
        name="assembly_check_in",
    ),
    path(
        "assemblies/<int:pk>/door/check-out/",
        assembly_views.assembly_check_out,
        name="assembly_check_out",
    ),
    path(
        "assemblies/<int:pk>/proxies/",
        assembly_views.assembly_proxy_register,
        name="assembly_proxy_register",
    ),
    path(
        "assemblies/<int:pk>/my-proxy/",
        assembly_views.assembly_own_proxy_give,
        name="assembly_own_proxy_give",
    ),
    path(
        "assemblies/proxies/<int:pk>/withdraw/",
        assembly_views.assembly_own_proxy_withdraw,
        name="assembly_own_proxy_withdraw",
    ),
    path(
        "assemblies/proxies/<int:pk>/revoke/",
        assembly_views.assembly_proxy_revoke,
        name="assembly_proxy_revoke",
    ),
    path(
        "assemblies/<int:pk>/<slug:action>/confirm/",
        assembly_views.assembly_confirm,
        name="assembly_confirm",
    ),
    path(
        "assemblies/<int:pk>/<slug:action>/",
        assembly_views.assembly_action,
        name="assembly_action",
    ),
    path("ballots/", include("elections.urls")),
    path("motions/", include("motions.urls")),
    # Before allauth's: the proof asked before a second factor is set up (governance/accounts/enrolment.py).
    path("accounts/2fa/proof/", enrolment_views.enrolment_proof, name="mfa_enrolment_proof"),
    path(
        "accounts/2fa/enrol/<str:token>/",
        enrolment_views.enrolment_link,
        name="mfa_enrolment_link",
    ),
    path("accounts/profile/", profile_views.account_profile, name="account_profile"),
    path("accounts/", include("allauth.urls")),
    # Django's language switch, which also stores a signed-in member's choice.
    path("i18n/setlang/", profile_views.set_language, name="set_language"),
    path("api/", include(api_patterns)),
    path("health/", probes.health, name="health"),
    path("ready/", probes.ready, name="ready"),
    # Browsers ask for /favicon.ico on pages that name no icon (allauth's MFA step, the API's).
    # The unhashed name: it stays beside the hashed copy after collectstatic.
    path(
        "favicon.ico",
        RedirectView.as_view(
            url=f"{settings.STATIC_URL}img/favicon.svg", http_method_names=["get", "head"]
        ),
        name="favicon",
    ),
]

# A URL under /api/ that matches no route answers JSON, like every other API error.
handler400 = "governance.api.errors.bad_request"
handler404 = "governance.api.errors.not_found"
handler500 = "governance.api.errors.server_error"
