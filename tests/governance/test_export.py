"""The register export: one digest for every format, and every kind of tampering is named."""

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from governance import services
from governance.audit import checkpoints, exports
from governance.audit import log as audit
from governance.models import AuditEvent, AuditHead, Decision, StatuteVersion
from governance.services import SYSTEM

pytestmark = pytest.mark.django_db


def decide(world, title: str = "Resolution", **overrides) -> Decision:
    values = {
        "actor": SYSTEM,
        "body": world.assembly_body,
        "title": title,
        "text": f"The General Assembly adopts: {title}.\nSecond paragraph, « guillemets », عربي.",
        "article": StatuteVersion.objects.get(number=1).articles.get(number="8"),
        "outcome": "adopted",
        "decided_on": dt.date(2026, 3, 1),
        "figures": {"eligible": 120, "took_part": 61, "yes": 40, "no": 15, "abstain": 6},
    }
    values.update(overrides)
    return services.record_decision(**values)


@pytest.fixture
def register(world) -> list[Decision]:
    first = decide(world, "Annual report")
    return [
        first,
        decide(world, "Budget", outcome="rejected", body=world.board),
        decide(world, "Amended annual report", supersedes=first),
    ]


def export(tmp_path, fmt: str = "json") -> str:
    path = tmp_path / f"register.{fmt}"
    call_command("export_register", format=fmt, output=str(path), stdout=io.StringIO())
    return path


def verify(path) -> str:
    out = io.StringIO()
    call_command("verify_export", str(path), stdout=out)
    return out.getvalue()


# Exporting and verifying ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf"])
def test_a_fresh_export_matches_the_register(register, tmp_path, fmt):
    message = verify(export(tmp_path, fmt))
    assert "matches the register: 3 decisions" in message
    assert "recorded since" not in message


def test_the_digest_is_the_same_for_every_format(register, tmp_path):
    digests = {
        exports.verify_export(export(tmp_path, fmt)).trailer.digest for fmt in exports.FORMATS
    }
    assert len(digests) == 1


def test_the_digest_is_the_sha256_of_the_canonical_json_of_the_rows(register, tmp_path):
    document = json.loads(export(tmp_path).read_text())
    rows = document["decisions"]
    expected = hashlib.sha256(audit.canonical_json(rows).encode()).hexdigest()
    assert document["trailer"]["digest"] == expected
    assert document["trailer"]["count"] == 3
    assert [row["reference"] for row in rows] == [d.reference for d in register]


def test_json_export_to_standard_output_is_one_document_with_its_trailer(register):
    out = io.StringIO()
    call_command("export_register", format="json", stdout=out, stderr=io.StringIO())
    document = json.loads(out.getvalue())
    last = AuditEvent.objects.order_by("sequence").last()
    assert document["trailer"]["audit_head"] == {"sequence": last.sequence, "hash": last.hash}
    assert document["decisions"][2]["supersedes"] == register[0].reference
    assert document["decisions"][1]["body"] == "board"


def test_csv_export_ends_with_the_trailer_as_comment_lines(register):
    out = io.StringIO()
    call_command("export_register", format="csv", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("reference,body,assembly,decided_on")
    head = AuditHead.objects.get()
    assert lines[-5].startswith("# count=3")
    assert lines[-4].startswith("# digest=")
    assert lines[-3] == f"# audit_head_sequence={head.sequence}"
    assert lines[-2] == f"# audit_head_hash={head.hash}"
    assert lines[-1].startswith("# audit_checkpoint=")


def test_every_export_carries_a_checkpoint_that_verify_export_proves(register, tmp_path):
    for fmt in ("json", "csv"):
        path = export(tmp_path, fmt)
        text = path.read_text()
        if fmt == "csv":
            line = next(x for x in text.splitlines() if x.startswith("# audit_checkpoint="))
            text = json.loads(line.removeprefix("# audit_checkpoint="))
        else:
            text = json.loads(text)["audit_checkpoint"]
        assert checkpoints.read_signed(text).size == AuditHead.objects.get().sequence
    path = export(tmp_path, "json")
    # The log truncated behind the export's back, the head moved back: the checkpoint shows it.
    last = AuditHead.objects.get().sequence
    AuditEvent.objects.filter(sequence=last).delete()
    kept = AuditEvent.objects.get(sequence=last - 1)
    AuditHead.objects.filter(id=1).update(sequence=kept.sequence, hash=kept.hash)
    with pytest.raises(CommandError, match="no longer extends the export's checkpoint"):
        verify(path)


def test_the_pdf_is_a_real_pdf_whose_trailer_reads_back(register, tmp_path):
    path = export(tmp_path, "pdf")
    assert path.read_bytes().startswith(b"%PDF")
    reader = PdfReader(path)
    keywords = dict(word.partition("=")[::2] for word in reader.metadata.keywords.split()[1:])
    check = exports.verify_export(path)
    assert keywords["count"] == "3"
    assert keywords["digest"] == check.digest
    assert keywords["audit_head_hash"] == AuditHead.objects.get().hash
    text = "".join(page.extract_text() for page in reader.pages)
    assert register[1].reference in text
    assert check.digest in text
    assert exports.PDF_ATTACHMENT in reader.attachments


def test_the_pdf_lays_out_long_words_and_blank_lines(world, tmp_path):
    decide(world, "Hashes", text="a" * 400 + "\n\n" + "b" * 30 + " end of text")
    path = export(tmp_path, "pdf")
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "end of text" in text
    assert "matches the register" in verify(path)


def test_a_pdf_export_needs_an_output_file(register):
    with pytest.raises(CommandError, match="--output"):
        call_command("export_register", format="pdf", stdout=io.StringIO())


def test_an_empty_register_exports_and_verifies(world, tmp_path):
    for fmt in exports.FORMATS:
        assert "0 decisions" in verify(export(tmp_path, fmt))


def test_a_json_export_reformatted_by_a_tool_still_verifies(register, tmp_path):
    path = export(tmp_path)
    path.write_text(json.dumps(json.loads(path.read_text()), indent=4, ensure_ascii=False))
    assert "matches the register" in verify(path)


def test_decisions_recorded_after_the_export_are_counted_not_refused(register, tmp_path, world):
    path = export(tmp_path, "csv")
    decide(world, "Later resolution")
    decide(world, "Another one")
    assert "2 decisions recorded since the export" in verify(path)


@pytest.mark.django_db(transaction=True)
def test_export_and_verify_take_their_own_snapshot_outside_a_transaction(world, tmp_path):
    decide(world, "Outside any test transaction")
    assert "matches the register: 1 decisions" in verify(export(tmp_path, "json"))


# Tampering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": "A forged text."}, "text"),
        ({"figures": {"eligible": 120, "took_part": 61, "yes": 60}}, "figures"),
        ({"outcome": "adopted"}, "outcome"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "csv", "pdf"])
def test_a_decision_altered_in_the_database_is_named(register, tmp_path, fmt, change, field):
    path = export(tmp_path, fmt)
    Decision.objects.filter(pk=register[1].pk).update(**change)
    with pytest.raises(CommandError) as raised:
        verify(path)
    assert f"decision {register[1].reference} differs from the register in {field}" in str(
        raised.value
    )
    assert "digest" not in str(raised.value)  # the file itself is intact


def test_a_decision_altered_through_sql_is_named(register, tmp_path):
    path = export(tmp_path)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Decision._meta.db_table} SET title = %s WHERE id = %s",
            ["Forged title", register[2].pk],
        )
    with pytest.raises(CommandError, match=f"{register[2].reference} differs .* in title"):
        verify(path)


def test_a_deleted_decision_is_named(register, tmp_path):
    path = export(tmp_path, "csv")
    Decision.objects.filter(pk=register[1].pk).delete()
    with pytest.raises(CommandError, match=f"{register[1].reference} is no longer in the register"):
        verify(path)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_row_edited_in_the_file_breaks_its_digest(register, tmp_path, fmt):
    path = export(tmp_path, fmt)
    content = path.read_text()
    path.write_text(content.replace("Budget", "Budget (amended)", 1))
    with pytest.raises(CommandError) as raised:
        verify(path)
    message = str(raised.value)
    assert "the file's rows do not match its digest" in message
    # Comparing with the register tells which row was edited.
    assert f"decision {register[1].reference} differs from the register in title" in message


def test_a_row_removed_from_the_file_breaks_its_count(register, tmp_path):
    path = export(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if '"Budget"' not in line))
    with pytest.raises(CommandError, match="holds 2 decisions but its trailer says 3"):
        verify(path)


def test_an_altered_audit_event_is_named(register, tmp_path):
    path = export(tmp_path)
    event = AuditEvent.objects.filter(action="decision.recorded").order_by("sequence").first()
    AuditEvent.objects.filter(pk=event.pk).update(new={"title": "forged"})
    with pytest.raises(CommandError, match=f"audit chain is broken at event {event.sequence}"):
        verify(path)


def test_a_rewritten_chain_tail_no_longer_holds_the_exported_head(register, tmp_path, world):
    path = export(tmp_path)
    exported_head = AuditHead.objects.get()
    # Cut the tail at the exported head and append different events: the chain is valid
    # again, but the event at the exported sequence is no longer the one the export saw.
    AuditEvent.objects.filter(sequence=exported_head.sequence).delete()
    previous = AuditEvent.objects.get(sequence=exported_head.sequence - 1)
    AuditHead.objects.filter(id=1).update(sequence=previous.sequence, hash=previous.hash)
    services.create_unit(actor=SYSTEM, code="later", name="Later group", kind="local_group")
    assert audit.verify_chain().ok
    with pytest.raises(CommandError, match=f"audit event {exported_head.sequence}, the head"):
        verify(path)


# Malformed files ----------------------------------------------------------------------------


def test_a_truncated_json_export_is_refused_naming_the_line(register, tmp_path):
    path = export(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:9]))  # header (7 lines) and two decisions
    with pytest.raises(CommandError, match="line 9: the file ends before its trailer"):
        verify(path)


def test_a_json_export_cut_inside_a_row_is_refused_naming_the_line(register, tmp_path):
    path = export(tmp_path)
    content = path.read_text()
    path.write_text(content[: content.index("Budget")])
    with pytest.raises(CommandError, match="line 9: this decision is not valid JSON"):
        verify(path)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda lines: lines.__setitem__(7, lines[7].replace("},\n", "}\n")), "line 9: a comma"),
        (lambda lines: lines.__setitem__(9, lines[9].replace("}\n", "},\n")), "line 10: a comma"),
        (lambda lines: lines.append("{}\n"), "line 14: unexpected text after the end"),
        (lambda lines: lines.__setitem__(11, '  "trailer": {"count": 3}\n'), "line 12: expected"),
    ],
)
def test_a_json_export_with_broken_punctuation_is_refused_naming_the_line(
    register, tmp_path, edit, expected
):
    path = export(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    edit(lines)
    path.write_text("".join(lines))
    with pytest.raises(CommandError, match=expected):
        verify(path)


def test_a_truncated_csv_export_is_refused_naming_the_line(register, tmp_path):
    path = export(tmp_path, "csv")
    content = path.read_text()
    path.write_text(content[: content.index("# count")])
    with pytest.raises(CommandError, match=r"line \d+: the file ends before its trailer"):
        verify(path)


def test_a_csv_row_with_missing_columns_is_refused_naming_its_line(register, tmp_path):
    path = export(tmp_path, "csv")
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(1, "ORG 50/999/2026,board,\n")
    path.write_text("".join(lines))
    with pytest.raises(CommandError, match="line 2: expected 14 columns, found 3"):
        verify(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("not,a,register\n1,2,3\n", "line 1: expected the header row"),
        ('{"format": "something else"}\n', "this is not a decision register export"),
        ('{\n  "format": "something else",\n  "decisions": [\n', "line 2: this is not a decision"),
        ("{\n  [1, 2]\n}\n", "line 2: not valid JSON"),
        ("%PDF-1.4\nnot really a pdf", "not a readable PDF"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(world, tmp_path, content, expected):
    path = tmp_path / "export"
    path.write_text(content)
    with pytest.raises(CommandError, match=expected):
        verify(path)


def test_a_missing_file_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        verify(tmp_path / "nowhere.json")


# The digest without a database -------------------------------------------------------------


def test_row_digest_fed_row_by_row_equals_the_digest_of_the_whole_array():
    rows = [{"reference": "ORG 50/001/2026", "figures": {"b": 1, "a": "é"}}, {"reference": "x"}]
    whole = hashlib.sha256(audit.canonical_json(rows).encode()).hexdigest()
    assert exports.digest_of(rows) == whole
    assert exports.digest_of([]) == hashlib.sha256(b"[]").hexdigest()


# Read the fast way, decided by the definition ---------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_numbers_orjson_cannot_hold_still_verify(register, tmp_path, fmt):
    """orjson reads an integer past 64 bits as a double: the fast reading then differs from
    the register, and the standard library's reading decides (the file is intact)."""
    figures = {"eligible": 2**70 + 1, "took_part": -(2**64) - 3, "yes": 2**63, "no": 0}
    Decision.objects.filter(pk=register[1].pk).update(figures=figures)
    assert "matches the register: 3 decisions" in verify(export(tmp_path, fmt))


def test_floats_in_the_register_are_compared_as_their_text(register, tmp_path):
    """The live rows' JSON columns are decoded as `jsonable` makes them (a float as its
    text), in one pass of the decoder: the export wrote them so."""
    Decision.objects.filter(pk=register[0].pk).update(figures={"share": 0.25, "big": 1e300})
    path = export(tmp_path)
    assert '"0.25"' in path.read_text()
    assert "matches the register" in verify(path)


def test_a_reordered_file_breaks_its_digest_but_names_no_decision(register, tmp_path):
    """Each row still meets its decision (read ahead in the register's order, or looked up):
    only the digest, which depends on the order, tells."""
    path = export(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    rows = [i for i, line in enumerate(lines) if line.startswith('    {"reference"')]
    first, last = lines[rows[0]], lines[rows[-1]]
    lines[rows[0]], lines[rows[-1]] = last.rstrip("\n") + ",\n", first.rstrip(",\n") + "\n"
    path.write_text("".join(lines))
    with pytest.raises(CommandError) as raised:
        verify(path)
    assert "the file's rows do not match its digest" in str(raised.value)
    assert "differs from the register" not in str(raised.value)
    assert "no longer in the register" not in str(raised.value)


def test_a_file_row_far_from_its_place_is_looked_up(register, tmp_path, monkeypatch):
    """With a window of one row read ahead, a row out of place is looked up by reference."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    test_a_reordered_file_breaks_its_digest_but_names_no_decision(register, tmp_path)


@pytest.mark.django_db(databases=[])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_the_json_columns_decode_as_jsonable_makes_them(value):
    text = json.dumps(value)
    assert exports.json_value(text) == audit.jsonable(json.loads(text))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranges in processes: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_audit_chain_is_checked_in_parallel_inside_the_exports_snapshot(
    register, tmp_path, monkeypatch
):
    """verify_export --workers: the ranges' processes read the snapshot its own read is in."""
    monkeypatch.setattr(audit, "CHUNK", 2)
    path = export(tmp_path)
    assert AuditEvent.objects.count() > audit.CHUNK  # two ranges at least
    out = io.StringIO()
    call_command("verify_export", str(path), workers=2, stdout=out)
    assert "matches the register: 3 decisions" in out.getvalue()
    AuditEvent.objects.filter(sequence=3).update(actor_label="somebody else")
    with pytest.raises(CommandError, match="audit chain is broken at event 3"):
        call_command("verify_export", str(path), workers=2, stdout=io.StringIO())
