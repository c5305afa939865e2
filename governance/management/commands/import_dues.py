"""Import dues payments from a CSV file (all or nothing; bad lines are named)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.exceptions import DomainError
from governance.management.commands.record_dues import staff_account
from governance.roll import importing


class Command(BaseCommand):
    help = (
        "Import dues from a UTF-8 CSV file with the columns membership_number, year, amount, "
        "paid_on. Nothing is recorded if any line is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="EMAIL",
            help="the staff account the import is recorded under (the platform if omitted)",
        )

    def handle(self, *args, file: Path, actor: str | None, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        user = staff_account(actor)
        try:
            report = importing.import_dues(
                actor=user, data=data, today=timezone.localdate(), system=user is None
            )
        except DomainError as error:
            details = "\n".join(f"  {file}: {detail}" for detail in error.details)
            raise CommandError(f"{error.message}\n{details}".rstrip()) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"recorded {report.recorded} payments; {report.unchanged} already recorded"
            )
        )
