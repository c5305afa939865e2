"""Import the membership roll from a CSV file (all or nothing; bad lines are named)."""

from django.utils import timezone
from tqdm import tqdm

from governance.management.imports import CsvImportCommand
from governance.roll import importing

#: What each phase counts (see `importing.import_members`).
UNITS = {"reading": ("B", True), "checking": ("line", False), "writing": ("line", False)}


class Command(CsvImportCommand):
    help = (
        "Import members from a UTF-8 CSV file with the columns membership_number, first_name, "
        "last_name, email, birth_date, joined_on, unit and optionally kind and language (en, fr or ar)."
    )
    actor_help = "the staff account the import is recorded under"
    streamed = True

    def run_import(self, *, actor, data, system: bool, verbosity: int, **options) -> str:
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            # One bar a phase: reading the file (bytes), checking against the roll, writing.
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    other.close()
                unit, scale = UNITS[phase]
                bar = bars[phase] = tqdm(
                    total=total,
                    desc=phase,
                    unit=unit,
                    unit_scale=scale,
                    disable=verbosity < 1,
                    file=self.stderr._out,
                )
            bar.update(done - bar.n)

        try:
            report = importing.import_members(
                actor=actor,
                data=data,
                today=timezone.localdate(),
                progress=progress,
                system=system,
            )
        finally:
            for bar in bars.values():
                bar.close()
        return (
            f"imported {report.total} rows: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged"
        )
