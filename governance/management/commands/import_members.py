"""Import the membership roll from a CSV file (all or nothing; bad lines are named)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from governance.exceptions import DomainError
from governance.roll import importing


class Command(BaseCommand):
    help = (
        "Import members from a UTF-8 CSV file with the columns membership_number, first_name, "
        "last_name, email, birth_date, joined_on, unit and optionally kind."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="EMAIL",
            help="the staff account the import is recorded under",
        )

    def handle(self, *args, file: Path, actor: str | None, verbosity: int, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        user = None
        if actor:
            user = get_user_model().objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"no account with the e-mail {actor}")
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            # One bar a phase: every line checked first, then written (nothing before).
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[phase] = tqdm(
                    total=total,
                    desc=phase,
                    unit="line",
                    disable=verbosity < 1,
                    file=self.stderr._out,
                )
            bar.update(done - bar.n)

        try:
            report = importing.import_members(
                actor=user,
                data=data,
                today=timezone.localdate(),
                progress=progress,
                system=user is None,
            )
        except DomainError as error:
            details = "\n".join(f"  {file}: {detail}" for detail in error.details)
            raise CommandError(f"{error.message}\n{details}".rstrip()) from None
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"imported {report.total} rows: {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged"
            )
        )
