"""Who reaches which page and API endpoint: every URL tried as every role."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from governance import services
from governance.models import Decision, StatuteVersion
from governance.services import SYSTEM

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "officer", "other_officer", "auditor", "staff"]


@pytest.fixture
def decision(world):
    version = StatuteVersion.objects.get()
    article = version.articles.get(number="8")
    return services.record_decision(
        actor=SYSTEM,
        body=world.assembly_body,
        title="A decision",
        text="Text",
        article=article,
        outcome="adopted",
        decided_on=version.effective_from,
    )


def urls(decision: Decision) -> dict[str, str]:
    return {
        "dashboard": reverse("dashboard"),
        "organisation": reverse("organisation"),
        "body": reverse("body_detail", args=["board"]),
        "statutes": reverse("statute_list"),
        "statute": reverse("statute_version", args=[1]),
        "article": reverse("article_detail", args=[1, "8"]),
        "diff": reverse("statute_diff") + "?old=1&new=1",
        "decisions": reverse("decision_list"),
        "decision": reverse("decision_detail", args=[decision.reference]),
        "roll": reverse("member_roll"),
        "import": reverse("member_import"),
        "audit": reverse("audit_log"),
        "verify": reverse("audit_verify"),
        "api_units": reverse("api_units"),
        "api_bodies": reverse("api_bodies"),
        "api_mandates": reverse("api_mandates"),
        "api_statutes": reverse("api_statutes"),
        "api_statute": reverse("api_statute", args=[1]),
        "api_decisions": reverse("api_decisions"),
        "api_decision": reverse("api_decision", args=[decision.reference]),
        "api_members": reverse("api_members"),
        "api_audit": reverse("api_audit_events"),
        "api_verify": reverse("api_audit_verify"),
        "api_schema": reverse("api_schema"),
    }


READ_FOR_MEMBERS = {
    "organisation",
    "body",
    "statutes",
    "statute",
    "article",
    "diff",
    "decisions",
    "decision",
    "api_units",
    "api_bodies",
    "api_mandates",
    "api_statutes",
    "api_statute",
    "api_decisions",
    "api_decision",
}
ROLL = {"roll", "api_members"}
AUDIT = {"audit", "verify", "api_audit", "api_verify"}

EXPECTED: dict[str, dict[str, int]] = {}
for role in ROLES:
    expected = {}
    for name in [*READ_FOR_MEMBERS, *ROLL, *AUDIT, "dashboard", "import", "api_schema"]:
        if role == "anonymous":
            status = 403 if name.startswith("api_") else 302
        elif name == "dashboard" or name == "api_schema":
            status = 200
        elif name in READ_FOR_MEMBERS:
            status = 403 if role == "outsider" else 200
        elif name in ROLL or name in AUDIT:
            status = 200 if role in {"auditor", "staff"} else 403
        elif name == "import":
            status = 200 if role == "staff" else 403
        expected[name] = status
    EXPECTED[role] = expected


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_expected(client_for, decision, role):
    client = client_for(role)
    got = {name: client.get(url).status_code for name, url in urls(decision).items()}
    assert got == EXPECTED[role]


def test_anonymous_pages_redirect_to_login(client_for, decision):
    response = client_for("anonymous").get(reverse("decision_list"))
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["officer", "auditor", "staff"])
def test_privileged_roles_without_a_second_factor_are_sent_to_set_one_up(client_for, world, role):
    Authenticator.objects.filter(user=world.user(role)).delete()
    client = client_for(role)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("api_units")).status_code == 403


def test_members_do_not_need_a_second_factor(client_for):
    assert client_for("member").get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize("role", ["member", "officer"])
def test_the_session_user_and_the_second_factor_check_cost_one_query(client_for, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(role)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("api_units")).status_code == 200
    reads = [q["sql"] for q in captured if "mfa_authenticator" in q["sql"]]
    assert len(reads) == 1 and '"governance_mandate"' in reads[0]
    mandate_reads = [q["sql"] for q in captured if '"governance_mandate"' in q["sql"]]
    # A member holds no mandate: nothing more. An officer's bodies are read once, for roles.
    assert len(mandate_reads) == (1 if role == "member" else 2)


@pytest.mark.parametrize("role", ["member", "officer", "auditor", "staff"])
def test_import_refuses_post_from_all_but_staff(client_for, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(role)
    response = client.post(reverse("member_import"), {"file": SimpleUploadedFile("r.csv", b"x")})
    assert response.status_code == (400 if role == "staff" else 403)


@pytest.mark.parametrize(
    "name", ["dashboard", "decision_list", "statute_list", "audit_log", "member_roll"]
)
def test_read_pages_refuse_post(client_for, name):
    assert client_for("staff").post(reverse(name)).status_code == 405


def test_api_is_read_only(client_for):
    client = client_for("staff")
    for name in ["api_units", "api_bodies", "api_decisions", "api_audit_events"]:
        assert client.post(reverse(name), {}).status_code == 405
