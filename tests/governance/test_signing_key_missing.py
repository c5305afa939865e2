"""A deployment that forgot its audit signing key (docs/deploy.md, governance.W001): whatever
needs a signed checkpoint says so — a 503 page or API answer naming it, a form error on the
approval of minutes, a command error — and writes nothing, never a 500, a traceback or a cut
file."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from governance.assemblies import services as assemblies
from governance.audit import checkpoints
from governance.exceptions import DomainError
from governance.models import AuditEvent, MinutesApproval
from tests.conftest import totp_code
from tests.governance.test_minutes import held  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

MESSAGE = "has not configured the audit signing key"


@pytest.fixture(params=["unset", "absent file", "unreadable file", "not a key"])
def no_signing_key(request, settings, tmp_path):
    """Every way the key can be missing outside development."""
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_GENERATE = False
    if request.param == "unset":
        settings.AUDIT_SIGNING_KEY_FILE = ""
    elif request.param == "absent file":
        settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "absent.key")
    elif request.param == "unreadable file":
        settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path)  # a directory: read_text fails
    else:
        (tmp_path / "garbage.key").write_text("not base64 at all!")
        settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "garbage.key")
    with pytest.raises(checkpoints.SigningKeyError):
        checkpoints.signing_key()
    return request.param


@pytest.mark.parametrize(
    "url",
    [
        reverse("audit_checkpoint_check"),
        reverse("audit_checkpoint_download"),
        reverse("audit_export") + "?format=json",
        reverse("audit_export") + "?format=csv",
        reverse("audit_export") + "?format=pdf",
    ],
)
def test_the_auditors_pages_that_sign_answer_a_503_naming_the_key(
    no_signing_key, client_for, url, django_assert_max_num_queries
):
    client = client_for("auditor")
    client.raise_request_exception = False
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.status_code == 503
    assert not response.streaming  # stopped before a line of the export was sent
    page = response.content.decode()
    assert MESSAGE in page and "Audit signing is not configured" in page
    assert "Retry-After" not in response.headers


def test_the_minutes_pdf_answers_a_503_naming_the_key(no_signing_key, held, client_for):  # noqa: F811
    ga, _people = held
    client = client_for("officer")
    client.raise_request_exception = False
    response = client.get(reverse("assembly_minutes", args=[ga.pk]))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE in response.content.decode()


def test_the_page_speaks_the_readers_language(no_signing_key, client_for):
    client = client_for("auditor")
    client.raise_request_exception = False
    response = client.get(reverse("audit_checkpoint_download"), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 503
    assert 'dir="rtl"' in response.content.decode()
    assert MESSAGE not in response.content.decode()


def test_the_approval_of_minutes_is_refused_before_the_code_is_spent(
    no_signing_key,
    world,
    held,  # noqa: F811
    client_for,
):
    ga, _people = held
    with pytest.raises(DomainError, match="no audit signing key"):
        assemblies.approve_minutes(actor=world.officer, assembly=ga, code=totp_code())
    client = client_for("officer")
    response = client.post(
        reverse("assembly_minutes_approve", args=[ga.pk]), {"code": totp_code()}, follow=True
    )
    assert response.status_code == 200
    assert "no audit signing key" in response.content.decode()
    assert not MinutesApproval.objects.exists()
    assert not AuditEvent.objects.filter(action="minutes.approved").exists()


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf"])
def test_export_register_names_the_key_and_writes_no_file(no_signing_key, tmp_path, fmt):
    target = tmp_path / f"register.{fmt}"
    with pytest.raises(CommandError, match="signing key"):
        call_command("export_register", format=fmt, output=str(target), stdout=StringIO())
    assert not list(tmp_path.glob("register.*"))


def test_export_register_to_standard_output_writes_nothing(no_signing_key):
    out = StringIO()
    with pytest.raises(CommandError, match="signing key"):
        call_command("export_register", format="json", stdout=out)
    assert out.getvalue() == ""


def test_assembly_minutes_names_the_key_and_writes_no_file(no_signing_key, held, tmp_path):  # noqa: F811
    ga, _people = held
    target = tmp_path / "minutes.pdf"
    with pytest.raises(CommandError, match="signing key"):
        call_command("assembly_minutes", str(ga.pk), output=str(target), stdout=StringIO())
    assert not list(tmp_path.glob("minutes.pdf*"))
