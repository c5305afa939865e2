"""Membership roll import: validate a whole CSV file first, then write it in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
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
OPTIONAL_COLUMNS = ("kind",)
UPDATABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "birth_date",
    "joined_on",
    "unit_id",
    "kind",
)


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class MemberRow:
    line: int
    membership_number: str
    first_name: str
    last_name: str
    email: str
    birth_date: dt.date | None
    joined_on: dt.date
    unit_code: str
    kind: str


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


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            _("The file is not UTF-8 text."),
            details=[LineError(line, _("this line is not valid UTF-8 (save the file as UTF-8)"))],
        ) from None
    return text.removeprefix("\ufeff")


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


def _reader(data: bytes, required: tuple[str, ...], optional: tuple[str, ...] = ()):
    """A CSV reader over the decoded file, its header checked (ImportRejected names line 1)."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:  # a field over the csv module's limit, a stray quote
        raise ImportRejected(
            _("The header row is wrong."), field="file", details=[LineError(1, str(error))]
        ) from None
    header = [name.strip() for name in fieldnames]
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
    reader.fieldnames = header
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


def parse_members_csv(data: bytes, *, unit_codes: set[str], today: dt.date) -> list[MemberRow]:
    """Check every line of the file; raise ImportRejected naming each bad line, or return the rows."""
    errors: list[LineError] = []
    rows = list(_member_rows(data, unit_codes=unit_codes, today=today, errors=errors))
    _reject_if_bad(errors, found=bool(rows))
    return rows


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


def _member_rows(
    data: bytes,
    *,
    unit_codes: set[str],
    today: dt.date,
    errors: list[LineError],
    tick: Callable[[int], None] | None = None,
) -> Iterator[MemberRow]:
    """Each good line as a `MemberRow`, as the file is read; each bad line's errors appended.

    Holds one line at a time, and each membership number with its line (for repeats).
    """
    reader = _reader(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    seen: dict[str, int] = {}
    read = 1
    for record in _records(reader, errors):
        if tick is not None and reader.line_num - read >= 1000:
            tick(reader.line_num - read)
            read = reader.line_num
        line = reader.line_num
        if None in record:
            errors.append(LineError(line, _("this line has more fields than the header")))
            continue
        values = {k: (v or "").strip() for k, v in record.items()}
        if not any(values.values()):
            continue
        line_errors = _field_errors(values, line)
        if line_errors:
            # A NUL byte or an oversized field: the other checks would only repeat it.
            errors.extend(line_errors)
            continue
        number = values["membership_number"]
        for column in ("membership_number", "first_name", "last_name", "unit"):
            if not values[column]:
                line_errors.append(
                    LineError(line, _("%(column)s is required") % {"column": column})
                )
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
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                line_errors.append(
                    LineError(
                        line, _("%(value)r is not an e-mail address") % {"value": values["email"]}
                    )
                )
        birth = _parse_date(values["birth_date"], "birth_date", line, line_errors, required=False)
        joined = _parse_date(values["joined_on"], "joined_on", line, line_errors, required=True)
        if birth and birth > today:
            line_errors.append(LineError(line, _("birth_date is in the future")))
        if joined and joined > today:
            line_errors.append(LineError(line, _("joined_on is in the future")))
        if values["unit"] and values["unit"] not in unit_codes:
            line_errors.append(
                LineError(line, _("unknown unit code %(code)r") % {"code": values["unit"]})
            )
        kind = values.get("kind") or Member.Kind.MEMBER
        if kind not in Member.Kind.values:
            line_errors.append(
                LineError(
                    line, _("kind must be member or supporter, not %(value)r") % {"value": kind}
                )
            )
        if line_errors:
            errors.extend(line_errors)
            continue
        yield MemberRow(
            line=line,
            membership_number=number,
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"].lower(),
            birth_date=birth,
            joined_on=joined,
            unit_code=values["unit"],
            kind=kind,
        )
    if tick is not None:
        tick(reader.line_num - read)


#: Lines written a batch: the members read, created or updated, and their audit events.
BATCH = 2000


def import_members(
    *,
    actor,
    data: bytes,
    today: dt.date,
    progress: Callable[[str, int, int], None] | None = None,
    system: bool = False,
) -> ImportReport:
    """Staff import the membership roll: new members are added, known numbers updated.

    Idempotent by membership number: importing the same file twice changes nothing the
    second time. All or nothing: any bad line rejects the whole file, naming every bad
    line, before anything is written; then the lines are written in batches, each with
    its members' audit events (old and new values), all in one transaction.

    The file is read twice, one line at a time, so memory does not grow with its rows
    beyond the file itself and its membership numbers. `progress(phase, done, total)`
    is told "checking" (every line read and checked) then "writing", in lines.
    """
    if not system:
        ensure_staff(actor)
    units = dict(OrganisationUnit.objects.values_list("code", "id"))
    total = max(data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1, 1)
    done = {"checking": 0, "writing": 0}

    def ticker(phase: str) -> Callable[[int], None] | None:
        if progress is None:
            return None

        def tick(lines: int) -> None:
            done[phase] += lines
            progress(phase, min(done[phase], total), total)

        return tick

    errors: list[LineError] = []
    found = False
    for _row in _member_rows(
        data, unit_codes=set(units), today=today, errors=errors, tick=ticker("checking")
    ):
        found = True
    _reject_if_bad(errors, found=found)

    report = ImportReport()
    written = ticker("writing")
    rows = _member_rows(data, unit_codes=set(units), today=today, errors=errors)
    with transaction.atomic():
        while batch := list(itertools.islice(rows, BATCH)):
            _write_batch(actor, batch, units, report)
            if written is not None:
                written(batch[-1].line - done["writing"] - 1)
        if written is not None:
            written(total - done["writing"])
    return report


def _write_batch(actor, rows: list[MemberRow], units: dict[str, int], report: ImportReport):
    existing = Member.objects.in_bulk(
        [r.membership_number for r in rows], field_name="membership_number"
    )
    to_create: list[Member] = []
    # Grouped by the columns that changed: bulk_update's cost grows with the columns it sets.
    to_update: dict[tuple[str, ...], list[Member]] = {}
    changes: list[Change] = []
    for row in rows:
        values = {
            "first_name": row.first_name,
            "last_name": row.last_name,
            "email": row.email,
            "birth_date": row.birth_date,
            "joined_on": row.joined_on,
            "unit_id": units[row.unit_code],
            "kind": row.kind,
        }
        member = existing.get(row.membership_number)
        if member is None:
            to_create.append(Member(membership_number=row.membership_number, **values))
            continue
        old = {
            name: getattr(member, name)
            for name in UPDATABLE_FIELDS
            if getattr(member, name) != values[name]
        }
        if not old:
            report.unchanged += 1
            continue
        for name in old:
            setattr(member, name, values[name])
        to_update.setdefault(tuple(sorted(old)), []).append(member)
        changes.append(
            Change(
                action="member.updated",
                obj=member,
                old=old,
                new={name: values[name] for name in old},
            )
        )
    bulk.insert(Member, to_create, with_pks=True)
    for fields, members in to_update.items():
        Member.objects.bulk_update(members, fields, batch_size=500)
    changes.extend(
        Change(
            action="member.imported",
            object_type="governance.member",
            object_id=str(member.pk),
            object_label=member.membership_number,
            new={name: getattr(member, name) for name in ("membership_number", *UPDATABLE_FIELDS)},
        )
        for member in to_create
    )
    audit.record_many(actor, changes, actor_label="" if actor else "system: import")
    report.created += len(to_create)
    report.updated += sum(map(len, to_update.values()))


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
