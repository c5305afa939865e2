"""Import dues payments from a CSV file (all or nothing; bad lines are named)."""

from django.utils import timezone

from governance.management.imports import CsvImportCommand
from governance.roll import importing


class Command(CsvImportCommand):
    help = (
        "Import dues from a UTF-8 CSV file with the columns membership_number, year, amount, "
        "paid_on. Nothing is recorded if any line is wrong."
    )

    def run_import(self, *, actor, data: bytes, system: bool, **options) -> str:
        report = importing.import_dues(
            actor=actor, data=data, today=timezone.localdate(), system=system
        )
        return f"recorded {report.recorded} payments; {report.unchanged} already recorded"
