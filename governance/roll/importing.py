"""Membership roll import: read and check a whole CSV file first, then write it in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from governance import bulk
from governance.audit import log as audit
from governance.audit.log import Change, model_values
from governance.exceptions import DomainError
from governance.models import DuesPayment, Member, OrganisationUnit
from governance.permissions import ensure_staff
from governance.services import check_dues

REQUIRED_COLUMNS = (
    "membership_number",
    "first_name",
    "last_name",
    "email",
    "birth_date",
    "joined_on",
    "unit",
)
OPTIONAL_COLUMNS = ("kind", "language")
UPDATABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "birth_date",
    "joined_on",
    "unit_id",
    "kind",
    "language",
)
#: A line's language when the file has no language column: a known member keeps theirs
#: (which they may have chosen themselves), a new one gets the section's ("").
_KEEP = None


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportRejected(DomainError):
    """The file has errors; nothing was written. `details` lists every bad line."""


def _lines(source, read: list[int] | None = None) -> Iterator[str]:
    """The file's lines decoded one at a time (bytes or a binary file); `read[0]` counts the
    bytes taken. A line that is not UTF-8 rejects the file, naming it."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    for number, raw in enumerate(stream, start=1):
        if read is not None:
            read[0] += len(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportRejected(
                _("The file is not UTF-8 text."),
                details=[
                    LineError(number, _("this line is not valid UTF-8 (save the file as UTF-8)"))
                ],
            ) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _size(source) -> int:
    """The file's size in bytes (what the reading phase counts up to)."""
    if isinstance(source, bytes | bytearray):
        return len(source)
    size = getattr(source, "size", None)  # an upload
    if size is None:
        try:
            size = os.fstat(source.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            size = 0
    return size


def _parse_date(
    value: str, column: str, line: int, errors: list[LineError], *, required: bool
) -> dt.date | None:
    value = value.strip()
    if not value:
        if required:
            errors.append(LineError(line, _("%(column)s is required") % {"column": column}))
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(
            LineError(
                line,
                _("%(column)s %(value)r is not a date like 2001-12-31")
                % {"column": column, "value": value},
            )
        )
        return None


def _check_header(
    fieldnames: list[str] | None, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[str]:
    header = [name.strip() for name in fieldnames or []]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + optional]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        raise ImportRejected(
            _("The header row is wrong."), field="file", details=[LineError(1, "; ".join(problems))]
        )
    return header


def _header_error(error: csv.Error) -> ImportRejected:
    # A field over the csv module's limit, a stray quote.
    return ImportRejected(
        _("The header row is wrong."), field="file", details=[LineError(1, str(error))]
    )


def _reader(data, required: tuple[str, ...], optional: tuple[str, ...] = ()):
    """A CSV reader over the decoded file, its header checked (ImportRejected names line 1)."""
    reader = csv.DictReader(_lines(data))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        raise _header_error(error) from None
    reader.fieldnames = _check_header(fieldnames, required, optional)
    return reader


#: The longest value each column may hold: the model's field lengths (an e-mail address
#: is at most 254 characters, RFC 5321's path limit less its brackets).
FIELD_LENGTHS = {
    "membership_number": Member._meta.get_field("membership_number").max_length,
    "first_name": Member._meta.get_field("first_name").max_length,
    "last_name": Member._meta.get_field("last_name").max_length,
    "email": Member._meta.get_field("email").max_length,
    "unit": OrganisationUnit._meta.get_field("code").max_length,
}


def _field_errors(values: dict[str, str], line: int) -> list[LineError]:
    """What no column may hold: a NUL byte (PostgreSQL refuses it), or more than its length."""
    errors = []
    for column, value in values.items():
        if "\x00" in value:
            errors.append(LineError(line, _("%(column)s contains a NUL byte") % {"column": column}))
        elif column in FIELD_LENGTHS and len(value) > FIELD_LENGTHS[column]:
            errors.append(
                LineError(
                    line,
                    _("%(column)s is longer than %(limit)s characters (%(length)s)")
                    % {"column": column, "limit": FIELD_LENGTHS[column], "length": len(value)},
                )
            )
    return errors


def _reject_if_bad(errors: list[LineError], *, found: bool) -> None:
    if errors:
        raise ImportRejected(
            _("%(count)s problem(s) found; nothing was imported.") % {"count": len(errors)},
            field="file",
            details=errors,
        )
    if not found:
        raise ImportRejected(
            _("The file has no members in it."),
            field="file",
            details=[LineError(2, _("no data lines"))],
        )


def _records(reader, errors: list[LineError]) -> Iterator[dict]:
    """The reader's records; a line the csv module cannot read ends the file with its error."""
    try:
        yield from reader
    except csv.Error as error:
        errors.append(LineError(reader.line_num + 1, str(error)))


#: Lines a batch: spooled to a temporary file after reading, then checked against the roll
#: and written (members and their audit events) a batch at a time.
BATCH = 5000

#: A member as read: (line, number, first_name, last_name, email, birth_date, joined_on,
#: unit_id, kind, language); `row[2:]` is in the order of UPDATABLE_FIELDS.
_Row = tuple


def import_members(
    *,
    actor,
    data,
    today: dt.date,
    progress: Callable[[str, int, int], None] | None = None,
    system: bool = False,
) -> ImportReport:
    """Staff import the membership roll: new members are added, known numbers updated.

    `data` is the file's bytes or a binary file (read once, a line at a time). Idempotent by
    membership number: importing the same file twice changes nothing the second time. All
    or nothing: any bad line rejects the whole file, naming every bad line, before anything
    is written; then the members are written in batches, each with its audit events (old
    and new values), all in one transaction.

    Three phases, each told to `progress(phase, done, total)`:
    - "reading": every line read and checked on its own (columns, dates, units, repeats),
      in bytes of the file; the good lines go to a temporary file, not to memory;
    - "checking": each line against the roll (new, changed or unchanged), in lines;
    - "writing": the members and their audit events written, in lines.
    Memory holds one batch, and each membership number with its line (to name repeats).
    """
    if not system:
        ensure_staff(actor)
    units = dict(OrganisationUnit.objects.values_list("code", "id"))
    tell = progress or (lambda phase, done, total: None)
    report = ImportReport()
    with tempfile.TemporaryFile() as lines, tempfile.TemporaryFile() as plan:
        count = _read_members(data, units=units, today=today, spool=lines, tell=tell)
        try:
            with transaction.atomic():
                _check_against_roll(lines, plan, count, report, tell)
                _write_members(actor, plan, count, report, tell)
        except IntegrityError:
            raise ImportRejected(
                _(
                    "Members with these numbers were added meanwhile; nothing was imported. Try again."
                ),
                field="file",
            ) from None
    return report


def _spooled(spool) -> Iterator:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _read_members(source, *, units: dict[str, int], today: dt.date, spool, tell) -> int:
    """Read and check every line once; spool the good ones; raise naming every bad line."""
    read = [0]
    total = _size(source)
    reader = csv.reader(_lines(source, read))
    try:
        first = next(reader, None)
    except csv.Error as error:
        raise _header_error(error) from None
    header = _check_header(first, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    width = len(header)
    at = {name: index for index, name in enumerate(header)}
    i_number, i_first, i_last, i_email = (at[c] for c in REQUIRED_COLUMNS[:4])
    i_birth, i_joined, i_unit = (at[c] for c in REQUIRED_COLUMNS[4:])
    i_kind = at.get("kind")
    i_language = at.get("language")
    languages = {code for code, _name in settings.LANGUAGES}
    limits = [(at[column], limit) for column, limit in FIELD_LENGTHS.items()]
    required = [(at[c], c) for c in ("membership_number", "first_name", "last_name", "unit")]
    kinds = set(Member.Kind.values)
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    batch: list[_Row] = []
    count, told = 0, 0
    dump = pickle.dump
    try:
        for record in reader:
            line = reader.line_num
            if line - told >= 1000:
                tell("reading", read[0], total)
                told = line
            if len(record) > width:
                errors.append(LineError(line, _("this line has more fields than the header")))
                continue
            values = [v.strip() for v in record]
            if len(values) < width:
                values += [""] * (width - len(values))
            if not any(values):
                continue
            if any(len(values[i]) > limit for i, limit in limits) or any(
                "\x00" in v for v in values
            ):
                # A NUL byte or an oversized field: the other checks would only repeat it.
                errors.extend(_field_errors(dict(zip(header, values, strict=True)), line))
                continue
            line_errors = [
                LineError(line, _("%(column)s is required") % {"column": column})
                for i, column in required
                if not values[i]
            ]
            number = values[i_number]
            if number in seen:
                line_errors.append(
                    LineError(
                        line,
                        _("membership number %(number)s repeats line %(other)s")
                        % {"number": number, "other": seen[number]},
                    )
                )
            elif number:
                seen[number] = line
            email = values[i_email]
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    line_errors.append(
                        LineError(line, _("%(value)r is not an e-mail address") % {"value": email})
                    )
            birth = _parse_date(values[i_birth], "birth_date", line, line_errors, required=False)
            joined = _parse_date(values[i_joined], "joined_on", line, line_errors, required=True)
            if birth and birth > today:
                line_errors.append(LineError(line, _("birth_date is in the future")))
            if joined and joined > today:
                line_errors.append(LineError(line, _("joined_on is in the future")))
            unit = values[i_unit]
            if unit and unit not in units:
                line_errors.append(
                    LineError(line, _("unknown unit code %(code)r") % {"code": unit})
                )
            kind = (values[i_kind] if i_kind is not None else "") or Member.Kind.MEMBER.value
            if kind not in kinds:
                line_errors.append(
                    LineError(
                        line, _("kind must be member or supporter, not %(value)r") % {"value": kind}
                    )
                )
            language = _KEEP if i_language is None else values[i_language].lower()
            if language and language not in languages:
                line_errors.append(
                    LineError(
                        line,
                        _("language must be one of %(codes)s or empty, not %(value)r")
                        % {"codes": ", ".join(sorted(languages)), "value": values[i_language][:20]},
                    )
                )
            if line_errors:
                errors.extend(line_errors)
                continue
            count += 1
            if errors:
                continue  # the file is refused: nothing more to keep
            batch.append(
                (line, number, values[i_first], values[i_last], email.lower(), birth, joined,
                 units[unit], kind, language)
            )  # fmt: skip
            if len(batch) >= BATCH:
                dump(batch, spool)
                batch = []
    except csv.Error as error:  # a line the csv module cannot read ends the file
        errors.append(LineError(reader.line_num, str(error)))  # the line it stopped in
    _reject_if_bad(errors, found=bool(count))
    if batch:
        dump(batch, spool)
    tell("reading", total, total)
    return count


def _check_against_roll(spool, plan, total: int, report: ImportReport, tell) -> None:
    """Each spooled line against the roll: new, changed (with its old values) or unchanged.

    Writes the plan a batch at a time: (new rows, changes, unchanged count).
    """
    done = 0
    tell("checking", 0, total)
    for batch in _spooled(spool):
        existing = {
            number: (pk, tuple(current))
            for number, pk, *current in _members_numbered([row[1] for row in batch])
        }
        new, changes, unchanged = [], [], 0
        for row in batch:
            found = existing.get(row[1])
            if found is None:
                new.append(row if row[-1] is not _KEEP else (*row[:-1], ""))
                continue
            pk, current = found
            if row[-1] is _KEEP:
                row = (*row[:-1], current[-1])
            values = row[2:]
            if current == values:
                unchanged += 1
                continue
            changed = [i for i, value in enumerate(values) if current[i] != value]
            old = {UPDATABLE_FIELDS[i]: current[i] for i in changed}
            changes.append((pk, row, old, {UPDATABLE_FIELDS[i]: values[i] for i in changed}))
        pickle.dump((new, changes, unchanged), plan)
        report.unchanged += unchanged
        done += len(batch)
        tell("checking", done, total)


def _members_numbered(numbers: list[str]):
    """(number, pk, *UPDATABLE_FIELDS) of the members with these numbers, as plain values."""
    if connection.vendor != "postgresql":
        return (
            Member.objects.filter(membership_number__in=numbers)
            .order_by()
            .values_list("membership_number", "pk", *UPDATABLE_FIELDS)
        )
    # One array parameter, not one a number: the query is built in no time.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT membership_number, id, {', '.join(UPDATABLE_FIELDS)} "
            f"FROM {Member._meta.db_table} WHERE membership_number = ANY(%s)",
            [numbers],
        )
        return cursor.fetchall()


_MEMBER_COLUMNS = ("id", "membership_number", *UPDATABLE_FIELDS)


def _member_defaults() -> tuple[tuple[str, ...], tuple]:
    """Every other column of a new member and its default (status, language, account...),
    read from the model, so a field added later is stored as `bulk_create` would."""
    fields = [f for f in Member._meta.concrete_fields if f.attname not in _MEMBER_COLUMNS]
    return tuple(f.column for f in fields), tuple(f.get_default() for f in fields)


def _write_members(actor, plan, total: int, report: ImportReport, tell) -> None:
    done = 0
    tell("writing", 0, total)
    on_postgresql = connection.vendor == "postgresql"
    with audit.appending(actor, actor_label="" if actor else "system: import") as append:
        for new, changes, unchanged in _spooled(plan):
            if changes:
                (_update_postgresql if on_postgresql else _update_by_orm)(changes)
                append(
                    (
                        "member.updated",
                        "governance.member",
                        str(pk),
                        f"{row[2]} {row[3]} ({row[1]})",
                        audit.jsonable(old),
                        audit.jsonable(values),
                    )
                    for pk, row, old, values in changes
                )
            if new:
                pks = _insert(new, on_postgresql)
                append(
                    (
                        "member.imported",
                        "governance.member",
                        str(pk),
                        number,
                        None,
                        {
                            "membership_number": number,
                            "first_name": first,
                            "last_name": last,
                            "email": email,
                            "birth_date": None if birth is None else birth.isoformat(),
                            "joined_on": joined.isoformat(),
                            "unit_id": unit_id,
                            "kind": kind,
                            "language": language,
                        },
                    )
                    for pk, (
                        _line,
                        number,
                        first,
                        last,
                        email,
                        birth,
                        joined,
                        unit_id,
                        kind,
                        language,
                    ) in zip(pks, new, strict=True)
                )
            report.created += len(new)
            report.updated += len(changes)
            done += len(new) + len(changes) + unchanged
            tell("writing", done, total)


def _insert(rows: list[_Row], on_postgresql: bool) -> list[int]:
    """Insert new members (by COPY on PostgreSQL, no model built); their primary keys."""
    if on_postgresql:
        columns, defaults = _member_defaults()
        pks = bulk.draw_pks(Member, len(rows))
        bulk.copy_rows(
            Member._meta.db_table,
            (*_MEMBER_COLUMNS, *columns),
            ((pk, *row[1:], *defaults) for pk, row in zip(pks, rows, strict=True)),
        )
        return pks
    members = [Member(**dict(zip(_MEMBER_COLUMNS[1:], row[1:], strict=True))) for row in rows]
    Member.objects.bulk_create(members, batch_size=1000)
    return [member.pk for member in members]


def _update_postgresql(changes) -> None:
    """Changed members: their new values COPY'd into a temporary table, then one UPDATE."""
    columns = ", ".join(f"{name} = c.{name}" for name in UPDATABLE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS member_import_changes (id bigint PRIMARY KEY, "
            "first_name text, last_name text, email text, birth_date date, joined_on date, "
            "unit_id bigint, kind text, language text) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE member_import_changes")
    bulk.copy_rows(
        "member_import_changes",
        ("id", *UPDATABLE_FIELDS),
        ((pk, *row[2:]) for pk, row, _old, _new in changes),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Member._meta.db_table} AS m SET {columns} "
            "FROM member_import_changes AS c WHERE m.id = c.id"
        )


def _update_by_orm(changes) -> None:
    # Grouped by the columns that changed: bulk_update's cost grows with the columns it sets.
    groups: dict[tuple[str, ...], list[Member]] = {}
    for pk, row, old, _new in changes:
        member = Member(pk=pk, **dict(zip(UPDATABLE_FIELDS, row[2:], strict=True)))
        groups.setdefault(tuple(sorted(old)), []).append(member)
    for fields, members in groups.items():
        Member.objects.bulk_update(members, fields, batch_size=500)


# ---------------------------------------------------------------------------
# Dues
# ---------------------------------------------------------------------------

DUES_COLUMNS = ("membership_number", "year", "amount", "paid_on")


@dataclass(frozen=True)
class DuesRow:
    line: int
    member_id: int
    membership_number: str
    year: int
    amount: Decimal
    paid_on: dt.date


@dataclass
class DuesImportReport:
    recorded: int = 0
    unchanged: int = 0


def parse_dues_csv(data: bytes, *, today: dt.date) -> tuple[list[DuesRow], int]:
    """Check every line of a dues file against the roll and the dues already recorded.

    Returns the payments to record and how many lines repeat a payment already recorded
    exactly (so the same file imported twice changes nothing); raises ImportRejected
    naming every bad line.
    """
    reader = _reader(data, DUES_COLUMNS)
    records = []
    errors: list[LineError] = []
    for record in reader:
        if None in record:
            errors.append(
                LineError(reader.line_num, _("this line has more fields than the header"))
            )
            continue
        values = {k: (v or "").strip() for k, v in record.items()}
        if any(values.values()):
            records.append((reader.line_num, values))
    numbers = {values["membership_number"] for _line, values in records}
    members = dict(
        Member.objects.filter(membership_number__in=numbers).values_list("membership_number", "pk")
    )
    recorded = {
        (member_id, year): (amount, paid_on)
        for member_id, year, amount, paid_on in DuesPayment.objects.filter(
            member_id__in=members.values()
        ).values_list("member_id", "year", "amount", "paid_on")
    }
    rows: list[DuesRow] = []
    unchanged = 0
    seen: dict[tuple[str, int], int] = {}
    for line, values in records:
        line_errors: list[LineError] = []
        number = values["membership_number"]
        member_id = members.get(number)
        if not number:
            line_errors.append(
                LineError(line, _("%(column)s is required") % {"column": "membership_number"})
            )
        elif member_id is None:
            line_errors.append(
                LineError(line, _("no member has the number %(number)r") % {"number": number})
            )
        year = None
        try:
            year = int(values["year"])
        except ValueError:
            line_errors.append(
                LineError(
                    line, _("year %(value)r is not a year like 2026") % {"value": values["year"]}
                )
            )
        amount = None
        try:
            amount = Decimal(values["amount"])
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            line_errors.append(
                LineError(
                    line,
                    _("amount %(value)r is not an amount like 100.00")
                    % {"value": values["amount"]},
                )
            )
        paid_on = _parse_date(values["paid_on"], "paid_on", line, line_errors, required=True)
        if year is not None and amount is not None and paid_on is not None:
            try:
                amount = check_dues(year=year, amount=amount, paid_on=paid_on, today=today)
            except DomainError as error:
                line_errors.append(LineError(line, error.message))
        if year is not None and number:
            if (number, year) in seen:
                line_errors.append(
                    LineError(
                        line,
                        _("dues of %(number)s for %(year)s repeat line %(other)s")
                        % {"number": number, "year": year, "other": seen[(number, year)]},
                    )
                )
            else:
                seen[(number, year)] = line
        if line_errors:
            errors.extend(line_errors)
            continue
        existing = recorded.get((member_id, year))
        if existing == (amount, paid_on):
            unchanged += 1
            continue
        if existing is not None:
            errors.append(
                LineError(
                    line,
                    _(
                        "dues of %(number)s for %(year)s are already recorded "
                        "(%(amount)s paid on %(paid_on)s)"
                    )
                    % {
                        "number": number,
                        "year": year,
                        "amount": existing[0],
                        "paid_on": existing[1].isoformat(),
                    },
                )
            )
            continue
        rows.append(DuesRow(line, member_id, number, year, amount, paid_on))
    if errors:
        raise ImportRejected(
            _("%(count)s problem(s) found; nothing was imported.") % {"count": len(errors)},
            field="file",
            details=errors,
        )
    if not rows and not unchanged:
        raise ImportRejected(
            _("The file has no payments in it."),
            field="file",
            details=[LineError(2, _("no data lines"))],
        )
    return rows, unchanged


def import_dues(*, actor, data: bytes, today: dt.date, system: bool = False) -> DuesImportReport:
    """Staff import a file of dues payments (membership_number, year, amount, paid_on).

    All or nothing: any bad line (an unknown member, a bad amount or date, a year already
    recorded with other figures) rejects the whole file, and every bad line is named. A
    line that repeats a payment already recorded changes nothing, so the same file can be
    imported twice. Each payment gets its `dues.recorded` audit event, in the same
    transaction.
    """
    if not system:
        ensure_staff(actor)
    with transaction.atomic():
        rows, unchanged = parse_dues_csv(data, today=today)
        try:
            with transaction.atomic():
                payments = DuesPayment.objects.bulk_create(
                    DuesPayment(
                        member_id=r.member_id, year=r.year, amount=r.amount, paid_on=r.paid_on
                    )
                    for r in rows
                )
        except IntegrityError:
            raise ImportRejected(
                _(
                    "Dues were recorded for these members meanwhile; nothing was imported. Try again."
                ),
                field="file",
            ) from None
        audit.record_many(
            actor,
            [
                Change(action="dues.recorded", obj=payment, new=model_values(payment))
                for payment in payments
            ],
            actor_label="" if actor else "system: import",
        )
    return DuesImportReport(recorded=len(payments), unchanged=unchanged)
