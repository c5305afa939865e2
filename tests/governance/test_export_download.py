"""The register export downloaded from the auditors' page: streamed, and verifiable like the command's."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance.audit import exports
from governance.audit import log as audit
from governance.models import AuditEvent
from tests.factories import MandateFactory
from tests.governance.test_export import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world):
    return [decide(world, f"Resolution {index}") for index in range(5)]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_download_is_streamed_and_verifies(client_for, register, tmp_path, fmt):
    response = client_for("auditor").get(reverse("audit_export"), {"format": fmt})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith("attachment; filename=")
    path = tmp_path / f"download.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))
    out = io.StringIO()
    call_command("verify_export", str(path), stdout=out)
    assert "matches the register: 5 decisions" in out.getvalue()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_download_holds_the_same_rows_and_digest_as_the_command(
    client_for, register, tmp_path, fmt
):
    streamed = b"".join(
        client_for("auditor").get(reverse("audit_export"), {"format": fmt}).streaming_content
    )
    path = tmp_path / f"command.{fmt}"
    call_command("export_register", format=fmt, output=str(path), stdout=io.StringIO())
    written = path.read_bytes()

    # Only the export time differs.
    def without_time(data: bytes) -> list[bytes]:
        return [line for line in data.splitlines() if b"exported_at" not in line]

    assert without_time(streamed) == without_time(written)


def test_the_stream_comes_in_pieces_of_bounded_size(register):
    pieces = list(exports.export_chunks("json", size=200))
    assert len(pieces) > 3 and max(len(piece) for piece in pieces) < 200 + 2000


def test_the_page_offers_json_csv_and_pdf_and_refuses_other_formats(client_for, register):
    client = client_for("auditor")
    page = client.get(reverse("audit_export"))
    assert page.status_code == 200
    for fmt in ("json", "csv", "pdf"):
        assert f'href="{reverse("audit_export")}?format={fmt}"' in page.text
    assert client.get(reverse("audit_export"), {"format": "xlsx"}).status_code == 400


def test_the_register_pdf_is_downloaded_and_verifies(client_for, register, tmp_path):
    response = client_for("auditor").get(reverse("audit_export"), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    path = tmp_path / "register.pdf"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("verify_export", str(path), stdout=out)
    assert "matches the register: 5 decisions" in out.getvalue()


def test_the_audit_log_download_lets_anyone_recompute_every_hash(client_for, register):
    response = client_for("auditor").get(reverse("audit_events_export"))
    assert response.status_code == 200 and response.streaming
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert len(lines) == AuditEvent.objects.count()
    previous = lines[0]["prev_hash"]
    for line in lines:
        body = {name: value for name, value in line.items() if name != "hash"}
        digest = hashlib.sha256(audit.canonical_json(body).encode()).hexdigest()
        assert digest == line["hash"]
        assert line["prev_hash"] == previous
        previous = line["hash"]


def test_the_audit_log_download_is_for_auditors_and_staff(client_for, register):
    assert client_for("member").get(reverse("audit_events_export")).status_code == 403
    assert client_for("staff").get(reverse("audit_events_export")).status_code == 200


def test_the_anomaly_report_downloads_as_json_and_csv(client_for, world, register):
    # Two overlapping seats of one member on the Board: an anomaly.
    MandateFactory(member=world.officer.member, body=world.board, role="member")
    client = client_for("auditor")
    page = client.get(reverse("audit_anomalies"))
    found = len(client.get(reverse("audit_anomalies"), {"format": "json"}).json())
    assert found == page.context["count"] > 0
    rows = client.get(reverse("audit_anomalies"), {"format": "csv"}).content.decode().splitlines()
    assert rows[0] == '"kind","on","subject","message","url"'
    assert len(rows) == found + 1


@pytest.mark.parametrize("role", ["member", "officer"])
def test_only_auditors_and_staff_download(client_for, register, role):
    assert client_for(role).get(reverse("audit_export"), {"format": "json"}).status_code == 403
