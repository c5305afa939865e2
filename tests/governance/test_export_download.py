"""The register export downloaded from the auditors' page: streamed, and verifiable like the command's."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance import exports
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


def test_the_page_offers_json_and_csv_and_refuses_other_formats(client_for, register):
    client = client_for("auditor")
    assert client.get(reverse("audit_export")).status_code == 200
    assert client.get(reverse("audit_export"), {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("role", ["member", "officer"])
def test_only_auditors_and_staff_download(client_for, register, role):
    assert client_for(role).get(reverse("audit_export"), {"format": "json"}).status_code == 403
