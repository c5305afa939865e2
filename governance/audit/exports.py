"""The hash-anchored export of the decision register (JSON, CSV, PDF) and its later verification.

An export holds every decision as a row of plain values (foreign keys by their natural keys:
body code, statute version number, article number, superseded reference) and a trailer: the
number of rows, their digest and the audit chain's head when the export was read. The digest
is the SHA-256 of ``canonical_json(rows)`` (the rows as a JSON array, keys sorted, no spaces,
UTF-8), so it depends on the values only and is the same for the three formats. Rows and head
are read in one snapshot, so the head covers exactly the decisions exported.

Exports are written and read back as streams: memory stays constant whatever the size of the
register, except for the PDF, which the PDF library builds in memory.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
import tempfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance import csvsafe, pdf
from governance.audit import checkpoints
from governance.audit.log import (
    GENESIS_HASH,
    canonical_json,
    jsonable,
    read_snapshot,
    verify_chain,
)
from governance.models import AuditEvent, Body, Decision

FORMATS = ("json", "csv", "pdf")
DOCUMENT_FORMAT = "decision-register-export"
DOCUMENT_VERSION = 1
PDF_ATTACHMENT = "decision-register.json"
CHUNK_SIZE = 2000

#: The exported columns and the lookups that read them; the order is the CSV's.
COLUMNS = {
    "reference": "reference",
    "body": "body__code",
    "assembly": "assembly_id",
    "decided_on": "decided_on",
    "title": "title",
    "text": "text",
    "statute_version": "statute_version__number",
    "article": "article__number",
    "rule_snapshot": "rule_snapshot",
    "figures": "figures",
    "outcome": "outcome",
    "supersedes": "supersedes__reference",
    "recorded_at": "recorded_at",
    "recorded_by": "recorded_by_id",
}
FIELDS = tuple(COLUMNS)
_JSON_COLUMNS = frozenset({"rule_snapshot", "figures"})
_INTEGER_COLUMNS = frozenset({"assembly", "statute_version", "recorded_by"})
_NULLABLE_COLUMNS = frozenset({"assembly", "supersedes", "recorded_by"})
_HEX64 = re.compile(r"[0-9a-f]{64}")

# The drawn text is shaped, Arabic right to left (governance.pdf); the attached JSON, not
# the drawn text, is what verification reads.


class ExportFormatError(Exception):
    """The file is not a readable export; `line` names where reading stopped, if known."""

    def __init__(self, message: str, *, line: int | None = None, where: str = ""):
        self.message, self.line, self.where = message, line, where
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.where
        if self.line is not None:
            place = (
                _("%(where)s line %(line)s") % {"where": place, "line": self.line}
                if place
                else _("line %(line)s") % {"line": self.line}
            )
        return f"{place}: {self.message}" if place else self.message


@dataclass(frozen=True)
class Trailer:
    """What an export says about itself: how many rows, their digest, the audit head."""

    count: int
    digest: str
    head_sequence: int
    head_hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "digest": self.digest,
            "audit_head": {"sequence": self.head_sequence, "hash": self.head_hash},
        }

    def as_pairs(self) -> list[tuple[str, str]]:
        """The ``key=value`` form used by the CSV comment lines and the PDF keywords."""
        return [
            ("count", str(self.count)),
            ("digest", self.digest),
            ("audit_head_sequence", str(self.head_sequence)),
            ("audit_head_hash", self.head_hash),
        ]

    @classmethod
    def from_json(cls, data: Any) -> Trailer:
        head = data.get("audit_head") if isinstance(data, dict) else None
        if not isinstance(head, dict):
            raise ValueError(_("the trailer needs count, digest and audit_head"))
        return cls._checked(
            data.get("count"), data.get("digest"), head.get("sequence"), head.get("hash")
        )

    @classmethod
    def from_pairs(cls, pairs: dict[str, str]) -> Trailer:
        missing = [key for key, _value in cls(0, "", 0, "").as_pairs() if key not in pairs]
        if missing:
            raise ValueError(_("the trailer lacks %(keys)s") % {"keys": ", ".join(missing)})
        try:
            count, sequence = int(pairs["count"]), int(pairs["audit_head_sequence"])
        except ValueError:
            raise ValueError(_("the trailer's count and sequence must be integers")) from None
        return cls._checked(count, pairs["digest"], sequence, pairs["audit_head_hash"])

    @classmethod
    def _checked(cls, count: Any, digest: Any, sequence: Any, head_hash: Any) -> Trailer:
        if not (
            isinstance(count, int)
            and isinstance(sequence, int)
            and isinstance(digest, str)
            and _HEX64.fullmatch(digest)
            and isinstance(head_hash, str)
            and _HEX64.fullmatch(head_hash)
        ):
            raise ValueError(
                _("the trailer needs an integer count and sequence and two SHA-256 hashes")
            )
        return cls(count, digest, sequence, head_hash)


class RowDigest:
    """SHA-256 of ``canonical_json(rows)``, fed one row at a time."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self.count = 0

    def add(self, row: dict[str, Any], *, plain: bool = False) -> str:
        """Feed one row; its canonical JSON is returned for the caller to reuse. `plain`:
        `canonical_json`'s, the caller's promise that the row is `jsonable`'s output."""
        text = canonical_json(row, plain=plain)
        if self.count:
            self._hash.update(b",")
        self._hash.update(text.encode())
        self.count += 1
        return text

    def hexdigest(self) -> str:
        final = self._hash.copy()
        final.update(b"]")
        return final.hexdigest()


def digest_of(rows: Iterable[dict[str, Any]]) -> str:
    digest = RowDigest()
    for row in rows:
        digest.add(row)
    return digest.hexdigest()


# ---------------------------------------------------------------------------
# Reading the register
# ---------------------------------------------------------------------------


def _float_text(text: str) -> str:
    return repr(float(text))


_JSONABLE_DECODER = json.JSONDecoder(parse_float=_float_text, parse_constant=_float_text)


def json_value(text: str | None) -> Any:
    """`jsonable` of the JSON `text` decoded, in one pass of the standard library's decoder:
    a float (or NaN, Infinity) becomes its text, as `jsonable` makes it; nothing else in
    decoded JSON is changed by `jsonable`. For the JSON columns, read as text."""
    if text is None:
        return None
    return _JSONABLE_DECODER.decode(text)


#: The lookups of COLUMNS, the JSON columns read as their text (`json_value` decodes them).
_LOOKUPS = [
    Cast(lookup, TextField()) if name in _JSON_COLUMNS else lookup
    for name, lookup in COLUMNS.items()
]
_DECODERS = [json_value if name in _JSON_COLUMNS else jsonable for name in FIELDS]


def _as_rows(values: Iterable[tuple]) -> Generator[dict[str, Any]]:
    for record in values:
        yield {
            name: decode(value)
            for name, decode, value in zip(FIELDS, _DECODERS, record, strict=True)
        }


def register_rows() -> Generator[dict[str, Any]]:
    """Every decision as an export row, in the order they were recorded."""
    values = Decision.objects.order_by("pk").values_list(*_LOOKUPS)
    return _as_rows(values.iterator(chunk_size=CHUNK_SIZE))


def rows_for(references: list[str]) -> dict[str, dict[str, Any]]:
    values = Decision.objects.filter(reference__in=references).values_list(*_LOOKUPS)
    return {row["reference"]: row for row in _as_rows(values)}


def audit_head() -> tuple[int, str]:
    """The last event's sequence and hash; (0, genesis) for an empty log."""
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return last or (0, GENESIS_HASH)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def export_register(out: IO, *, fmt: str, exported_at: dt.datetime | None = None) -> Trailer:
    """Write the whole register to `out` (text for json and csv, binary for pdf).

    Rows and audit head come from one snapshot; the rows are streamed (JSON and CSV).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    exported_at = exported_at or timezone.now()
    if fmt == "pdf":
        return _write_pdf(out, exported_at)
    with read_snapshot():
        head = audit_head()
        writer = write_json if fmt == "json" else write_csv
        return writer(out, register_rows(), head=head, exported_at=exported_at)


def write_json(
    out: IO[str], rows: Iterable[dict], *, head: tuple[int, str], exported_at: dt.datetime
) -> Trailer:
    """One decision per line inside the ``decisions`` array, then the trailer object."""
    return _drain(json_chunks(rows, head=head, exported_at=exported_at), out)


def json_chunks(
    rows: Iterable[dict], *, head: tuple[int, str], exported_at: dt.datetime
) -> Generator[str, None, Trailer]:
    """The JSON export piece by piece; the generator returns the trailer."""
    yield "{\n"
    yield f'  "format": "{DOCUMENT_FORMAT}",\n'
    yield f'  "version": {DOCUMENT_VERSION},\n'
    yield f'  "exported_at": {json.dumps(jsonable(exported_at))},\n'
    yield f'  "fields": {json.dumps(list(FIELDS))},\n'
    # The signed checkpoint of the audit log in the same snapshot (verify_export proves it).
    yield f'  "audit_checkpoint": {json.dumps(checkpoints.signed_current(at=exported_at))},\n'
    yield '  "decisions": [\n'
    digest = RowDigest()
    for row in rows:
        if digest.count:
            yield ",\n"
        yield "    " + json.dumps(row, ensure_ascii=False)
        digest.add(row, plain=True)
    yield "\n  ],\n" if digest.count else "  ],\n"
    trailer = Trailer(digest.count, digest.hexdigest(), *head)
    yield f'  "trailer": {json.dumps(trailer.as_json())}\n'
    yield "}\n"
    return trailer


def _csv_cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    return csvsafe.neutralise(canonical_json(value) if name in _JSON_COLUMNS else value)


class _Line:
    """A file-like object for `csv.writer` that hands back the last line written."""

    def write(self, text: str) -> str:
        return text


def write_csv(
    out: IO[str], rows: Iterable[dict], *, head: tuple[int, str], exported_at: dt.datetime
) -> Trailer:
    """A header row, one row per decision (JSON columns as JSON), the trailer as ``#`` lines."""
    return _drain(csv_chunks(rows, head=head, exported_at=exported_at), out)


def csv_chunks(
    rows: Iterable[dict], *, head: tuple[int, str], exported_at: dt.datetime
) -> Generator[str, None, Trailer]:
    """The CSV export line by line; the generator returns the trailer."""
    writer = csvsafe.writer(_Line(), lineterminator="\n")
    yield ",".join(FIELDS) + "\n"  # plain names, unquoted: what a reader looks for
    digest = RowDigest()
    for row in rows:
        yield writer.writerow([_csv_cell(name, row[name]) for name in FIELDS])
        digest.add(row, plain=True)
    trailer = Trailer(digest.count, digest.hexdigest(), *head)
    yield f"# exported_at={jsonable(exported_at)}\n"
    for key, value in trailer.as_pairs():
        yield f"# {key}={value}\n"
    yield f"# audit_checkpoint={json.dumps(checkpoints.signed_current(at=exported_at))}\n"
    return trailer


def _drain(chunks: Generator[str, None, Trailer], out: IO[str]) -> Trailer:
    """Write every chunk to `out` and return what the generator returns."""
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as done:
            return done.value


def export_chunks(
    fmt: str, *, exported_at: dt.datetime | None = None, size: int = 64 * 1024
) -> Iterator[str]:
    """The JSON or CSV export in pieces of about `size` characters, for a streamed response.

    Rows and audit head are read in one snapshot held while the pieces are consumed (a
    read-only transaction for the length of the download); memory stays constant.
    """
    chunker = {"json": json_chunks, "csv": csv_chunks}[fmt]
    exported_at = exported_at or timezone.now()
    with read_snapshot():
        pending: list[str] = []
        length = 0
        for chunk in chunker(register_rows(), head=audit_head(), exported_at=exported_at):
            pending.append(chunk)
            length += len(chunk)
            if length >= size:
                yield "".join(pending)
                pending, length = [], 0
        if pending:
            yield "".join(pending)


def _write_pdf(out: IO[bytes], exported_at: dt.datetime) -> Trailer:
    """The register for people to read, with the JSON export attached for machines.

    The JSON export is written first (in the snapshot) to a temporary file; the PDF's pages are
    rendered from it, and it is attached to the PDF, so `verify_export` recomputes the digest
    from the attachment and checks it against the trailer kept in the PDF's keywords.
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as data:
        with read_snapshot():
            head = audit_head()
            trailer = write_json(data, register_rows(), head=head, exported_at=exported_at)
            bodies = dict(Body.objects.values_list("code", "name"))
            # The same text as the attachment's (one snapshot, one time: Ed25519 is deterministic).
            checkpoint_text = checkpoints.signed_current(at=exported_at)
        data.seek(0)
        document = _RegisterPdf(trailer=trailer, exported_at=exported_at, bodies=bodies)
        for row in _JsonReader(data).rows():
            document.decision(row)
        data.seek(0)
        document.close_with(data.buffer.read(), checkpoint_text)
    document.output(out)
    return trailer


class _RegisterPdf:
    """The decision register laid out as a `pdf.Document`: one block per decision, then the trailer."""

    def __init__(self, *, trailer: Trailer, exported_at: dt.datetime, bodies: dict[str, str]):
        self.trailer, self.bodies, self.exported_at = trailer, bodies, exported_at
        title = _("Decision register")
        doc = self.doc = pdf.Document(
            title=title,
            created_at=exported_at,
            footer=trailer.digest[:16],
            footer_align="R",
            subject=_("%(count)s decisions, digest %(digest)s, audit head #%(sequence)s %(hash)s")
            % {
                "count": trailer.count,
                "digest": trailer.digest,
                "sequence": trailer.head_sequence,
                "hash": trailer.head_hash,
            },
            keywords=" ".join(
                [DOCUMENT_FORMAT] + [f"{key}={value}" for key, value in trailer.as_pairs()]
            ),
        )
        doc.line(title, size=16, bold=True, height=9)
        doc.line(
            _("Exported %(when)s · audit head #%(sequence)s")
            % {
                "when": timezone.localtime(exported_at).strftime("%Y-%m-%d %H:%M %Z"),
                "sequence": trailer.head_sequence,
            },
            size=9,
        )
        doc.space(4)

    def decision(self, row: dict[str, Any]) -> None:
        doc = self.doc
        outcome = row["outcome"]
        if outcome in Decision.Outcome.values:
            outcome = str(Decision.Outcome(outcome).label)
        doc.line(f"{row['reference']} · {row['decided_on']} · {outcome}", size=10, bold=True)
        cited = _("%(body)s · article %(article)s, statutes version %(version)s") % {
            "body": self.bodies.get(row["body"], row["body"]),
            "article": row["article"],
            "version": row["statute_version"],
        }
        if row["supersedes"]:
            cited += " · " + _("supersedes %(reference)s") % {"reference": row["supersedes"]}
        doc.line(cited, size=9)
        doc.line(row["title"], size=10, bold=True)
        doc.line(row["text"], size=9, height=4.5)
        doc.space(3)

    def close_with(self, data: bytes, checkpoint_text: str = "") -> None:
        doc, trailer = self.doc, self.trailer
        doc.space(2)
        doc.line(_("Trailer"), size=12, bold=True, height=7)
        for label, value in (
            (_("Decisions"), str(trailer.count)),
            (_("Digest (SHA-256)"), trailer.digest),
            (_("Audit head sequence"), str(trailer.head_sequence)),
            (_("Audit head hash"), trailer.head_hash),
        ):
            doc.pair(label, value, size=9)
        if checkpoint_text:
            doc.line(_("Audit log checkpoint"), size=10, bold=True)
            doc.small_lines(checkpoint_text)
        doc.attach(
            data,
            name=PDF_ATTACHMENT,
            mime_type="application/json",
            description=_("The decision register export in JSON"),
            at=self.exported_at,
        )

    def output(self, out: IO[bytes]) -> None:
        self.doc.output(out)


# ---------------------------------------------------------------------------
# Reading an export back
# ---------------------------------------------------------------------------


def _check_row(data: Any, *, line: int | None, where: str = "") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ExportFormatError(_("a decision must be a JSON object"), line=line, where=where)
    if set(data) != set(FIELDS):
        raise ExportFormatError(
            _("a decision must have exactly the fields %(fields)s") % {"fields": ", ".join(FIELDS)},
            line=line,
            where=where,
        )
    return data


def _checkpoint_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _fast_loads(text: str) -> Any:
    """orjson's reading of a JSON text; what it refuses (NaN, a lone surrogate) the standard
    library reads or refuses, with its own message."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class _JsonReader:
    """Reads the layout `write_json` writes, line by line; any other valid JSON in one piece."""

    def __init__(self, stream: IO[str], *, where: str = "", fast: bool = False):
        self.stream, self.where = stream, where
        self.loads = _fast_loads if fast else json.loads
        self.trailer: Trailer | None = None
        self.checkpoint_text: str | None = None
        self.line = 0

    def error(self, message: str, line: int | None = None) -> ExportFormatError:
        return ExportFormatError(
            message, line=self.line if line is None else line, where=self.where
        )

    def rows(self) -> Iterator[dict[str, Any]]:
        yielded = 0
        try:
            for row in self._lines():
                yielded += 1
                yield row
        except ExportFormatError:
            # A file reformatted by a tool is still a valid export: read it whole. Only when no
            # row was handed out yet, so the caller never sees a row twice.
            if yielded:
                raise
            document = self._whole()
            if document is None:
                raise
            yield from document

    def _next(self) -> str | None:
        try:
            line = self.stream.readline()
        except UnicodeDecodeError:
            raise self.error(_("the file is not UTF-8 text"), self.line + 1) from None
        if not line:
            return None
        self.line += 1
        return line

    def _lines(self) -> Iterator[dict[str, Any]]:
        truncated = _("the file ends before its trailer: it is truncated")
        if (self._next() or "").strip() != "{":
            raise self.error(_("expected the opening brace of the export"))
        header: dict[str, Any] = {}
        format_line = None
        while True:
            line = self._next()
            if line is None:
                raise self.error(truncated)
            text = line.strip()
            if text == '"decisions": [':
                break
            try:
                header.update(json.loads("{" + text.removesuffix(",") + "}"))
            except json.JSONDecodeError as error:
                raise self.error(_("not valid JSON (%(error)s)") % {"error": error.msg}) from None
            if "format" in header and format_line is None:
                format_line = self.line
        if header.get("format") != DOCUMENT_FORMAT:
            raise self.error(_("this is not a decision register export"), format_line)
        self.checkpoint_text = _checkpoint_text(header.get("audit_checkpoint"))
        comma = None
        while True:
            line = self._next()
            if line is None:
                raise self.error(truncated)
            text = line.strip()
            if text in ("]", "],"):
                if comma:
                    raise self.error(_("a comma after the last decision"), self.line - 1)
                if text == "]":
                    raise self.error(_("a comma is missing after the end of the decisions"))
                break
            if comma is False:
                raise self.error(_("a comma is missing at the end of the previous line"))
            comma = text.endswith(",")
            try:
                data = self.loads(text.removesuffix(","))
            except json.JSONDecodeError as error:
                raise self.error(
                    _("this decision is not valid JSON (%(error)s)") % {"error": error.msg}
                ) from None
            yield _check_row(data, line=self.line, where=self.where)
        line = self._next()
        if line is None:
            raise self.error(truncated)
        try:
            data = json.loads("{" + line.strip() + "}")
            self.trailer = Trailer.from_json(data["trailer"])
        except (json.JSONDecodeError, KeyError, ValueError) as error:
            detail = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            raise self.error(_("expected the trailer (%(error)s)") % {"error": detail}) from None
        if (self._next() or "").strip() != "}":
            raise self.error(_("expected the closing brace of the export"))
        while (line := self._next()) is not None:
            if line.strip():
                raise self.error(_("unexpected text after the end of the export"))

    def _whole(self) -> list[dict[str, Any]] | None:
        """The decisions of a JSON export in another layout; None if the file is not JSON."""
        self.stream.seek(0)
        try:
            document = json.load(self.stream)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
            raise ExportFormatError(_("this is not a decision register export"), where=self.where)
        decisions = document.get("decisions")
        if not isinstance(decisions, list):
            raise ExportFormatError(_("the export has no list of decisions"), where=self.where)
        try:
            self.trailer = Trailer.from_json(document.get("trailer"))
        except ValueError as error:
            raise ExportFormatError(str(error), where=self.where) from None
        self.checkpoint_text = _checkpoint_text(document.get("audit_checkpoint"))
        return [_check_row(row, line=None, where=self.where) for row in decisions]


class _CsvReader:
    """Reads the layout `write_csv` writes: header, rows, ``# key=value`` trailer lines."""

    def __init__(self, stream: IO[str], *, fast: bool = False):
        self.stream = stream
        self.loads = _fast_loads if fast else json.loads
        self.trailer: Trailer | None = None
        self.checkpoint_text: str | None = None
        self.line = 0

    def rows(self) -> Iterator[dict[str, Any]]:
        reader = csv.reader(self.stream)
        pairs: dict[str, str] = {}
        start = 1
        try:
            for record in reader:
                start, self.line = self.line + 1, reader.line_num
                if not record:
                    continue
                if len(record) == 1 and record[0].startswith("#"):
                    key, equals, value = record[0].removeprefix("#").strip().partition("=")
                    if not equals:
                        raise ExportFormatError(
                            _("expected a '# key=value' trailer line"), line=start
                        )
                    pairs[key.strip()] = value.strip()
                    continue
                if pairs:
                    raise ExportFormatError(_("a decision after the trailer"), line=start)
                if start == 1:
                    if tuple(record) != FIELDS:
                        raise ExportFormatError(
                            _("expected the header row %(fields)s") % {"fields": ",".join(FIELDS)},
                            line=1,
                        )
                    continue
                yield self._row(record, start)
        except csv.Error as error:
            raise ExportFormatError(
                _("not valid CSV (%(error)s)") % {"error": error}, line=self.line + 1
            ) from None
        except UnicodeDecodeError:
            raise ExportFormatError(_("the file is not UTF-8 text"), line=self.line + 1) from None
        if self.line == 0:
            raise ExportFormatError(_("the file is empty"), line=1)
        if "count" not in pairs:
            raise ExportFormatError(
                _("the file ends before its trailer: it is truncated"), line=self.line
            )
        try:
            self.trailer = Trailer.from_pairs(pairs)
        except ValueError as error:
            raise ExportFormatError(str(error), line=self.line) from None
        if "audit_checkpoint" in pairs:
            try:
                self.checkpoint_text = _checkpoint_text(json.loads(pairs["audit_checkpoint"]))
            except json.JSONDecodeError:
                self.checkpoint_text = pairs["audit_checkpoint"]  # verify_export names it bad

    def _row(self, record: list[str], line: int) -> dict[str, Any]:
        if len(record) != len(FIELDS):
            raise ExportFormatError(
                _("expected %(expected)s columns, found %(found)s")
                % {"expected": len(FIELDS), "found": len(record)},
                line=line,
            )
        row: dict[str, Any] = {}
        for name, written in zip(FIELDS, record, strict=True):
            cell = csvsafe.restore(written)
            if cell == "" and name in _NULLABLE_COLUMNS:
                row[name] = None
            elif name in _INTEGER_COLUMNS:
                try:
                    row[name] = int(cell)
                except ValueError:
                    raise ExportFormatError(
                        _("%(column)s must be an integer") % {"column": name}, line=line
                    ) from None
            elif name in _JSON_COLUMNS:
                try:
                    row[name] = self.loads(cell)
                except json.JSONDecodeError:
                    raise ExportFormatError(
                        _("%(column)s is not valid JSON") % {"column": name}, line=line
                    ) from None
            else:
                row[name] = cell
        return row


def _pdf_contents(path: Path) -> tuple[Trailer, bytes]:
    """The trailer in a PDF export's keywords and its attached JSON export."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        keywords = (reader.metadata or {}).get("/Keywords") or ""
        attachments = reader.attachments
        data = attachments.get(PDF_ATTACHMENT)
    except Exception as error:  # pypdf raises many kinds of errors on a damaged file
        raise ExportFormatError(
            _("not a readable PDF (%(error)s)") % {"error": str(error) or type(error).__name__}
        ) from None
    words = str(keywords).split()
    if not words or words[0] != DOCUMENT_FORMAT:
        raise ExportFormatError(_("this PDF is not a decision register export"))
    try:
        trailer = Trailer.from_pairs(dict(word.partition("=")[::2] for word in words[1:]))
    except ValueError as error:
        raise ExportFormatError(_("the PDF keywords: %(error)s") % {"error": error}) from None
    if not data:
        raise ExportFormatError(
            _("the PDF has no %(name)s attachment to verify") % {"name": PDF_ATTACHMENT}
        )
    return trailer, data[0]


def detect_format(path: Path) -> str:
    """By content: ``%PDF`` for PDF, an opening brace for JSON, anything else is CSV."""
    try:
        with path.open("rb") as file:
            start = file.read(1024)
    except OSError as error:
        raise ExportFormatError(
            _("cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror}
        ) from None
    if start.startswith(b"%PDF"):
        return "pdf"
    if not start.strip():
        raise ExportFormatError(_("the file is empty"), line=1)
    return "json" if start.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{") else "csv"


# ---------------------------------------------------------------------------
# Verifying
# ---------------------------------------------------------------------------


@dataclass
class ExportCheck:
    """What `verify_export` found. `problems` is empty when the export matches."""

    format: str
    trailer: Trailer
    count: int
    digest: str
    recorded_since: int = 0
    audit_events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_export(path: Path, *, workers: int = 1) -> ExportCheck:
    """Check an export against itself, the live register and the audit chain.

    Raises `ExportFormatError` (naming the line) when the file cannot be read as an export.
    Otherwise reports, in this order: rows that do not match the file's own digest or count;
    the first decision that differs from the live register or is missing from it (and how
    many more do); a broken audit chain or an exported head that is no longer in it.

    The file is read once the fast way (orjson reads each row and writes its canonical
    JSON); only when that finds a difference is it read again by the definition (the
    standard library's `json`, `canonical_json`), which then decides what is reported. The
    fast way can only spare work: rows whose canonical JSON gives the trailer's digest are
    the rows exported. `workers`: `verify_chain`'s, for the audit log.
    """
    fmt = detect_format(path)
    with contextlib.ExitStack() as stack:
        pdf_trailer, data = _pdf_contents(path) if fmt == "pdf" else (None, b"")

        def reader(fast: bool) -> _JsonReader | _CsvReader:
            if fmt == "pdf":
                text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
                return _JsonReader(text, where=PDF_ATTACHMENT, fast=fast)
            stream = stack.enter_context(path.open(encoding="utf-8-sig", newline=""))
            return (
                _JsonReader(stream, fast=fast) if fmt == "json" else _CsvReader(stream, fast=fast)
            )

        with read_snapshot():
            read = reader(fast=True)
            check = _verify_rows(read, fmt, pdf_trailer, fast=True)
            if check.problems:  # the definition decides what anyone is told
                read = reader(fast=False)
                check = _verify_rows(read, fmt, pdf_trailer, fast=False)
            _verify_audit(check, read, workers)
            return check


def _verify_rows(
    reader: _JsonReader | _CsvReader, fmt: str, pdf_trailer: Trailer | None, *, fast: bool
) -> ExportCheck:
    """The file's rows against its trailer and the live register (see `verify_export`)."""
    digest = RowDigest()
    differing: list[str] = []
    lookups: list[tuple[dict[str, Any], str]] = []  # rows not met in the register's order
    size = min(CHUNK_SIZE, connection.features.max_query_params or CHUNK_SIZE)

    def compare(row: dict[str, Any], text: str, current: dict[str, Any] | None) -> None:
        if current is None:
            differing.append(
                _("decision %(reference)s is no longer in the register")
                % {"reference": row["reference"]}
            )
        elif canonical_json(current, plain=fast) != text:
            changed = [
                name
                for name in FIELDS
                if canonical_json(row[name]) != canonical_json(current[name])
            ]
            differing.append(
                _("decision %(reference)s differs from the register in %(fields)s")
                % {"reference": row["reference"], "fields": ", ".join(changed)}
            )

    def look_up() -> None:
        live = rows_for([row["reference"] for row, _text in lookups])
        for row, text in lookups:
            compare(row, text, live.get(row["reference"]))
        lookups.clear()

    # The register is read once, in the order it was exported, beside the file: each file
    # row meets its decision within a window of CHUNK_SIZE rows read ahead; one that does not
    # (a file reordered, a decision removed) is looked up by reference, in batches.
    register = register_rows()
    ahead: dict[str, dict[str, Any]] = {}
    try:
        for row in reader.rows():
            text = digest.add(row, plain=fast)
            reference = row["reference"]
            current = ahead.pop(reference, None)
            while current is None and len(ahead) < CHUNK_SIZE:
                if (following := next(register, None)) is None:
                    break
                if following["reference"] == reference:
                    current = following
                else:
                    ahead[following["reference"]] = following
            if current is None:
                lookups.append((row, text))
                if len(lookups) >= size:
                    look_up()
            else:
                compare(row, text, current)
    finally:
        register.close()
    look_up()
    trailer = reader.trailer
    assert trailer is not None  # the readers raise rather than end without one
    check = ExportCheck(fmt, trailer, digest.count, digest.hexdigest())

    if pdf_trailer is not None and pdf_trailer != trailer:
        check.problems.append(_("the PDF's keywords and its attached export disagree"))
    if check.count != trailer.count:
        check.problems.append(
            _("the file holds %(found)s decisions but its trailer says %(expected)s")
            % {"found": check.count, "expected": trailer.count}
        )
    if check.digest != trailer.digest:
        check.problems.append(
            _(
                "the file's rows do not match its digest: it was altered after the export "
                "(its rows give %(found)s, its trailer says %(expected)s)"
            )
            % {"found": check.digest, "expected": trailer.digest}
        )
    if differing:
        first = differing[0]
        if len(differing) > 1:
            more = len(differing) - 1
            first += " " + ngettext(
                "(and %(count)s other decision)", "(and %(count)s other decisions)", more
            ) % {"count": more}
        check.problems.append(first)
    else:
        check.recorded_since = max(Decision.objects.count() - check.count, 0)
    return check


def _verify_audit(check: ExportCheck, reader: _JsonReader | _CsvReader, workers: int) -> None:
    """The audit chain, the export's checkpoint and its head (see `verify_export`)."""
    trailer = check.trailer
    signed = []
    if reader.checkpoint_text is not None:
        try:
            signed.append(checkpoints.read_signed(reader.checkpoint_text))
        except checkpoints.CheckpointError as error:
            check.problems.append(_("the export's audit checkpoint: %(error)s") % {"error": error})
    chain = verify_chain(signed, workers=workers)
    check.audit_events = chain.count
    for failed in (c for c in chain.checkpoints if not c.ok):
        check.problems.append(
            _("the audit log no longer extends the export's checkpoint: %(problem)s")
            % {"problem": failed.problem}
        )
    if not chain.ok:
        check.problems.append(
            _("the audit chain is broken at event %(sequence)s: %(problem)s")
            % {"sequence": chain.bad_sequence, "problem": chain.problem}
        )
    if trailer.head_sequence == 0:
        head_hash = GENESIS_HASH
    else:
        head_hash = (
            AuditEvent.objects.filter(sequence=trailer.head_sequence)
            .values_list("hash", flat=True)
            .first()
        )
    if head_hash is None:
        check.problems.append(
            _("audit event %(sequence)s, the head at the export, is no longer in the log")
            % {"sequence": trailer.head_sequence}
        )
    elif head_hash != trailer.head_hash:
        check.problems.append(
            _(
                "audit event %(sequence)s, the head at the export, now has the hash %(found)s, not %(expected)s"
            )
            % {"sequence": trailer.head_sequence, "found": head_hash, "expected": trailer.head_hash}
        )
