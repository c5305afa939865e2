"""Bytes that are not UTF-8 JSON (or CSV): the API answers 400 saying what is wrong with the
body, in the reader's language; an import names the line, a page says so on the field; and
nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from governance.models import AuditEvent, DuesPayment, Member
from motions.models import Motion
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"

#: (body, content type, the English detail expected), each refused before any view runs.
REFUSED_BODIES = {
    "invalid UTF-8 in a string": (
        b'{"title": "\xff"}',
        JSON,
        "The request body is not valid UTF-8 (line 1, byte 12): send JSON encoded as UTF-8.",
    ),
    "UTF-8 cut in the middle of a character": (
        b'{"title": "x",\n "text": "\xc3',
        JSON,
        "The request body is not valid UTF-8 (line 2, byte 11): send JSON encoded as UTF-8.",
    ),
    "a byte order mark": (
        b'\xef\xbb\xbf{"title": "x"}',
        JSON,
        "The request body starts with a byte order mark: send UTF-8 JSON without one.",
    ),
    "declared Latin-1": (
        '{"title": "é"}'.encode("latin-1"),
        "application/json; charset=latin-1",
        "The request body is declared as latin-1: the API reads JSON in UTF-8 only.",
    ),
    "declared UTF-16": (
        '{"title": "x"}'.encode("utf-16"),
        "application/json; charset=utf-16",
        "The request body is declared as utf-16: the API reads JSON in UTF-8 only.",
    ),
    "an unknown charset": (
        b'{"title": "x"}',
        "application/json; charset=klingon",
        "The request body is declared as klingon: the API reads JSON in UTF-8 only.",
    ),
    "only spaces": (b"   ", JSON, "The request body holds no JSON value: send a JSON object."),
    "JSON that ends too early": (
        b'{"title": "x", ',
        JSON,
        "The request body ends before its JSON is complete (line 1, column 16).",
    ),
    "a missing comma": (
        b'{"title": "x" "text": "y"}',
        JSON,
        "The request body is not valid JSON at line 1, column 15: a comma (,) was expected.",
    ),
    "a trailing comma": (
        b'{"title": "x",}',
        JSON,
        "The request body is not valid JSON at line 1, column 14: "
        "an object may not end with a comma.",
    ),
    "two values": (
        b"{} {}",
        JSON,
        "The request body is not valid JSON at line 1, column 4: "
        "something follows the end of the JSON value.",
    ),
    "NaN": (
        b'{"title": NaN}',
        JSON,
        "NaN is not a number JSON allows: the API refuses NaN and infinities.",
    ),
    "a number of 5,000 digits": (
        b'{"title": ' + b"9" * 5000 + b"}",
        JSON,
        "A number in the request body has more than 4,300 digits.",
    ),
    "nested too deep": (
        b'{"title": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        JSON,
        "JSON nested more than 32 levels deep is refused.",
    ),
}


def post_motion(client, body: bytes, content_type: str, **headers):
    client.raise_request_exception = False
    return client.generic(
        "POST", reverse("api_motions"), body, content_type=content_type, headers=headers
    )


@pytest.mark.parametrize("case", sorted(REFUSED_BODIES))
def test_a_body_that_is_not_utf8_json_is_a_400_saying_why(client_for, world, case):
    body, content_type, expected = REFUSED_BODIES[case]
    events = AuditEvent.objects.count()
    response = post_motion(client_for("member"), body, content_type)
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": expected}
    assert not Motion.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize(
    "case", ["invalid UTF-8 in a string", "a byte order mark", "a missing comma"]
)
def test_the_refusal_is_in_the_readers_language(client_for, world, language, case):
    body, content_type, english = REFUSED_BODIES[case]
    response = post_motion(client_for("member"), body, content_type, accept_language=language)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail != english
    with translation.override(language):
        if case == "invalid UTF-8 in a string":
            assert detail == translation.gettext(
                "The request body is not valid UTF-8 (line %(line)s, byte %(column)s): "
                "send JSON encoded as UTF-8."
            ) % {"line": 1, "column": 12}
        elif case == "a byte order mark":
            assert detail == translation.gettext(
                "The request body starts with a byte order mark: send UTF-8 JSON without one."
            )
        else:
            assert translation.gettext("a comma (,) was expected") in detail


@pytest.mark.parametrize(
    "content_type", [JSON, "application/json; charset=utf-8", "application/json; charset=UTF8"]
)
def test_utf8_json_declared_or_not_reaches_the_serializer(client_for, world, content_type):
    response = post_motion(client_for("member"), '{"title": "Réforme"}'.encode(), content_type)
    assert response.status_code == 400
    body = response.json()
    assert "title" not in body and "text" in body  # the title was read; the rest is missing


def test_an_empty_body_names_every_required_field(client_for, world):
    response = post_motion(client_for("member"), b"", JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input: see the message under each field."
    assert body["title"] == ["This field is required."]
    assert not Motion.objects.exists()


# CSV files through the commands and the pages ------------------------------------------------

MEMBERS_HEADER = "membership_number,first_name,last_name,email,birth_date,joined_on,unit,kind"
LATIN1_MEMBERS = (
    MEMBERS_HEADER.encode()
    + b"\nMA-1,Amina,Alaoui,,2001-03-04,2024-01-10,rabat,member"
    + "\nMA-2,Hélène,X,,2001-03-04,2024-01-10,rabat,member".encode("latin-1")
)


def latin1_dues(world) -> bytes:
    MemberFactory(unit=world.group, membership_number="MA-9")
    return b"membership_number,year,amount,paid_on\nMA-9,2026,100,2026-01-02\n\xe9\n"


def test_import_members_names_the_line_that_is_not_utf8_and_fails(world, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_bytes(LATIN1_MEMBERS)
    with pytest.raises(CommandError) as caught:
        call_command("import_members", str(path), verbosity=0)
    assert str(caught.value) == (
        f"The file is not UTF-8 text.\n  {path}: line 3: "
        "this line is not valid UTF-8 (save the file as UTF-8)"
    )
    assert not Member.objects.filter(membership_number__in=["MA-1", "MA-2"]).exists()


def test_import_dues_names_the_line_that_is_not_utf8_and_fails(world, tmp_path):
    path = tmp_path / "dues.csv"
    path.write_bytes(latin1_dues(world))
    payments = DuesPayment.objects.count()
    with pytest.raises(CommandError, match=r"dues.csv: line 3: this line is not valid UTF-8"):
        call_command("import_dues", str(path), "--as", world.staff.email, verbosity=0)
    assert DuesPayment.objects.count() == payments


def test_the_import_page_names_the_line_that_is_not_utf8(client_for, world):
    upload = SimpleUploadedFile("roll.csv", LATIN1_MEMBERS, content_type="text/csv")
    response = client_for("staff").post(reverse("member_import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file is not UTF-8 text." in page
    assert "line 3: this line is not valid UTF-8 (save the file as UTF-8)" in page
    assert not Member.objects.filter(membership_number__in=["MA-1", "MA-2"]).exists()


def test_the_dues_import_page_names_the_line_that_is_not_utf8(client_for, world):
    upload = SimpleUploadedFile("dues.csv", latin1_dues(world), content_type="text/csv")
    payments = DuesPayment.objects.count()
    response = client_for("staff").post(
        reverse("dues_import"), {"file": upload}, headers={"accept-language": "fr"}
    )
    assert response.status_code == 400
    with translation.override("fr"):
        expected = translation.gettext("this line is not valid UTF-8 (save the file as UTF-8)")
    assert escape(expected) in response.content.decode()
    assert DuesPayment.objects.count() == payments
